"""caddie's data layer: loading, validating, storing and simulating transaction logs and sales logs.

    >>> from ml.data import load_dataset
    >>> dataset = load_dataset()            # MLSettings(): DATA_SOURCE, DATA_DIR, DATA_COLUMNS, STORES_FILE...

``DATA_SOURCE`` is ``simulator`` (default), ``online_retail``, ``completejourney``,
``freshretailnet`` or the path of a CSV/Parquet file whose columns ``DATA_COLUMNS``
maps. ``STORES_FILE`` names a stores table (CSV) for any of them. Every dataset is
checked against the plausibility settings (MAX_QUANTITY, MAX_PRICE, MIN_DATE,
MAX_FUTURE_DAYS, DUPLICATE_ROWS, MAX_ROWS, MAX_FILE_BYTES) before it is returned.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from ml.data.catalog import ProductCatalog, normalize
from ml.data.freshretail import FRESHRETAIL_DIR, FRESHRETAIL_FILES, load_freshretailnet
from ml.data.io import parse_column_mapping, read_transactions
from ml.data.limits import Limits
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
from ml.data.stores import StoreCatalog
from ml.data.stores_table import read_stores
from ml.data.validate import validate_dataset
from ml.errors import DataFormatError
from ml.settings import MLSettings

__all__ = [
    "Dataset", "Limits", "ProductCatalog", "StoreCatalog", "get_engine", "load_completejourney", "load_dataset",
    "load_dataset_from_db", "load_freshretailnet", "load_online_retail", "normalize", "parse_column_mapping",
    "read_stores", "read_transactions", "save_dataset", "simulate",
]

BUILTIN_SOURCES: tuple[str, ...] = ("simulator", "online_retail", "completejourney", "freshretailnet")


def _missing(path: Path, source: str) -> DataFormatError:
    return DataFormatError(
        f"DATA_SOURCE={source} needs {path.resolve()}, which does not exist; set DATA_DIR to the folder "
        f"holding the public datasets, or DATA_SOURCE=simulator to use simulated data",
        path=str(path))


def _builtin(source: str, data_dir: Path) -> Dataset:
    if source == "online_retail":
        path = data_dir / ONLINE_RETAIL_FILE
        if not path.is_file():
            raise _missing(path, source)
        return load_online_retail(path)
    if source == "completejourney":
        for name in (COMPLETEJOURNEY_TRANSACTIONS_FILE, COMPLETEJOURNEY_PRODUCTS_FILE):
            if not (data_dir / name).is_file():
                raise _missing(data_dir / name, source)
        return load_completejourney(data_dir)
    folder = data_dir / FRESHRETAIL_DIR
    for name in FRESHRETAIL_FILES:
        if not (folder / name).is_file():
            raise _missing(folder / name, source)
    return load_freshretailnet(folder)


def load_dataset(settings: MLSettings | None = None) -> Dataset:
    """The dataset ``settings`` selects (``MLSettings()`` when None), validated against its limits."""
    settings = settings or MLSettings()
    source = settings.data_source.strip()
    limits = Limits.from_settings(settings)
    stores = read_stores(settings.stores_file, settings.stores_columns) if settings.stores_file else None
    if source.lower() == "simulator":
        end = date.fromisoformat(settings.simulator_end) if settings.simulator_end else None
        dataset = simulate(settings.simulator_customers, settings.simulator_days, end=end, seed=settings.simulator_seed)
        limits = replace(limits, today=max(date.today(), dataset.end))  # a demo may simulate days ahead
        return validate_dataset(dataset if stores is None else replace(dataset, stores=stores), limits)
    if source.lower() in BUILTIN_SOURCES:
        dataset = _builtin(source.lower(), Path(settings.data_dir))
        if stores is None and limits == Limits():
            return dataset  # already validated against the default limits
        return validate_dataset(dataset if stores is None else replace(dataset, stores=stores), limits)
    path = Path(source).expanduser()
    if not path.is_file():
        raise DataFormatError(
            f"DATA_SOURCE={source!r} is neither one of {', '.join(BUILTIN_SOURCES)} nor an existing file "
            f"(looked for {path.resolve()})", path=str(path))
    return read_transactions(path, settings.data_columns, limits=limits, stores=stores)
