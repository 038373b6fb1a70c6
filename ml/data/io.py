"""Reading a transaction log from a user's file (CSV, CSV.gz/.xz/.bz2/.zip, Parquet).

    >>> mapping = parse_column_mapping("customer_id=Client,product_id=EAN")
    >>> dataset = read_transactions("ventes.csv", mapping)

The file is read whole, mapped to canonical column names, coerced and
validated (:mod:`ml.data.validate`) before a :class:`Dataset` is returned, so a
bad file never reaches the database.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ml.data.schema import REQUIRED_TRANSACTION_COLUMNS, TRANSACTION_COLUMNS, Dataset
from ml.data.validate import coerce_transactions, derive_products, validate_dataset
from ml.errors import DataFormatError

# Columns a mapping may name: the canonical transaction columns plus product descriptors.
MAPPABLE_COLUMNS: tuple[str, ...] = (*TRANSACTION_COLUMNS, "name", "category")
_OPENERS = {".gz": gzip.open, ".xz": lzma.open, ".bz2": bz2.open}


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


def _sniff_separator(path: Path) -> str:
    opener = _OPENERS.get(path.suffix.lower(), open)
    try:
        with opener(path, "rt", encoding="utf-8-sig", errors="replace") as handle:
            header = handle.readline()
    except (OSError, EOFError, lzma.LZMAError) as exc:
        raise DataFormatError(f"cannot read {path}: {exc}", path=str(path)) from exc
    return max((";", ",", "\t", "|"), key=header.count) if header.strip() else ","


def read_table(path: str | Path) -> pd.DataFrame:
    """The file's rows as text (CSV) or native types (Parquet), index = 0-based data row.

    A leading unnamed index column (written by ``DataFrame.to_csv``) is dropped.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFormatError(f"file not found: {path}", path=str(path))
    suffixes = [s.lower() for s in path.suffixes]
    try:
        if ".parquet" in suffixes or ".pq" in suffixes:
            frame = pd.read_parquet(path)
        elif ".xlsx" in suffixes or ".xls" in suffixes:
            raise DataFormatError(f"{path.name}: save the sheet as CSV (UTF-8) first", path=str(path))
        else:
            sep = _sniff_separator(path) if path.suffix.lower() != ".zip" else ","
            kwargs = dict(sep=sep, dtype=str, keep_default_na=False, skipinitialspace=True)
            try:
                frame = pd.read_csv(path, encoding="utf-8-sig", **kwargs)
            except UnicodeDecodeError:
                frame = pd.read_csv(path, encoding="cp1252", **kwargs)
    except DataFormatError:
        raise
    except (OSError, ValueError, EOFError, lzma.LZMAError, pd.errors.ParserError) as exc:
        raise DataFormatError(f"cannot read {path}: {exc}", path=str(path)) from exc
    first = str(frame.columns[0]) if len(frame.columns) else ""
    if first == "" or first.startswith("Unnamed: 0"):
        frame = frame.drop(columns=frame.columns[0])
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.reset_index(drop=True)


def resolve_columns(available: list[str], mapping: Mapping[str, str]) -> dict[str, str]:
    """canonical -> source column; unmapped canonical names match a same-named column (case-insensitive)."""
    check_mapping(mapping)
    by_lower = {c.lower(): c for c in available}
    resolved = dict(mapping)
    for canonical in MAPPABLE_COLUMNS:
        if canonical not in resolved and canonical in by_lower:
            resolved[canonical] = by_lower[canonical]
    return resolved


def read_transactions(path: str | Path, columns: Mapping[str, str] | str | None = None,
                      name: str | None = None) -> Dataset:
    """Read, map, coerce and validate a transaction file into a :class:`Dataset`.

    ``columns`` maps canonical names to the file's column names (a dict or the
    ``DATA_COLUMNS`` string). With a ``name`` column the products table takes the
    most frequent name per product; otherwise product names are the product ids.
    """
    path = Path(path)
    mapping = parse_column_mapping(columns) if isinstance(columns, str) else dict(columns or {})
    raw = read_table(path)
    resolved = resolve_columns(list(raw.columns), mapping)
    for canonical in REQUIRED_TRANSACTION_COLUMNS:
        resolved.setdefault(canonical, canonical)
    for canonical, source in resolved.items():
        if source not in raw.columns:
            raise DataFormatError(
                f"column {source!r} ({canonical}) is missing from {path}; "
                f"the file has: {', '.join(raw.columns) or '(no columns)'}"
                + ("" if canonical in mapping else f" (map it with DATA_COLUMNS=\"{canonical}=YourColumn\")"),
                path=str(path), column=source)
    renamed = pd.DataFrame({canonical: raw[source] for canonical, source in resolved.items()}, index=raw.index)
    transactions = coerce_transactions(renamed, resolved, path=str(path))
    products = derive_products(
        transactions,
        names=renamed["name"] if "name" in renamed else None,
        categories=renamed["category"] if "category" in renamed else None,
    )
    return validate_dataset(Dataset(name or path.name, transactions, products))
