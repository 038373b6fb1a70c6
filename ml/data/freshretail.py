"""FreshRetailNet-50K: real daily sales of 50,000 store x product series in 898 fresh-food stores.

Source and licence: FreshRetailNet-50K by Dingdong-Inc, CC BY 4.0 — *FreshRetailNet-50K: A
Stockout-Annotated Censored Demand Dataset for Latent Demand Recovery and Forecasting in Fresh
Retail*, arXiv:2505.16319. The copy read here (``DATA_DIR/freshretailnet50k/``, see
``PROVENANCE.md`` section 4) holds the train split: 90 days, 2024-03-28 to 2024-06-25, 18 cities.

    >>> dataset = load_freshretailnet("../shared/data/freshretailnet50k", stores=3)

It is a *sales log*: no customers (``customer_id`` <NA>), no prices (``price`` NaN). ``quantity``
is ``sale_amount``, which the publisher normalised (mean 1.00, not units): use scale-free metrics.
Days without sales are left out of ``transactions`` (daily demand fills zeros) but kept in
``signals``, which carries every store x product x day: ``promo`` (activity_flag), ``discount``
(price ratio) and ``stockout_hours`` (stock_hour6_22_cnt: hours out of stock between 6 and 22 h;
those days' sales understate demand). Stores are named "Store 12 (city 4)": the data gives only a
city number and no region. Products are named from their id and three category levels; their
category is the management group.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from ml.data.schema import SIGNAL_COLUMNS, TRANSACTION_COLUMNS, Dataset
from ml.data.stores_table import canonical_stores
from ml.data.validate import canonical_products, validate_dataset
from ml.errors import DataFormatError

FRESHRETAIL_DIR = "freshretailnet50k"
DAILY_FILE = "frn50k_daily.csv.xz"
PRODUCTS_FILE = "frn50k_products.csv"
STORES_FILE = "frn50k_stores.csv"
STORE_DAY_FILE = "frn50k_store_day.csv.xz"  # holidays and weather per store and day (not read yet)
FRESHRETAIL_FILES: tuple[str, ...] = (DAILY_FILE, PRODUCTS_FILE, STORES_FILE)
CHUNK_ROWS = 500_000

_DAILY_DTYPES = {"store_id": "int32", "product_id": "int32", "dt": "category", "sale_amount": "float64",
                 "stock_hour6_22_cnt": "float32", "discount": "float32", "activity_flag": "float32"}


def _read_csv(path: Path, **kwargs) -> pd.DataFrame | Iterator[pd.DataFrame]:
    if not path.is_file():
        raise DataFormatError(f"FreshRetailNet-50K file not found at {path.resolve()}; DATA_DIR selects the folder "
                              f"holding freshretailnet50k/ (or set DATA_SOURCE=simulator)", path=str(path))
    try:
        return pd.read_csv(path, **kwargs)
    except (OSError, ValueError, EOFError) as exc:
        raise DataFormatError(f"cannot read {path}: {exc}", path=str(path)) from exc


def _daily_chunks(path: Path, stores: int | None) -> Iterator[pd.DataFrame]:
    """Chunks of the daily file, limited to its first ``stores`` stores (stops reading once past them
    when the file is sorted by store, as published)."""
    kept: list[int] = []
    last = -1
    sorted_so_far = True
    reader = _read_csv(path, usecols=list(_DAILY_DTYPES), dtype=_DAILY_DTYPES, chunksize=CHUNK_ROWS)
    try:
        for chunk in reader:
            ids = chunk["store_id"].to_numpy()
            sorted_so_far = sorted_so_far and ids[0] >= last and bool((np.diff(ids) >= 0).all())
            last = int(ids[-1])
            if stores is not None:
                for sid in pd.unique(ids):
                    if len(kept) < stores and sid not in kept:
                        kept.append(int(sid))
                chunk = chunk[np.isin(ids, kept)]
            if len(chunk):
                yield chunk
            if stores is not None and len(kept) >= stores and sorted_so_far and last not in kept:
                return
    except (ValueError, KeyError) as exc:
        raise DataFormatError(f"cannot read {path}: {exc}", path=str(path)) from exc
    finally:
        reader.close()


def _compact(chunk: pd.DataFrame) -> pd.DataFrame:
    """A chunk with its dates parsed (once per distinct day)."""
    days = pd.to_datetime(chunk["dt"].cat.categories, format="%Y-%m-%d", errors="coerce")
    if days.isna().any():
        raise DataFormatError(f"FreshRetailNet-50K: unreadable date {chunk['dt'].cat.categories[days.isna()][0]!r}",
                              column="dt")
    return chunk.assign(dt=days.to_numpy()[chunk["dt"].cat.codes.to_numpy()])


def _as_text(values: np.ndarray) -> np.ndarray:
    """Small non-negative integer ids as str objects, one shared object per id (8 bytes a row, not 50)."""
    lookup = np.array([str(v) for v in range(int(values.max()) + 1)], dtype=object)
    return lookup[values]


def _transactions(daily: pd.DataFrame, store_text: np.ndarray, product_text: np.ndarray) -> pd.DataFrame:
    sold = daily["sale_amount"].to_numpy() > 0
    n = int(sold.sum())
    tx = pd.DataFrame({
        "customer_id": pd.Series(pd.NA, index=range(n), dtype=object),
        "product_id": product_text[sold],
        "timestamp": daily["dt"].to_numpy()[sold].astype("datetime64[ns]"),
        "quantity": daily["sale_amount"].to_numpy()[sold].astype("float64"),
        "price": np.full(n, np.nan),
        "store_id": pd.array(store_text[sold], dtype="string"),
        "basket_id": pd.Series(pd.NA, index=range(n), dtype="string"),
    })
    return tx[list(TRANSACTION_COLUMNS)]


def _signals(daily: pd.DataFrame, store_text: np.ndarray, product_text: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({
        "store_id": store_text,
        "product_id": product_text,
        "date": daily["dt"].to_numpy().astype("datetime64[ns]"),
        "promo": daily["activity_flag"].to_numpy().astype("float64"),
        "discount": daily["discount"].to_numpy().astype("float64"),
        "stockout_hours": daily["stock_hour6_22_cnt"].to_numpy().astype("float64"),
    })[list(SIGNAL_COLUMNS)]


def _products(path: Path, used: set[str]) -> pd.DataFrame:
    raw = _read_csv(path, dtype=str, keep_default_na=False)
    levels = ["management_group_id", "first_category_id", "second_category_id", "third_category_id"]
    missing = [c for c in ["product_id", *levels] if c not in raw.columns]
    if missing:
        raise DataFormatError(f"column {missing[0]!r} is missing from {path}", path=str(path), column=missing[0])
    raw = raw[raw["product_id"].str.strip().isin(used)].drop_duplicates("product_id")
    pid = raw["product_id"].str.strip()
    known = pd.DataFrame({
        "product_id": pid,
        "name": "Product " + pid + " (category " + raw["first_category_id"] + "/" + raw["second_category_id"]
        + "/" + raw["third_category_id"] + ")",
        "category": ("group " + raw["management_group_id"]).where(raw["management_group_id"].ne(""),
                                                                  "category " + raw["first_category_id"]),
        "aliases": "",
    })
    absent = sorted(used - set(pid), key=int)
    extra = pd.DataFrame({"product_id": absent, "name": [f"Product {p}" for p in absent], "category": pd.NA,
                          "aliases": ""})
    return canonical_products(pd.concat([known, extra], ignore_index=True) if absent else known)


def _stores(path: Path, used: set[str]) -> pd.DataFrame:
    raw = _read_csv(path, dtype=str, keep_default_na=False)
    if not {"store_id", "city_id"} <= set(raw.columns):
        raise DataFormatError(f"{path} needs columns store_id, city_id", path=str(path), column="city_id")
    raw = raw.assign(store_id=raw["store_id"].str.strip(), city_id=raw["city_id"].str.strip())
    raw = raw[raw["store_id"].isin(used)].drop_duplicates("store_id")
    absent = sorted(used - set(raw["store_id"]), key=int)
    raw = pd.concat([raw, pd.DataFrame({"store_id": absent, "city_id": ""})], ignore_index=True)
    city = ("city " + raw["city_id"]).where(raw["city_id"].ne(""), pd.NA)
    name = "Store " + raw["store_id"] + (" (" + city + ")").fillna("")
    stores = pd.DataFrame({"store_id": raw["store_id"], "name": name, "city": city})
    return canonical_stores(stores.sort_values("store_id", key=lambda s: s.astype(int), ignore_index=True))


def load_freshretailnet(data_dir: str | Path, *, stores: int | None = None) -> Dataset:
    """The FreshRetailNet-50K sales log in ``data_dir`` (its first ``stores`` stores when given), validated."""
    data_dir = Path(data_dir)
    if stores is not None and stores < 1:
        raise ValueError("stores must be positive")
    chunks = [_compact(chunk) for chunk in _daily_chunks(data_dir / DAILY_FILE, stores)]
    if not chunks:
        raise DataFormatError(f"{data_dir / DAILY_FILE} holds no sales", path=str(data_dir / DAILY_FILE))
    daily = pd.concat(chunks, ignore_index=True)
    del chunks
    store_text = _as_text(daily["store_id"].to_numpy())
    product_text = _as_text(daily["product_id"].to_numpy())
    transactions = _transactions(daily, store_text, product_text)
    signals = _signals(daily, store_text, product_text)
    used_products, used_stores = set(product_text), set(store_text)
    del daily
    dataset = Dataset("freshretailnet50k", transactions, _products(data_dir / PRODUCTS_FILE, used_products),
                      country="CN", stores=_stores(data_dir / STORES_FILE, used_stores), signals=signals)
    return validate_dataset(dataset)
