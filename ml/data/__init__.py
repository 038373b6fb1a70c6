"""caddie's data layer: loading, validating, storing and simulating transaction logs.

    >>> from ml.data import load_dataset
    >>> dataset = load_dataset()            # MLSettings(): DATA_SOURCE, DATA_DIR, DATA_COLUMNS...

``DATA_SOURCE`` is ``simulator`` (default), ``online_retail``, ``completejourney``
or the path of a CSV/Parquet file whose columns ``DATA_COLUMNS`` maps.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ml.data.catalog import ProductCatalog, normalize
from ml.data.io import parse_column_mapping, read_transactions
from ml.data.schema import Dataset
from ml.data.simulator import simulate
from ml.data.sources import (
    COMPLETEJOURNEY_PRODUCTS_FILE,
    COMPLETEJOURNEY_TRANSACTIONS_FILE,
    ONLINE_RETAIL_FILE,
    load_completejourney,
    load_online_retail,
)
from ml.data.store import get_engine, load_dataset_from_db, save_dataset
from ml.errors import DataFormatError
from ml.settings import MLSettings

__all__ = [
    "Dataset", "ProductCatalog", "get_engine", "load_completejourney", "load_dataset", "load_dataset_from_db",
    "load_online_retail", "normalize", "parse_column_mapping", "read_transactions", "save_dataset", "simulate",
]

BUILTIN_SOURCES: tuple[str, ...] = ("simulator", "online_retail", "completejourney")


def _missing(path: Path, source: str) -> DataFormatError:
    return DataFormatError(
        f"DATA_SOURCE={source} needs {path.resolve()}, which does not exist; set DATA_DIR to the folder "
        f"holding the public datasets, or DATA_SOURCE=simulator to use simulated data",
        path=str(path))


def load_dataset(settings: MLSettings | None = None) -> Dataset:
    """The dataset ``settings`` selects (``MLSettings()`` when None), validated."""
    settings = settings or MLSettings()
    source = settings.data_source.strip()
    data_dir = Path(settings.data_dir)
    if source.lower() == "simulator":
        end = date.fromisoformat(settings.simulator_end) if settings.simulator_end else None
        return simulate(settings.simulator_customers, settings.simulator_days, end=end, seed=settings.simulator_seed)
    if source.lower() == "online_retail":
        path = data_dir / ONLINE_RETAIL_FILE
        if not path.is_file():
            raise _missing(path, source)
        return load_online_retail(path)
    if source.lower() == "completejourney":
        for name in (COMPLETEJOURNEY_TRANSACTIONS_FILE, COMPLETEJOURNEY_PRODUCTS_FILE):
            if not (data_dir / name).is_file():
                raise _missing(data_dir / name, source)
        return load_completejourney(data_dir)
    path = Path(source).expanduser()
    if not path.is_file():
        raise DataFormatError(
            f"DATA_SOURCE={source!r} is neither one of {', '.join(BUILTIN_SOURCES)} nor an existing file "
            f"(looked for {path.resolve()})", path=str(path))
    return read_transactions(path, settings.data_columns)
