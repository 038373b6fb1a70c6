"""Type coercion and validation of transaction logs, before anything is stored.

Everything here is a pure function of DataFrames. A raw frame holds the source
file's values (usually text) under canonical column names; its index is the
0-based position of each data row in the source file, so a bad value can be
reported as "row N" (1-based, header excluded) exactly as a spreadsheet user
would count it.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from ml.data.limits import Limits, first_true, implausible, problem
from ml.data.schema import (
    DEFAULT_STORE_ID,
    PRODUCT_COLUMNS,
    REQUIRED_SALES_COLUMNS,
    TRANSACTION_COLUMNS,
    Dataset,
)
from ml.data.stores_table import check_stores, derive_stores
from ml.errors import DataFormatError, DataValidationError


# Day-first formats tried, in order, on the values that are not ISO 8601.
_DAYFIRST_FORMATS: tuple[str, ...] = (
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y",
    "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y",
    "%d.%m.%Y", "%d/%m/%y",
)
_MONTHFIRST_FORMATS: tuple[str, ...] = tuple(f.replace("%d", "%D").replace("%m", "%d").replace("%D", "%m")
                                              for f in _DAYFIRST_FORMATS)
_NUMERIC_DATE = r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}"
_UTC_OFFSET = r"(?<=\d)\s*(?:Z|[+-]\d{2}:?\d{2})$"
_FAST_TEXT = "string[pyarrow]"  # text operations vectorised by Arrow: ~10x faster than Python strings
_CHECK_ORDER: tuple[str, ...] = ("customer_id", "product_id", "timestamp", "quantity", "price", "store_id")
_PROBLEMS: dict[str, str] = {
    "customer_id": "is empty (an anonymous ticket's customer is <NA>, not an empty text)",
    "product_id": "is empty (every line needs a product id)",
    "timestamp": "is not a date (expected YYYY-MM-DD or DD/MM/YYYY)",
    "quantity": "is not a positive number",
    "price": "is not a number >= 0",
    "store_id": "is empty (the data has a store column: every line needs its store)",
}


def clean_ids(values: pd.Series) -> pd.Series:
    """Identifiers as stripped text (``12583.0``, a float-typed integer id, becomes ``12583``; missing -> "")."""
    if pd.api.types.is_float_dtype(values) and values.dropna().eq(values.dropna().round()).all():
        values = values.astype("Int64")
    text = values.astype(_FAST_TEXT).fillna("").str.strip()
    dotted = text.str.contains(".", regex=False)
    if dotted.any():
        text = text.where(~dotted, text[dotted].str.replace(r"^(\d+)\.0+$", r"\1", regex=True))
    return text.astype(object)


def parse_numbers(values: pd.Series) -> pd.Series:
    """Numbers as float64 (NaN when unparseable); a lone decimal comma (``1,5``) is accepted."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype("float64")
    text = values.astype(_FAST_TEXT).str.strip()
    comma = text.str.match(r"^[+-]?\d*,\d+$").fillna(False).astype(bool)
    if comma.any():
        text = text.where(~comma, text[comma].str.replace(",", ".", regex=False))
    return pd.to_numeric(text, errors="coerce").astype("float64")


def date_order(values: pd.Series) -> bool | None:
    """True when numeric dates (``12/15/2010``) are month-first, False when day-first, None when both fit.

    A first number above 12 anywhere means day-first; otherwise a second number
    above 12 means month-first.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        return None
    text = values.astype(_FAST_TEXT).str.strip()
    numeric = text.str.match(_NUMERIC_DATE).fillna(False).astype(bool)
    if not numeric.any():
        return None
    parts = text[numeric].str.extract(_NUMERIC_DATE).dropna().astype(int)
    if (parts[0] > 12).any():
        return False
    return True if (parts[1] > 12).any() else None


def month_first(text: pd.Series) -> bool:
    """True when a column's numeric dates are month-first, judged on the whole column (see
    :func:`date_order`); a column where both readings fit is read day-first, the French way."""
    return bool(date_order(text))


def numeric_dates(values: pd.Series) -> pd.Series:
    """Mask of the values written as numeric dates (``05/07/2024``), whose reading depends on the order."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return pd.Series(False, index=values.index)
    return values.astype(_FAST_TEXT).str.strip().str.match(_NUMERIC_DATE).fillna(False).astype(bool)


