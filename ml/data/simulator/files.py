"""Writing a simulated dataset's tables as the CSV files a chain would export.

    stock.csv         store_id,product_id,on_hand,on_order,as_of      (as_of: YYYY-MM-DD)
    stores.csv        store_id,name,city,region,format,zone
    transactions.csv  customer_id,product_id,timestamp,quantity,price,store_id,basket_id
    signals.csv       store_id,product_id,date,promo,discount,stockout_hours
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ml.data.schema import SIGNAL_COLUMNS, STOCK_COLUMNS, STORE_COLUMNS, TRANSACTION_COLUMNS, Dataset


def _write(frame: pd.DataFrame | None, path: str | Path, what: str) -> Path:
    if frame is None:
        raise ValueError(f"this dataset has no {what} table")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    frame.to_csv(tmp, index=False, date_format="%Y-%m-%d")
    tmp.replace(path)  # never a half-written file under the final name
    return path


def write_stock_csv(dataset: Dataset, path: str | Path) -> Path:
    """The stock position as store_id,product_id,on_hand,on_order,as_of (the format the stock import reads)."""
    return _write(None if dataset.stock is None else dataset.stock[list(STOCK_COLUMNS)], path, "stock")


def write_stores_csv(dataset: Dataset, path: str | Path) -> Path:
    """The stores table as store_id,name,city,region,format,zone."""
    return _write(None if dataset.stores is None else dataset.stores[list(STORE_COLUMNS)], path, "stores")


def write_signals_csv(dataset: Dataset, path: str | Path) -> Path:
    """The daily promotion and stock-out signals (future days included)."""
    return _write(None if dataset.signals is None else dataset.signals[list(SIGNAL_COLUMNS)], path, "signals")


def write_transactions_csv(dataset: Dataset, path: str | Path) -> Path:
    """The transactions, timestamps as ISO 8601; anonymous sales have an empty customer_id."""
    frame = dataset.transactions[list(TRANSACTION_COLUMNS)]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    frame.to_csv(tmp, index=False, date_format="%Y-%m-%d %H:%M:%S")
    tmp.replace(path)
    return path
