"""The stock position per store x product: CSV import (validated, all or nothing) and the ``stock`` table.

CSV columns (``;`` or ``,`` separated, header row first)::

    store_id,product_id,on_hand,on_order,as_of
    lyon-part-dieu,P001,42,12,2024-06-30 20:00
    lyon-part-dieu,P012,0,,30/06/2024

``on_order`` may be left out or empty (nothing on order); ``store_id`` may be left out when the data has a
single store. Every import replaces the whole snapshot of the dataset in one database transaction: a file
with one bad value imports nothing and the previous snapshot stays.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ml.data.schema import DEFAULT_STORE_ID, STOCK_COLUMNS
from ml.data.store import _insert, create_tables, get_engine, load_dataset_from_db, metadata
from ml.data.validate import clean_ids, parse_numbers, parse_timestamps
from ml.errors import DataFormatError, DataValidationError

stock_table = sa.Table(
    "stock", metadata,
    sa.Column("dataset", sa.String(200), primary_key=True),
    sa.Column("store_id", sa.String(100), primary_key=True),
    sa.Column("product_id", sa.String(100), primary_key=True),
    sa.Column("on_hand", sa.Float, nullable=False),
    sa.Column("on_order", sa.Float, nullable=False),
    sa.Column("as_of", sa.DateTime, nullable=False),
)


def read_stock_csv(path: str | Path) -> pd.DataFrame:
    """The raw text cells of a stock file, columns lower-cased and stripped (index = 0-based data row)."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, sep=None, engine="python")
    except FileNotFoundError as exc:
        raise DataFormatError(f"stock file {path} does not exist", path=str(path)) from exc
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise DataFormatError(f"cannot read stock file {path}: {exc}", path=str(path)) from exc
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    return raw


def _fail(problem: str, position: int, column: str, value: object, n_bad: int, total: int, path: str | None):
    row = position + 1
    where = f" in {path}" if path else ""
    more = f"; {n_bad} rows of {total} have invalid values" if n_bad > 1 else ""
    raise DataValidationError(f"row {row}, column {column!r}: {value!r} {problem}{where}{more}",
                              row=row, column=column, value=value, n_bad_rows=n_bad)


def _on_order(raw: pd.DataFrame) -> pd.Series | float:
    """Units on order; an absent column or an empty cell is nothing on order."""
    if "on_order" not in raw:
        return 0.0
    text = raw["on_order"].astype("string").str.strip().fillna("")
    return parse_numbers(text.where(text.ne(""), "0"))


def coerce_stock(raw: pd.DataFrame, stores: Iterable[str], products: Iterable[str],
                 path: str | None = None) -> pd.DataFrame:
    """Validate raw stock rows (text cells) against the known stores and products; STOCK_COLUMNS or raise.

    The first bad value by row order is reported (row 1-based, header excluded), with how many rows are bad.
    """
    stores, products = set(map(str, stores)), set(map(str, products))
    columns = ["product_id", "on_hand", "as_of"] + ([] if len(stores) == 1 else ["store_id"])
    missing = [c for c in columns if c not in raw.columns]
    if missing:
        raise DataFormatError(f"column {missing[0]!r} is missing" + (f" from {path}" if path else "")
                              + f"; the file has: {', '.join(map(str, raw.columns)) or '(no columns)'}",
                              path=path, column=missing[0])
    if raw.empty:
        raise DataFormatError("the stock file has no rows" + (f": {path}" if path else ""), path=path)
    only_store = next(iter(stores)) if len(stores) == 1 else DEFAULT_STORE_ID
    out = pd.DataFrame({
        "store_id": clean_ids(raw["store_id"]) if "store_id" in raw else only_store,
        "product_id": clean_ids(raw["product_id"]),
        "on_hand": parse_numbers(raw["on_hand"]),
        "on_order": _on_order(raw),
        "as_of": parse_timestamps(raw["as_of"]),
    }, index=raw.index)
    duplicated = out.duplicated(["store_id", "product_id"], keep="first")
    checks = [  # (column, bad mask, problem), in the order columns are reported within a row
        ("store_id", ~out["store_id"].isin(stores), "is not a known store"),
        ("product_id", ~out["product_id"].isin(products), "is not a known product"),
        ("product_id", duplicated, "appears twice for this store (one row per store and product)"),
        ("on_hand", ~(out["on_hand"].ge(0) & np.isfinite(out["on_hand"])), "is not a number >= 0"),
        ("on_order", ~(out["on_order"].ge(0) & np.isfinite(out["on_order"])), "is not a number >= 0"),
        ("as_of", out["as_of"].isna(), "is not a date (expected YYYY-MM-DD or DD/MM/YYYY)"),
    ]
    bad = np.column_stack([mask.to_numpy(bool) for _, mask, _ in checks])
    rows_bad = bad.any(axis=1)
    if rows_bad.any():
        position = int(np.flatnonzero(rows_bad)[0])
        column, _, problem = checks[int(np.flatnonzero(bad[position])[0])]
        value = raw[column].iat[position] if column in raw else out[column].iat[position]
        if column == "store_id" and value == "":
            problem = "is empty (every row needs a store id)"
        _fail(problem, position, column, value, int(rows_bad.sum()), len(raw), path)
    return out.reset_index(drop=True)[list(STOCK_COLUMNS)]