def swap_day_month(stamps: pd.Series, mask) -> pd.Series:
    """``stamps`` with day and month exchanged where ``mask`` (dates read day-first that were month-first)."""
    mask = np.asarray(mask, dtype=bool) & stamps.notna().to_numpy()
    if not mask.any():
        return stamps
    picked = stamps[mask]
    swapped = pd.to_datetime(pd.DataFrame({"year": picked.dt.year, "month": picked.dt.day, "day": picked.dt.month}),
                             errors="coerce") + (picked - picked.dt.normalize())
    out = stamps.copy()
    out[mask] = swapped.astype("datetime64[ns]")
    return out


def parse_timestamps(values: pd.Series, month_first_order: bool | None = None) -> pd.Series:
    """Dates as naive datetime64[ns]: ISO 8601 first, then ``31/12/2024`` forms (month-first
    ``12/31/2024`` when ``month_first_order`` is True, or when it is None and the column says so, see
    :func:`month_first`). NaT when unparseable."""
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) is not None else values
        return parsed.astype("datetime64[ns]")
    text = values.astype(_FAST_TEXT).str.strip()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", FutureWarning)
            parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
    except (FutureWarning, ValueError, TypeError):  # mixed UTC offsets: keep each value's wall-clock time
        text = text.astype("string").str.replace(_UTC_OFFSET, "", regex=True)  # look-behind: Python regex
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
    if month_first_order is None:
        month_first_order = month_first(text)
    for fmt in _MONTHFIRST_FORMATS if month_first_order else _DAYFIRST_FORMATS:
        missing = parsed.isna() & text.notna() & text.ne("")
        if not missing.any():
            break
        parsed = parsed.where(~missing, pd.to_datetime(text[missing], format=fmt, errors="coerce"))
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed.astype("datetime64[ns]")


def _optional_text(values: pd.Series) -> pd.Series:
    text = clean_ids(values)
    return text.where(text.ne(""), pd.NA).astype("string")


def _missing_column(raw: pd.DataFrame, source_columns: Mapping[str, str], path: str | None) -> None:
    missing = [c for c in REQUIRED_SALES_COLUMNS if c not in raw.columns]
    if missing:
        column = missing[0]
        wanted = source_columns.get(column, column)
        raise DataFormatError(
            f"column {wanted!r} ({column}) is missing"
            + (f" from {path}" if path else "")
            + f"; the file has: {', '.join(map(str, raw.columns)) or '(no columns)'}",
            path=path, column=wanted,
        )


def _coerced(raw: pd.DataFrame, month_first_order: bool | None) -> pd.DataFrame:
    """Canonical columns of ``raw``; optional columns it lacks are filled (no customer, no price, one store)."""
    out = pd.DataFrame(index=raw.index)
    out["customer_id"] = (_optional_text(raw["customer_id"]).astype(object) if "customer_id" in raw.columns
                          else pd.Series(pd.NA, index=raw.index, dtype=object))
    out["product_id"] = clean_ids(raw["product_id"])
    out["timestamp"] = parse_timestamps(raw["timestamp"], month_first_order)
    out["quantity"] = parse_numbers(raw["quantity"])
    out["price"] = parse_numbers(raw["price"]) if "price" in raw.columns else np.nan
    out["store_id"] = (_optional_text(raw["store_id"]) if "store_id" in raw.columns
                       else pd.Series(DEFAULT_STORE_ID, index=raw.index, dtype="string"))
    out["basket_id"] = (_optional_text(raw["basket_id"]) if "basket_id" in raw.columns
                        else pd.Series(pd.NA, index=raw.index, dtype="string"))
    return out


