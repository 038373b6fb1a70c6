"""The stores table: derived from the store ids of a log, or read from a CSV (``STORES_FILE``), and checked.

    >>> stores = read_stores("magasins.csv", "store_id=Code,name=Magasin,city=Ville")

A stores CSV has one row per store: ``store_id`` (required, unique, the ids the sales
use), ``name`` (display name; the id when empty), and optionally ``city``, ``region``,
``format`` (e.g. proximite, supermarche) and ``zone`` (French school-holiday zone A/B/C).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ml.data.schema import STORE_COLUMNS
from ml.errors import DataFormatError, DataValidationError


def _text(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    return text.where(text.ne(""), pd.NA)


def _store_ids(values: pd.Series) -> pd.Series:
    from ml.data.validate import clean_ids  # validate imports this module

    return clean_ids(values).astype("string")


def _natural(ids: pd.Series) -> pd.Series:
    """Numeric ids in numeric order ("2" before "10"), then the others alphabetically."""
    number = pd.to_numeric(ids, errors="coerce")
    order = pd.DataFrame({"n": number, "t": ids}).sort_values(["n", "t"], na_position="last", kind="stable")
    return ids.loc[order.index].reset_index(drop=True)


def derive_stores(store_ids: pd.Series) -> pd.DataFrame:
    """One row per distinct store id, named by its id; city, region, format and zone unknown."""
    ids = _natural(pd.Series(pd.unique(store_ids.dropna().astype(str)), dtype="string"))
    return canonical_stores(pd.DataFrame({"store_id": ids}))


def canonical_stores(stores: pd.DataFrame) -> pd.DataFrame:
    """STORE_COLUMNS in order; ``store_id`` and ``name`` as text (name = id when empty), the rest text or <NA>."""
    out = pd.DataFrame(index=stores.index)
    out["store_id"] = _store_ids(stores["store_id"]).fillna("")
    name = _text(stores["name"]) if "name" in stores else pd.Series(pd.NA, index=stores.index, dtype="string")
    out["name"] = name.fillna(out["store_id"]).astype(object)
    out["store_id"] = out["store_id"].astype(object)
    for column in STORE_COLUMNS[2:]:
        out[column] = _text(stores[column]) if column in stores else pd.Series(pd.NA, index=stores.index,
                                                                               dtype="string")
    return out.reset_index(drop=True)[list(STORE_COLUMNS)]


def _fail(message: str, position: int, column: str, value: object, n: int, where: str) -> DataValidationError:
    return DataValidationError(f"{where}row {position + 1}, column {column!r}: {value!r} {message}",
                               row=position + 1, column=column, value=value, n_bad_rows=n)


def check_table(stores: pd.DataFrame, where: str = "stores table: ", id_column: str = "store_id") -> pd.DataFrame:
    """The table in canonical form; raises on an empty or duplicate store id (row of the table, 1-based)."""
    if "store_id" not in stores.columns:
        raise DataFormatError(f"{where}column {id_column!r} (store_id) is missing; it has: "
                              f"{', '.join(map(str, stores.columns))}", column=id_column)
    out = canonical_stores(stores)
    empty = out["store_id"].eq("").to_numpy()
    if empty.any():
        position = int(np.flatnonzero(empty)[0])
        raise _fail("is empty (every store needs its id)", position, id_column, "", int(empty.sum()), where)
    dup = out["store_id"].duplicated().to_numpy()
    if dup.any():
        position = int(np.flatnonzero(dup)[0])
        value = out["store_id"].iat[position]
        first = int(np.flatnonzero(out["store_id"].eq(value).to_numpy())[0]) + 1
        raise _fail(f"appears twice (first on row {first}): a store id must be unique", position, id_column,
                    value, int(dup.sum()), where)
    return out


def check_stores(stores: pd.DataFrame, store_ids: pd.Series, name: str) -> pd.DataFrame:
    """``stores`` checked (:func:`check_table`) and covering every store the transactions name."""
    out = check_table(stores, where=f"dataset {name!r}, stores table: ")
    unknown = ~store_ids.astype(str).isin(set(out["store_id"]))
    if unknown.any():
        position = int(np.flatnonzero(unknown.to_numpy())[0])
        value = str(store_ids.iat[position])
        raise DataValidationError(
            f"dataset {name!r}: row {position + 1}, column 'store_id': store {value!r} is not in the stores table "
            f"({int(unknown.sum())} rows name stores it lacks); add it to STORES_FILE",
            row=position + 1, column="store_id", value=value, n_bad_rows=int(unknown.sum()))
    return out


def read_stores(path: str | Path, columns: Mapping[str, str] | str | None = None) -> pd.DataFrame:
    """A stores CSV (``STORES_FILE``) as a checked stores table; ``columns`` maps canonical names to the file's."""
    from ml.data.io import read_table  # io imports validate, which imports this module

    path = Path(path)
    mapping = _parse_mapping(columns) if isinstance(columns, str) else dict(columns or {})
    raw = read_table(path)
    by_lower = {c.lower(): c for c in raw.columns}
    resolved = {c: mapping.get(c, by_lower.get(c)) for c in STORE_COLUMNS}
    for canonical, source in mapping.items():
        if source not in raw.columns:
            raise DataFormatError(f"column {source!r} ({canonical}) is missing from stores file {path}; "
                                  f"the file has: {', '.join(raw.columns)}", path=str(path), column=source)
    id_column = resolved["store_id"] or mapping.get("store_id", "store_id")
    renamed = pd.DataFrame({c: raw[s] for c, s in resolved.items() if s is not None}, index=raw.index)
    if "store_id" not in renamed:
        raise DataFormatError(f"column {id_column!r} (store_id) is missing from stores file {path}; the file has: "
                              f"{', '.join(raw.columns)} (map it with STORES_COLUMNS=\"store_id=YourColumn\")",
                              path=str(path), column=id_column)
    return check_table(renamed, where=f"stores file {path.name}: ", id_column=id_column)


def _parse_mapping(text: str) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in (part.strip() for part in text.replace(";", ",").split(",")):
        if not pair:
            continue
        canonical, sep, source = (s.strip() for s in pair.partition("="))
        if not sep or not canonical or not source:
            raise DataFormatError(f"STORES_COLUMNS: {pair!r} is not of the form canonical=SourceColumn")
        if canonical not in STORE_COLUMNS:
            raise DataFormatError(f"STORES_COLUMNS: unknown column {canonical!r}; known: {', '.join(STORE_COLUMNS)}",
                                  column=canonical)
        mapping[canonical] = source
    return mapping
