"""Starting the bot: settings, models, database -- and the one-line errors an operator gets when they are wrong.

A misconfiguration is not a user error: the operator gets ONE line on stderr naming the setting and what to
do, and exit status 2 (:class:`~bot.settings.ConfigError`); never a traceback, never the apology written
for store staff. A database that is down at start-up is not fatal once the models exist: the bot answers,
and what needs the database (the post's claims, the audit log of customer answers) waits for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError
from sqlalchemy.engine import make_url

from bot.settings import ConfigError

if TYPE_CHECKING:
    from bot.refresh import LiveCaddie
    from ml.settings import MLSettings

log = logging.getLogger(__name__)

DATABASE_HINT = "e.g. sqlite:///var/caddie.db or postgresql+psycopg://user:password@host/db"


def settings_error(exc: ValidationError) -> ConfigError:
    """The first invalid setting, on one line."""
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first.get("loc", ())).upper() or exc.title
    message = " ".join(str(first.get("msg", "invalid value")).split())
    return ConfigError(f"invalid setting {field}: {message} (fix it in the environment or .env)")


def check_database_url(url: str) -> None:
    """A ``DATABASE_URL`` that cannot name a database, or whose driver is missing, fails at once."""
    from sqlalchemy import create_engine

    try:
        create_engine(make_url(url))
    except (ArgumentError, ValueError) as exc:
        raise ConfigError(f"DATABASE_URL is not a database URL ({_first_line(exc)}): use {DATABASE_HINT}") from exc
    except NoSuchModuleError as exc:
        raise ConfigError(f"DATABASE_URL names an unknown database driver ({make_url(url).drivername}): "
                          f"use {DATABASE_HINT}") from exc
    except ImportError as exc:
        raise ConfigError(f"DATABASE_URL needs the driver {exc.name or 'module'}, which is not installed "
                          "(pip install 'caddie[postgres]' for PostgreSQL)") from exc


def database_problem(url: str) -> str | None:
    """None when the database answers and takes writes; else what is wrong, in a few words."""
    from bot.database import make_engine

    try:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("CREATE TEMPORARY TABLE caddie_write_probe (x INTEGER)"))
            conn.execute(text("INSERT INTO caddie_write_probe VALUES (1)"))
            conn.execute(text("DROP TABLE caddie_write_probe"))
        engine.dispose()
    except (SQLAlchemyError, OSError) as exc:
        return describe_database_error(exc)
    return None


def describe_database_error(exc: BaseException) -> str:
    message = _first_line(getattr(exc, "orig", None) or exc)
    if "readonly" in message.replace("-", "").lower() or "read only" in message.lower():
        return f"the database is read-only ({message})"
    if isinstance(exc, (OperationalError, OSError)):
        return f"cannot reach or open the database ({message})"
    return f"{type(exc).__name__}: {message}"


def load_models(settings: MLSettings) -> tuple[LiveCaddie, Callable[[], bool]]:
    """The served models (trained first on a fresh machine), and the refresh that retrains them.

    Every failure an operator can cause is raised as a one-line :class:`ConfigError`.
    """
    from bot.refresh import LiveCaddie, refresh_models
    from ml.errors import CaddieError
    from ml.service import Caddie
    from ml.train import ensure_trained, train_all

    def load(model_dir: Path) -> Caddie:
        return Caddie.load(model_dir, horizon_days=settings.forecast_horizon_days)

    model_dir = Path(settings.model_dir)
    _check_model_dir(model_dir)
    try:
        live = LiveCaddie(load(ensure_trained(settings)))
    except CaddieError as exc:
        raise ConfigError(f"DATA_SOURCE={settings.data_source}: {_first_line(exc)} "
                          "(set DATA_SOURCE, DATA_DIR and DATA_COLUMNS to data that can be read)") from exc
    except (SQLAlchemyError, ImportError) as exc:
        raise ConfigError(f"DATABASE_URL: {describe_database_error(exc)}; the first start trains the models "
                          "and needs a writable database") from exc
    except OSError as exc:
        raise ConfigError(_os_error(exc, model_dir)) from exc
    except Exception as exc:  # noqa: BLE001 - a damaged model file: unpickling raises anything
        raise ConfigError(f"MODEL_DIR={model_dir} holds models that cannot be loaded ({type(exc).__name__}): "
                          "retrain them (python -m ml.train) or point MODEL_DIR elsewhere") from exc
    return live, lambda: refresh_models(live, lambda: train_all(settings).model_dir, load)


def _check_model_dir(model_dir: Path) -> None:
    if model_dir.exists() and not model_dir.is_dir():
        raise ConfigError(f"MODEL_DIR={model_dir} is a file, not a folder: point MODEL_DIR to a folder")


def _os_error(exc: OSError, model_dir: Path) -> str:
    where = Path(exc.filename) if exc.filename else None
    if where is not None and (where == model_dir or model_dir in where.parents or where in model_dir.parents):
        return f"MODEL_DIR={model_dir}: {exc.strerror or exc} ({where}): point MODEL_DIR to a folder caddie may write"
    return f"cannot use {where or 'a file'}: {exc.strerror or exc} (check DATABASE_URL, MODEL_DIR and DATA_DIR)"


def _first_line(exc: object) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0].strip() if lines else type(exc).__name__
