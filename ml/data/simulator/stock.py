"""A plausible stock position at the end of the simulated history, per store and product sold.

On hand is a few days of the product's recent sales (0.5 to 6 days, with noise; about 3 % of the
lines are out of stock when counted); about a third of the lines have an order on its way (3 to 7
days of sales). Counted on the last day of sales (``as_of``).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ml.data.schema import STOCK_COLUMNS

RECENT_DAYS = 28
EMPTY_SHARE = 0.03
ON_ORDER_SHARE = 0.35


def stock_position(recent_daily: pd.DataFrame, as_of: date, rng: np.random.Generator) -> pd.DataFrame:
    """STOCK_COLUMNS frame from ``recent_daily`` (store_id, product_id, mean daily units sold recently)."""
    n = len(recent_daily)
    mean = recent_daily["units"].to_numpy(dtype=float)
    cover = rng.uniform(0.5, 6.0, n) * rng.lognormal(0, 0.2, n)
    on_hand = np.where(rng.random(n) < EMPTY_SHARE, 0.0, np.round(mean * cover + rng.poisson(1.0, n)))
    ordered = rng.random(n) < ON_ORDER_SHARE
    on_order = np.where(ordered, np.maximum(1.0, np.round(mean * rng.uniform(3.0, 7.0, n))), 0.0)
    return pd.DataFrame({
        "store_id": recent_daily["store_id"].astype(str).astype(object).to_numpy(),
        "product_id": recent_daily["product_id"].astype(str).astype(object).to_numpy(),
        "on_hand": on_hand.astype("float64"),
        "on_order": on_order.astype("float64"),
        "as_of": pd.Timestamp(as_of).normalize(),
    })[list(STOCK_COLUMNS)].astype({"as_of": "datetime64[ns]"})


def recent_sales(transactions: pd.DataFrame, end: date, days: int = RECENT_DAYS) -> pd.DataFrame:
    """Mean units a day over the last ``days`` days of every store x product ever sold (0 if none recently)."""
    pairs = transactions[["store_id", "product_id"]].astype(str).drop_duplicates()
    recent = transactions[transactions["timestamp"] >= pd.Timestamp(end) - pd.Timedelta(days=days - 1)]
    units = (recent.assign(store_id=recent["store_id"].astype(str))
             .groupby(["store_id", "product_id"])["quantity"].sum() / days).rename("units").reset_index()
    out = pairs.merge(units, on=["store_id", "product_id"], how="left").fillna({"units": 0.0})
    return out.sort_values(["store_id", "product_id"], key=_natural).reset_index(drop=True)


def _natural(column: pd.Series) -> pd.Series:
    """Sort key: numeric ids in numeric order ("2" before "10")."""
    numbers = pd.to_numeric(column, errors="coerce")
    return numbers if numbers.notna().all() else column