def coerce_transactions(raw: pd.DataFrame, source_columns: Mapping[str, str] | None = None,
                        path: str | None = None, limits: Limits | None = None,
                        month_first: bool | None = None) -> pd.DataFrame:
    """Coerce a raw frame (canonical column names) to the canonical schema, or raise.

    Only product_id, timestamp and quantity are required: without customer_id the
    rows are a sales log (customer <NA>), without price the price is NaN, without
    store_id every row is the one store ``DEFAULT_STORE_ID``. An empty customer id
    is an anonymous ticket (<NA>). Raises :class:`DataFormatError` when a required
    column is absent and :class:`DataValidationError` for the first bad value (by
    source row), with the number of rows holding any bad value; values breaking
    ``limits`` (default :class:`Limits`) are bad too. ``month_first`` fixes how
    numeric dates are read (None: judged on this frame). ``source_columns`` maps
    canonical names to the names the user's file uses, for the messages.
    """
    source_columns = dict(source_columns or {})
    limits = limits or Limits()
    _missing_column(raw, source_columns, path)
    out = _coerced(raw, month_first)
    bounds = implausible(out, limits)
    bad = {
        "product_id": out["product_id"].eq(""),
        "timestamp": out["timestamp"].isna() | bounds["timestamp"],
        "quantity": ~(out["quantity"].gt(0) & np.isfinite(out["quantity"])) | bounds["quantity"],
        "store_id": out["store_id"].isna(),
    }
    if "price" in raw.columns:
        bad["price"] = ~(out["price"].ge(0) & np.isfinite(out["price"])) | bounds["price"]
    found = first_true(bad, _CHECK_ORDER)
    if found is not None:
        position, column, n_bad = found
        label = raw.index[position]
        row = int(label) + 1 if isinstance(label, (int, np.integer)) else position + 1
        value = raw[column].iat[position]
        value = None if pd.isna(value) else value
        plausible = not bounds.get(column, pd.Series(False, index=raw.index)).iat[position]
        reason = _PROBLEMS[column] if plausible else problem(column, out[column].iat[position], limits)
        shown = source_columns.get(column, column)
        raise DataValidationError(
            f"row {row}, column {shown!r}: {value!r} {reason}"
            + (f" in {path}" if path else "")
            + f"; {n_bad} row{'s' if n_bad > 1 else ''} of {len(raw)} have invalid values",
            row=row, column=shown, value=value, n_bad_rows=n_bad,
        )
    return out.reset_index(drop=True)[list(TRANSACTION_COLUMNS)]


def derive_products(transactions: pd.DataFrame, names: pd.Series | None = None,
                    categories: pd.Series | None = None) -> pd.DataFrame:
    """The products table of a log: the most frequent name (and category) of each product id.

    ``names``/``categories`` are aligned with ``transactions``; without names the
    product id is its name. Other names seen for a product become its aliases.
    """
    ids = transactions["product_id"].reset_index(drop=True)
    if names is None:
        products = pd.DataFrame({"product_id": pd.unique(ids)})
        products["name"] = products["product_id"]
        products["aliases"] = ""
    else:
        text = names.reset_index(drop=True).astype(_FAST_TEXT).fillna("").str.strip()
        pairs = pd.DataFrame({"product_id": ids, "name": text})
        pairs = pairs[pairs["name"].ne("")]
        counts = pairs.value_counts(["product_id", "name"]).reset_index(name="n")
        counts = counts.sort_values(["product_id", "n", "name"], ascending=[True, False, True])
        best = counts.drop_duplicates("product_id")[["product_id", "name"]]
        others = counts[~counts.index.isin(best.index)].groupby("product_id")["name"].agg(
            lambda s: "|".join(s.head(3)))
        products = pd.DataFrame({"product_id": pd.unique(ids)}).merge(best, on="product_id", how="left")
        products["name"] = products["name"].fillna(products["product_id"])
        products["aliases"] = products["product_id"].map(others).fillna("")
    if categories is None:
        products["category"] = pd.NA
    else:
        cats = pd.DataFrame({"product_id": ids,
                             "category": categories.reset_index(drop=True).astype(_FAST_TEXT).str.strip()})
        cats = cats[cats["category"].notna() & cats["category"].ne("")]
        top = cats.value_counts(["product_id", "category"]).reset_index(name="n")
        top = top.sort_values(["product_id", "n"], ascending=[True, False]).drop_duplicates("product_id")
        products["category"] = products["product_id"].map(top.set_index("product_id")["category"])
    return canonical_products(products)


def canonical_products(products: pd.DataFrame) -> pd.DataFrame:
    """Products in canonical column order and types (``category`` may be <NA>, ``aliases`` may be "")."""
    out = pd.DataFrame({
        "product_id": clean_ids(products["product_id"]),
        "name": products["name"].astype("string").fillna("").str.strip().astype(object),
        "category": (products["category"] if "category" in products else pd.Series(pd.NA, index=products.index))
        .astype("string"),
        "aliases": (products["aliases"] if "aliases" in products else pd.Series("", index=products.index))
        .astype("string").fillna("").astype(object),
    })
    out["name"] = out["name"].where(out["name"].ne(""), out["product_id"])
    return out.reset_index(drop=True)[list(PRODUCT_COLUMNS)]


