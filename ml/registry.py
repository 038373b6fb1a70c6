"""Saving and loading trained models: one ``<task>.joblib`` plus a human-readable ``<task>.json``.

The JSON metadata records what a model is, what it was trained on and how well it did,
so that the App Home tab, the README table and a reviewer all read the same figures.
"""

from __future__ import annotations

import json
import logging
import platform
import uuid
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any, Callable

import joblib

from ml.errors import ModelNotReady

log = logging.getLogger(__name__)

TASKS: tuple[str, ...] = ("forecast", "recommend", "propensity")
CATALOG = "catalog"  # products, popularity and recent history, used by the service
_TRACKED_PACKAGES = ("scikit-learn", "pandas", "numpy", "joblib", "caddie")


def runtime_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in _TRACKED_PACKAGES:
        try:
            versions[package] = importlib_metadata.version(package)
        except importlib_metadata.PackageNotFoundError:
            versions[package] = "unknown"
    return versions


@dataclass
class ModelMetadata:
    task: str
    model: str  # class name
    data_name: str
    data_start: str  # ISO dates
    data_end: str
    n_transactions: int
    params: dict[str, Any] = field(default_factory=dict)
    evaluation: dict[str, Any] = field(default_factory=dict)  # the ml.evaluation result for this task
    train_seconds: float = 0.0
    trained_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    versions: dict[str, str] = field(default_factory=runtime_versions)

    @property
    def data_window(self) -> tuple[date, date]:
        return date.fromisoformat(self.data_start), date.fromisoformat(self.data_end)


def display_name(model: Any) -> str:
    """The one name of a model, everywhere (cards, evaluations, replies): its class's ``display_name``."""
    return str(getattr(model, "display_name", None) or type(model).__name__)


def save(obj: Any, name: str, directory: Path, meta: ModelMetadata | None = None) -> Path:
    """Write ``obj`` (and its metadata) atomically: a reader never sees half a file."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{name}.joblib"
    _atomic_write(target, lambda tmp: joblib.dump(obj, tmp, compress=3))
    if meta is not None:
        text = json.dumps(asdict(meta), indent=2, ensure_ascii=False, default=str)
        _atomic_write(directory / f"{name}.json", lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return target


def _atomic_write(target: Path, write: Callable[[Path], object]) -> None:
    """``write`` to a temporary file beside ``target``, then rename it over ``target``; no leftover on failure."""
    tmp = target.with_name(f"{target.name}.{uuid.uuid4().hex[:8]}.tmp")  # unique: writers never share it
    try:
        write(tmp)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)


def table_path(name: str, directory: Path) -> Path:
    return directory / f"{name}.parquet"


def save_table(frame: Any, name: str, directory: Path) -> Path:
    """Write a pandas frame as ``<name>.parquet``, atomically (precomputed forecasts, history)."""
    directory.mkdir(parents=True, exist_ok=True)
    target = table_path(name, directory)
    _atomic_write(target, lambda tmp: frame.to_parquet(tmp, index=False))
    return target


def load_table(name: str, directory: Path) -> Any:
    import pandas as pd

    path = table_path(name, directory)
    if not path.exists():
        raise ModelNotReady(name, f"{path} not found, run `python -m ml.train`")
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # truncated or foreign file: say which, keep the cause
        raise ModelNotReady(name, f"{path} could not be read ({type(exc).__name__}: {exc})") from exc


def save_text(text: str, file_name: str, directory: Path) -> Path:
    """Write a small text file (e.g. a manifest) atomically."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / file_name
    _atomic_write(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return target


def load(name: str, directory: Path, expected: type | tuple[type, ...] | None = None) -> Any:
    """The object saved as ``name``; ``expected``: the class(es) it must be, else :class:`ModelNotReady`.

    Load only files whose checksum was verified (``ml.modelsets.resolve``): a pickle runs code when loaded.
    """
    path = directory / f"{name}.joblib"
    if not path.exists():
        raise ModelNotReady(name, f"{path} not found, run `python -m ml.train`")
    try:
        obj = joblib.load(path)
    except Exception as exc:  # a corrupt or incompatible pickle: say which, keep the cause
        raise ModelNotReady(name, f"{path} could not be loaded ({type(exc).__name__}: {exc})") from exc
    if expected is not None and not isinstance(obj, expected):
        names = ", ".join(t.__name__ for t in (expected if isinstance(expected, tuple) else (expected,)))
        raise ModelNotReady(name, f"{path} holds a {type(obj).__name__}, not a {names}")
    return obj


def load_metadata(name: str, directory: Path) -> ModelMetadata:
    path = directory / f"{name}.json"
    if not path.exists():
        raise ModelNotReady(name, f"{path} not found")
    try:
        meta = ModelMetadata(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as exc:  # not JSON, or not our fields
        raise ModelNotReady(name, f"{path} is not valid model metadata ({exc})") from exc
    current = runtime_versions()
    for package in ("scikit-learn", "numpy"):
        if meta.versions.get(package) not in (None, current.get(package)):
            log.warning("%s model was trained with %s %s, running %s", name, package,
                        meta.versions.get(package), current.get(package))
    return meta


def is_complete(directory: Path, tasks: tuple[str, ...] | list[str] | None = None) -> bool:
    """True when every task's model (default: all of TASKS), its metadata and the catalogue are on disk.

    A folder of model sets (``ml.modelsets``) is complete when it serves a verified set (a fallback counts);
    ``tasks`` default to the ones that set was trained for.
    """
    from ml import modelsets

    if modelsets.has_sets(directory):
        try:
            served = modelsets.resolve(directory)
        except ModelNotReady:
            return False
        assert served.card is not None
        return is_complete(served.path, tasks if tasks is not None else served.card.tasks)
    tasks = TASKS if tasks is None else tasks
    names = [*tasks, CATALOG]
    return all((directory / f"{n}.joblib").exists() for n in names) and all(
        (directory / f"{t}.json").exists() for t in tasks
    )
