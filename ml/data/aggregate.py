"""Turn the transaction log into per-product daily demand series."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

DAILY_COLUMNS: tuple[str, ...] = ("product_id", "date", "quantity")


def daily_demand(
    transactions: pd.DataFrame,
    product_ids: list[str] | None = None,
    start: date | str | pd.Timestamp | None = None,
    end: date | str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Total quantity sold per product and calendar day, on a complete grid.

    Every requested product gets one row per day from ``start`` to ``end`` (both
    included; by default the first and last day of the log), days without sales
    holding 0. ``date`` is a midnight ``datetime64[ns]``; rows are sorted by
    product then date. Products asked for but never sold get an all-zero series.
    """
    days = transactions["timestamp"].dt.normalize()
    first = pd.Timestamp(start).normalize() if start is not None else days.min()
    last = pd.Timestamp(end).normalize() if end is not None else days.max()
    if pd.isna(first) or pd.isna(last) or last < first:
        return _empty()

    in_window = (days >= first) & (days <= last)
    products = transactions["product_id"].astype(str)
    if product_ids is None:
        wanted = np.sort(products[in_window].unique())
    else:
        wanted = np.asarray(list(dict.fromkeys(str(p) for p in product_ids)), dtype=object)
        in_window &= products.isin(wanted)
    if len(wanted) == 0:
        return _empty()

    sums = (
        pd.DataFrame({"product_id": products[in_window], "date": days[in_window],
                      "quantity": transactions["quantity"][in_window].astype("float64")})
        .groupby(["product_id", "date"], sort=False)["quantity"].sum()
    )
    grid = pd.MultiIndex.from_product(
        [wanted, pd.date_range(first, last, freq="D")], names=["product_id", "date"]
    )
    out = sums.reindex(grid, fill_value=0.0).reset_index()
    out["product_id"] = out["product_id"].astype(str)
    out["date"] = out["date"].astype("datetime64[ns]")
    return out.sort_values(["product_id", "date"], kind="stable").reset_index(drop=True)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({
        "product_id": pd.Series(dtype=str),
        "date": pd.Series(dtype="datetime64[ns]"),
        "quantity": pd.Series(dtype="float64"),
    })