def _check_columns(dataset: Dataset) -> None:
    tx, products = dataset.transactions, dataset.products
    absent = [c for c in TRANSACTION_COLUMNS if c not in tx.columns]
    if absent:
        raise DataFormatError(f"dataset {dataset.name!r} lacks transaction column {absent[0]!r}", column=absent[0])
    absent = [c for c in PRODUCT_COLUMNS if c not in products.columns]
    if absent:
        raise DataFormatError(f"dataset {dataset.name!r} lacks product column {absent[0]!r}", column=absent[0])
    if tx.empty:
        raise DataFormatError(f"dataset {dataset.name!r} has no transactions")
    if not pd.api.types.is_datetime64_ns_dtype(tx["timestamp"]):
        raise DataFormatError(f"dataset {dataset.name!r}: timestamp is {tx['timestamp'].dtype}, not datetime64[ns]",
                              column="timestamp")


def _empty_text(values: pd.Series) -> pd.Series:
    """Mask of the empty texts of an id column (missing values are not empty texts)."""
    return values.eq("").fillna(False).astype(bool)


def _check_values(dataset: Dataset, limits: Limits) -> None:
    tx = dataset.transactions
    bounds = implausible(tx, limits)
    price = tx["price"]
    checks = {
        "customer_id": _empty_text(tx["customer_id"]),
        "product_id": tx["product_id"].isna() | _empty_text(tx["product_id"]),
        "timestamp": tx["timestamp"].isna() | bounds["timestamp"],
        "quantity": ~(tx["quantity"].gt(0) & np.isfinite(tx["quantity"])) | bounds["quantity"],
        "price": price.notna() & ~(price.ge(0) & np.isfinite(price)) | bounds["price"],  # NaN: price unknown
        "store_id": _empty_text(tx["store_id"]),
    }
    found = first_true(checks, _CHECK_ORDER)
    if found is not None:
        position, column, _ = found
        value = tx[column].iat[position]
        broken = column in bounds and bool(bounds[column].iat[position])
        reason = problem(column, value, limits) if broken else _PROBLEMS[column]
        raise DataValidationError(
            f"dataset {dataset.name!r}: row {position + 1}, column {column!r}: {value!r} {reason}",
            row=position + 1, column=column, value=value, n_bad_rows=int(checks[column].sum()))


def _check_products(dataset: Dataset) -> None:
    tx, products = dataset.transactions, dataset.products
    if products["product_id"].duplicated().any():
        dup = products.loc[products["product_id"].duplicated(), "product_id"].iat[0]
        raise DataValidationError(f"dataset {dataset.name!r}: product {dup!r} appears twice in the products table",
                                  column="product_id", value=dup)
    unknown = ~tx["product_id"].isin(products["product_id"])
    if unknown.any():
        position = int(np.flatnonzero(unknown.to_numpy())[0])
        raise DataValidationError(
            f"dataset {dataset.name!r}: product {tx['product_id'].iat[position]!r} is not in the products table",
            row=position + 1, column="product_id", value=tx["product_id"].iat[position],
            n_bad_rows=int(unknown.sum()))


def validate_dataset(dataset: Dataset, limits: Limits | None = None) -> Dataset:
    """Check a dataset against the canonical schema and ``limits`` (types, ranges, product and store references).

    Returns it with ``store_id`` filled (a log without stores is the one store
    ``DEFAULT_STORE_ID``) and ``stores`` set (derived from the store ids when no
    table is given); everything else unchanged. Raises :class:`DataValidationError`
    naming the row and column of the first bad value.
    """
    limits = limits or Limits()
    _check_columns(dataset)
    tx = dataset.transactions
    if tx["store_id"].isna().any() or tx["store_id"].dtype != "string":
        tx = tx.assign(store_id=tx["store_id"].astype("string").fillna(DEFAULT_STORE_ID))
        dataset = replace(dataset, transactions=tx)
    _check_values(dataset, limits)
    _check_products(dataset)
    stores = derive_stores(tx["store_id"]) if dataset.stores is None else dataset.stores
    stores = check_stores(stores, tx["store_id"], dataset.name)
    return replace(dataset, stores=stores)
