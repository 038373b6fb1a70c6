"""Turn the transaction log into daily demand per store x product series.

A *series* is a product in a store that sells it: the pairs (store_id, product_id)
that occur in the log (a store's assortment). Grids are never the cross product of
all stores and all products.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

from ml.data.schema import DEFAULT_STORE_ID

DAILY_COLUMNS: tuple[str, ...] = ("store_id", "product_id", "date", "quantity")
_DAY = pd.Timedelta(days=1)


def _stores(transactions: pd.DataFrame) -> pd.Series:
    if "store_id" not in transactions.columns:
        return pd.Series(DEFAULT_STORE_ID, index=transactions.index, dtype=object)
    return transactions["store_id"].astype(str)


def daily_demand(
    transactions: pd.DataFrame,
    product_ids: Iterable[str] | None = None,
    start: date | str | pd.Timestamp | None = None,
    end: date | str | pd.Timestamp | None = None,
    series: Iterable[tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """Quantity sold per store, product and calendar day, on one complete grid per existing series.

    The series are the (store_id, product_id) pairs that occur anywhere in the log (a log
    without ``store_id`` is one store, ``DEFAULT_STORE_ID``), restricted to ``product_ids``
    and/or to the ``series`` pairs when given (a pair absent from the log is left out: that
    store does not sell that product). Each kept series gets one row per day from ``start``
    to ``end`` (both included; by default the first and last day of the log), days without
    sales holding 0. Columns: ``DAILY_COLUMNS``; ``date`` is a midnight ``datetime64[ns]``;
    rows are sorted by store, product, date.
    """
    days = transactions["timestamp"].dt.normalize()
    first = pd.Timestamp(start).normalize() if start is not None else days.min()
    last = pd.Timestamp(end).normalize() if end is not None else days.max()
    if pd.isna(first) or pd.isna(last) or last < first:
        return _empty()
    frame = pd.DataFrame({"store_id": _stores(transactions).to_numpy(),
                          "product_id": transactions["product_id"].astype(str).to_numpy(),
                          "date": days.to_numpy(),
                          "quantity": transactions["quantity"].to_numpy(dtype="float64")})
    keys = frame[["store_id", "product_id"]].drop_duplicates()
    if product_ids is not None:
        keys = keys[keys["product_id"].isin({str(p) for p in product_ids})]
    if series is not None:
        wanted = pd.DataFrame([(str(s), str(p)) for s, p in series], columns=["store_id", "product_id"])
        keys = keys.merge(wanted.drop_duplicates(), on=["store_id", "product_id"])
    if keys.empty:
        return _empty()
    keys = keys.sort_values(["store_id", "product_id"]).reset_index(drop=True)
    in_window = frame[(frame["date"] >= first) & (frame["date"] <= last)]
    sums = in_window.groupby(["store_id", "product_id", "date"], sort=False)["quantity"].sum()
    n_days = int((last - first) / _DAY) + 1
    calendar = pd.date_range(first, last, freq="D")
    grid = pd.MultiIndex.from_arrays([
        np.repeat(keys["store_id"].to_numpy(), n_days),
        np.repeat(keys["product_id"].to_numpy(), n_days),
        np.tile(calendar.to_numpy(), len(keys)),
    ], names=["store_id", "product_id", "date"])
    out = sums.reindex(grid, fill_value=0.0).reset_index()
    out["date"] = out["date"].astype("datetime64[ns]")
    return out[list(DAILY_COLUMNS)]


def with_signals(daily: pd.DataFrame, signals: pd.DataFrame | None) -> pd.DataFrame:
    """``daily`` with the promo, discount and stockout_hours of ``signals`` joined on (store, product, date).

    Days without a signal row get promo 0, discount 1 (full price) and stockout_hours NaN (unknown).
    ``signals`` None returns ``daily`` unchanged.
    """
    if signals is None:
        return daily
    cols = [c for c in ("promo", "discount", "stockout_hours") if c in signals.columns]
    right = signals[["store_id", "product_id", "date", *cols]].copy()
    right["store_id"] = right["store_id"].astype(str)
    right["product_id"] = right["product_id"].astype(str)
    right["date"] = pd.to_datetime(right["date"]).dt.normalize().astype("datetime64[ns]")
    out = daily.drop(columns=[c for c in cols if c in daily.columns]).merge(
        right, on=["store_id", "product_id", "date"], how="left", validate="one_to_one")
    defaults = {"promo": 0.0, "discount": 1.0}
    return out.fillna({c: v for c, v in defaults.items() if c in cols})


def _empty() -> pd.DataFrame:
    return pd.DataFrame({
        "store_id": pd.Series(dtype=str),
        "product_id": pd.Series(dtype=str),
        "date": pd.Series(dtype="datetime64[ns]"),
        "quantity": pd.Series(dtype="float64"),
    })
