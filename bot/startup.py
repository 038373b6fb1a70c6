"""Starting the bot: settings, models, database -- and the one-line errors an operator gets when they are wrong.

A misconfiguration is not a user error: the operator gets ONE line on stderr naming the setting and what to
do, and exit status 2 (:class:`~bot.settings.ConfigError`); never a traceback, never the apology written
for store staff. A database that is down at start-up is not fatal once the models exist: the bot answers,
and what needs the database (the post's claims, the audit log of customer answers) waits for it.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.engine import make_url

from bot.database import describe_database_error
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


def load_models(settings: MLSettings) -> tuple[LiveCaddie, Callable[[], bool]]:
    """The served models (trained first on a fresh machine), and the refresh that retrains them.

    Every failure an operator can cause is raised as a one-line :class:`ConfigError`.
    """
    from bot.refresh import LiveCaddie, refresh_models, retrain_served
    from ml.forecast_sources import NoServedRun
    from ml.service import Caddie
    from ml.registry import is_complete
    from ml.train import ensure_trained

    def load(model_dir: Path) -> Caddie:
        return Caddie.load(model_dir, horizon_days=settings.forecast_horizon_days,
                           database_url=settings.database_url, forecasts_source=settings.forecasts_source)

    model_dir = Path(settings.model_dir)
    if model_dir.exists() and not model_dir.is_dir():
        raise ConfigError(f"MODEL_DIR={model_dir} is a file, not a folder: point MODEL_DIR to a folder")
    if not is_complete(model_dir):
        check_first_training(settings)
        _train_first(settings, ensure_trained)
    try:
        live = LiveCaddie(load(model_dir))
    except NoServedRun as exc:
        raise ConfigError(f"FORECASTS_SOURCE=database: {exc.reason}, or set FORECASTS_SOURCE=auto") from exc
    except Exception as exc:  # noqa: BLE001 - a damaged model file: unpickling raises anything
        raise ConfigError(f"MODEL_DIR={model_dir} holds models that cannot be loaded ({type(exc).__name__}): "
                          "retrain them (python -m ml.train) or point MODEL_DIR elsewhere") from exc
    return live, lambda: refresh_models(live, lambda: retrain_served(settings), load)


def check_first_training(settings: MLSettings) -> None:
    """What the first training needs, checked before it starts: the data source, its columns, a writable
    model folder. Raises :class:`ConfigError`."""
    from ml.data.io import parse_column_mapping
    from ml.data.sources import COMPLETEJOURNEY_PRODUCTS_FILE, COMPLETEJOURNEY_TRANSACTIONS_FILE, ONLINE_RETAIL_FILE
    from ml.errors import CaddieError

    source, data_dir = settings.data_source.strip(), Path(settings.data_dir)
    needs = {"online_retail": [ONLINE_RETAIL_FILE],
             "completejourney": [COMPLETEJOURNEY_TRANSACTIONS_FILE, COMPLETEJOURNEY_PRODUCTS_FILE]}
    if source.lower() == "simulator":
        _check_iso_date("SIMULATOR_END", settings.simulator_end)
    elif source.lower() in needs:
        for name in needs[source.lower()]:
            if not (data_dir / name).is_file():
                raise ConfigError(f"DATA_SOURCE={source} needs {data_dir / name}, which does not exist: set DATA_DIR "
                                  "to the folder holding it, or DATA_SOURCE=simulator")
    elif not Path(source).expanduser().is_file():
        raise ConfigError(f"DATA_SOURCE={source!r} is neither simulator, online_retail, completejourney nor an "
                          "existing file: fix DATA_SOURCE")
    else:
        try:
            parse_column_mapping(settings.data_columns)
        except CaddieError as exc:
            raise ConfigError(f"DATA_COLUMNS: {_first_line(exc)} (e.g. customer_id=Client,product_id=EAN)") from exc
    _check_writable("MODEL_DIR", Path(settings.model_dir))


def _train_first(settings: MLSettings, ensure_trained: Callable[[MLSettings], Path]) -> None:
    from ml.errors import CaddieError

    try:
        ensure_trained(settings)
    except CaddieError as exc:
        message = _first_line(exc)
        where = "" if "DATA_" in message else f"DATA_SOURCE={settings.data_source}: "
        raise ConfigError(f"{where}{message} (the first start trains on DATA_SOURCE: fix the data or the "
                          "DATA_SOURCE, DATA_DIR and DATA_COLUMNS settings)") from exc
    except (SQLAlchemyError, ImportError) as exc:
        raise ConfigError(f"DATABASE_URL: {describe_database_error(exc)}; the first start trains the models "
                          "and needs a writable database") from exc
    except OSError as exc:
        raise ConfigError(_os_error(exc, Path(settings.model_dir))) from exc


def _check_iso_date(name: str, value: str | None) -> None:
    if value:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ConfigError(f"{name}={value!r} is not a date: use YYYY-MM-DD, or leave it empty") from None


def _check_writable(name: str, folder: Path) -> None:
    """Creates ``folder`` if needed and writes a probe file in it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".caddie-probe-"):
            pass
    except OSError as exc:
        raise ConfigError(f"{name}={folder} cannot be written ({exc.strerror or type(exc).__name__}): point {name} "
                          "to a folder caddie may write") from None


def _os_error(exc: OSError, model_dir: Path) -> str:
    where = Path(exc.filename) if exc.filename else None
    if where is not None and (where == model_dir or model_dir in where.parents or where in model_dir.parents):
        return f"MODEL_DIR={model_dir}: {exc.strerror or exc} ({where}): point MODEL_DIR to a folder caddie may write"
    return f"cannot use {where or 'a file'}: {exc.strerror or exc} (check DATABASE_URL, MODEL_DIR and DATA_DIR)"


def _first_line(exc: object) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0].strip() if lines else type(exc).__name__