def save_stock(engine_or_url: Engine | str, dataset: str, stock: pd.DataFrame) -> int:
    """Replace the stock snapshot of ``dataset`` with ``stock`` (STOCK_COLUMNS) in one transaction."""
    engine = get_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    create_tables(engine)
    frame = stock[list(STOCK_COLUMNS)].copy()
    frame.insert(0, "dataset", dataset)
    with engine.begin() as connection:
        connection.execute(stock_table.delete().where(stock_table.c.dataset == dataset))
        _insert(frame, stock_table, connection)
    return len(frame)


def load_stock(engine_or_url: Engine | str, dataset: str) -> pd.DataFrame:
    """The stock snapshot of ``dataset`` (STOCK_COLUMNS; empty when none was imported)."""
    engine = get_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    create_tables(engine)
    columns = [stock_table.c[c] for c in STOCK_COLUMNS]
    query = sa.select(*columns).where(stock_table.c.dataset == dataset).order_by(
        stock_table.c.store_id, stock_table.c.product_id)
    with engine.connect() as connection:
        frame = pd.read_sql(query, connection)
    frame["store_id"] = frame["store_id"].astype(str)
    frame["product_id"] = frame["product_id"].astype(str)
    frame["on_hand"] = frame["on_hand"].astype("float64")
    frame["on_order"] = frame["on_order"].astype("float64")
    frame["as_of"] = pd.to_datetime(frame["as_of"]).astype("datetime64[ns]")
    return frame


def known_stores_and_products(engine_or_url: Engine | str, dataset: str | None = None) -> tuple[str, set, set]:
    """(dataset name, its store ids, its product ids) from the dataset stored in the database."""
    data = load_dataset_from_db(engine_or_url, dataset)
    stores = set(data.transactions["store_id"].fillna(DEFAULT_STORE_ID).astype(str))
    if data.stores is not None:
        stores |= set(data.stores["store_id"].astype(str))
    return data.name, stores, set(data.products["product_id"].astype(str))


def import_stock(path: str | Path, engine_or_url: Engine | str, dataset: str | None = None,
                 stores: Iterable[str] | None = None, products: Iterable[str] | None = None) -> int:
    """Validate a stock CSV and make it the dataset's stock snapshot, all or nothing. Returns the rows stored.

    Stores and products are checked against the dataset stored in the database (the latest one when
    ``dataset`` is None) unless both lists are given (then ``dataset`` names the snapshot).
    """
    if stores is None or products is None:
        name, known_stores, known_products = known_stores_and_products(engine_or_url, dataset)
        stores = known_stores if stores is None else stores
        products = known_products if products is None else products
    else:
        name = dataset or "default"
    stock = coerce_stock(read_stock_csv(path), stores, products, path=str(path))
    return save_stock(engine_or_url, name, stock)
