"""Reading a transaction log from a user's file (CSV, CSV.gz/.xz/.bz2/.zip, Parquet).

    >>> mapping = parse_column_mapping("customer_id=Client,product_id=EAN")
    >>> dataset = read_transactions("ventes.csv", mapping)

The file is read whole, mapped to canonical column names, coerced and
validated (:mod:`ml.data.validate`) before a :class:`Dataset` is returned, so a
bad file never reaches the database.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import pandas as pd

from ml.data.limits import Limits, handle_duplicates
from ml.data.reader import CHUNK_ROWS, csv_chunks, read_parquet_capped
from ml.data.schema import REQUIRED_SALES_COLUMNS, TRANSACTION_COLUMNS, Dataset
from ml.data.validate import (
    coerce_transactions,
    date_order,
    derive_products,
    numeric_dates,
    swap_day_month,
    validate_dataset,
)
from ml.errors import DataFormatError

# Columns a mapping may name: the canonical transaction columns plus product descriptors.
MAPPABLE_COLUMNS: tuple[str, ...] = (*TRANSACTION_COLUMNS, "name", "category")


def parse_column_mapping(text: str) -> dict[str, str]:
    """Parse ``"customer_id=Client,product_id=EAN"`` into ``{"customer_id": "Client", "product_id": "EAN"}``.

    Blank text gives ``{}``. Raises :class:`DataFormatError` for a malformed pair
    or a canonical name caddie does not know.
    """
    mapping: dict[str, str] = {}
    for pair in (part.strip() for part in text.replace(";", ",").split(",")):
        if not pair:
            continue
        canonical, sep, source = (s.strip() for s in pair.partition("="))
        if not sep or not canonical or not source:
            raise DataFormatError(f"column mapping {pair!r} is not of the form canonical=SourceColumn")
        mapping[canonical] = source
    check_mapping(mapping)
    return mapping


def check_mapping(mapping: Mapping[str, str]) -> None:
    unknown = [key for key in mapping if key not in MAPPABLE_COLUMNS]
    if unknown:
        raise DataFormatError(
            f"unknown column {unknown[0]!r} in the column mapping; known: {', '.join(MAPPABLE_COLUMNS)}",
            column=unknown[0])


def _check_path(path: Path) -> list[str]:
    if not path.is_file():
        raise DataFormatError(f"file not found: {path}", path=str(path))
    suffixes = [s.lower() for s in path.suffixes]
    if ".xlsx" in suffixes or ".xls" in suffixes:
        raise DataFormatError(f"{path.name}: save the sheet as CSV (UTF-8) first", path=str(path))
    return suffixes


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Drops a leading unnamed index column (written by ``DataFrame.to_csv``); strips column names."""
    first = str(frame.columns[0]) if len(frame.columns) else ""
    if first == "" or first.startswith("Unnamed: 0"):
        frame = frame.drop(columns=frame.columns[0])
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def table_chunks(path: str | Path, limits: Limits | None = None,
                 chunk_rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """The file's rows as text (CSV) or native types (Parquet), in chunks; index = 0-based data row.

    Reading stops with a :class:`DataFormatError` past ``limits.max_file_bytes``
    (decompressed) or ``limits.max_rows``; invalid bytes raise a
    :class:`DataValidationError` naming their row.
    """
    path, limits = Path(path), limits or Limits()
    suffixes = _check_path(path)
    if ".parquet" in suffixes or ".pq" in suffixes:
        yield _tidy(read_parquet_capped(path, limits)).reset_index(drop=True)
        return
    for chunk in csv_chunks(path, limits, chunk_rows):
        yield _tidy(chunk)


def read_table(path: str | Path, limits: Limits | None = None) -> pd.DataFrame:
    """The whole file (see :func:`table_chunks`), for small files such as a stores table."""
    chunks = list(table_chunks(path, limits))
    if not chunks:
        raise DataFormatError(f"{Path(path).name} is empty", path=str(path))
    return pd.concat(chunks) if len(chunks) > 1 else chunks[0]


def resolve_columns(available: list[str], mapping: Mapping[str, str]) -> dict[str, str]:
    """canonical -> source column; unmapped canonical names match a same-named column (case-insensitive)."""
    check_mapping(mapping)
    by_lower = {c.lower(): c for c in available}
    resolved = dict(mapping)
    for canonical in MAPPABLE_COLUMNS:
        if canonical not in resolved and canonical in by_lower:
            resolved[canonical] = by_lower[canonical]
    return resolved


def _mapped(raw: pd.DataFrame, mapping: Mapping[str, str], path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """The chunk under canonical names; raises when a mapped or required column is absent."""
    resolved = resolve_columns(list(raw.columns), mapping)
    for canonical in REQUIRED_SALES_COLUMNS:
        resolved.setdefault(canonical, canonical)
    for canonical, source in resolved.items():
        if source not in raw.columns:
            raise DataFormatError(
                f"column {source!r} ({canonical}) is missing from {path}; "
                f"the file has: {', '.join(raw.columns) or '(no columns)'}"
                + ("" if canonical in mapping else f" (map it with DATA_COLUMNS=\"{canonical}=YourColumn\")"),
                path=str(path), column=source)
    return pd.DataFrame({c: raw[s] for c, s in resolved.items()}, index=raw.index), resolved


def read_transactions(path: str | Path, columns: Mapping[str, str] | str | None = None,
                      name: str | None = None, limits: Limits | None = None,
                      stores: pd.DataFrame | None = None) -> Dataset:
    """Read, map, coerce and validate a transaction file (or a sales log) into a :class:`Dataset`.

    ``columns`` maps canonical names to the file's column names (a dict or the
    ``DATA_COLUMNS`` string). Only product_id, timestamp and quantity are required
    (see :func:`~ml.data.validate.coerce_transactions`). With a ``name`` column the
    products table takes the most frequent name per product; otherwise product
    names are the product ids. The file is read in chunks, each coerced and checked
    against ``limits`` as it arrives, so a bad or oversized file fails early;
    exact duplicate rows are then dropped (counted in ``Dataset.duplicates_dropped``)
    or refused, as ``limits.duplicate_rows`` says.
    """
    path, limits = Path(path), limits or Limits()
    mapping = parse_column_mapping(columns) if isinstance(columns, str) else dict(columns or {})
    transactions, names, categories = _read_chunks(path, mapping, limits)
    products = derive_products(transactions, names=names, categories=categories)
    transactions, dropped = handle_duplicates(transactions, limits.duplicate_rows, path.name)
    dataset = Dataset(name or path.name, transactions, products, stores=stores, duplicates_dropped=dropped)
    return validate_dataset(dataset, limits)


def _read_chunks(path: Path, mapping: Mapping[str, str],
                 limits: Limits) -> tuple[pd.DataFrame, pd.Series | None, pd.Series | None]:
    """Coerced transactions of every chunk, and the name and category columns when the file has them.

    Numeric dates are read day-first until a chunk shows they are month-first
    (see :func:`~ml.data.validate.month_first`); the chunks read before then are
    corrected, so the whole file is read one way, as if it were one chunk.
    """
    parts: list[pd.DataFrame] = []
    numeric: list[pd.Series] = []  # per chunk, rows whose date is numeric (12/05/2024): the ones an order flips
    names: list[pd.Series] = []
    categories: list[pd.Series] = []
    order: bool | None = None  # None: undecided, read day-first
    for raw in table_chunks(path, limits, CHUNK_ROWS):
        renamed, resolved = _mapped(raw, mapping, path)
        verdict = date_order(renamed["timestamp"])
        if order is None and verdict is not None:
            order = verdict
            if order:
                parts = [p.assign(timestamp=swap_day_month(p["timestamp"], m)) for p, m in zip(parts, numeric)]
        parts.append(coerce_transactions(renamed, resolved, path=str(path), limits=limits, month_first=bool(order)))
        numeric.append(numeric_dates(renamed["timestamp"]).to_numpy())
        if "name" in renamed:
            names.append(renamed["name"])
        if "category" in renamed:
            categories.append(renamed["category"])
    if not parts:
        raise DataFormatError(f"{path.name} has no rows", path=str(path))
    transactions = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return (transactions, pd.concat(names, ignore_index=True) if names else None,
            pd.concat(categories, ignore_index=True) if categories else None)
