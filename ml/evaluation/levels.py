"""Forecast accuracy at the levels of the M5 hierarchy that a chain plans with.

* level 12 — store x product: each series as forecast;
* level 3 — store: the sum over a store's (evaluated) products;
* level 10 — chain x product: the sum over the stores that sell the product.

Forecasts of a level above 12 are bottom-up sums of the store x product forecasts.
Metrics are scale-free: MASE (each group's mean absolute error over the in-sample
mean absolute error of the weekly seasonal naive on the group's own training sums,
falling back to the one-day naive, NaN when both are 0; averaged over groups) and WAPE
(pooled). ``clean`` restricts scoring to stock-out-free store x product days, on both
the actual and the forecast side, before summing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: level name -> (M5 level number, grouping columns)
LEVELS: dict[str, tuple[int, tuple[str, ...]]] = {
    "store_product": (12, ("store_id", "product_id")),
    "store": (3, ("store_id",)),
    "chain_product": (10, ("product_id",)),
}
SERIES_KEYS = ["store_id", "product_id"]


def mase_scales(train: pd.DataFrame, keys: list[str], season: int = 7) -> pd.Series:
    """Per group: the in-sample MAE of the seasonal naive on the group's daily sums (one-day naive if 0)."""
    sums = train.groupby([*keys, "date"], sort=True)["quantity"].sum().reset_index()
    by = sums.groupby(keys, sort=False)["quantity"]
    seasonal = sums["quantity"].sub(by.shift(season)).abs().groupby([sums[k] for k in keys]).mean()
    one_day = sums["quantity"].sub(by.shift(1)).abs().groupby([sums[k] for k in keys]).mean()
    scale = seasonal.where(seasonal > 0, one_day)
    return scale.where(scale > 0)


def group_scores(train: pd.DataFrame, actual: pd.DataFrame, forecast: pd.DataFrame, keys: list[str],
                 clean: pd.Series | None = None, season: int = 7) -> pd.DataFrame:
    """Per group (index): ``mase``, ``abs_error`` and ``actual`` (sums over the holdout days).

    ``actual`` holds store x product rows [store_id, product_id, date, quantity]; ``forecast``
    the same rows' ``mean``; ``clean`` (aligned with ``actual``) keeps only the True rows.
    """
    joined = actual[[*SERIES_KEYS, "date", "quantity"]].merge(
        forecast[[*SERIES_KEYS, "date", "mean"]], on=[*SERIES_KEYS, "date"], how="inner", validate="one_to_one")
    if len(joined) != len(actual):
        raise ValueError("the forecast does not cover every store x product day of the holdout")
    if clean is not None:
        joined = joined[clean.to_numpy()]
    sums = joined.groupby([*keys, "date"], sort=True)[["quantity", "mean"]].sum()
    error = (sums["quantity"] - sums["mean"]).abs()
    level = sums.index.droplevel("date") if len(keys) > 1 else sums.index.get_level_values(keys[0])
    out = pd.DataFrame({
        "mae": error.groupby(level).mean(),
        "abs_error": error.groupby(level).sum(),
        "actual": sums["quantity"].abs().groupby(level).sum(),
    })
    scale = mase_scales(train, keys, season).reindex(out.index)
    return out.assign(mase=out["mae"] / scale).drop(columns="mae")


def summarize(scores: pd.DataFrame) -> dict[str, float]:
    """MASE (mean over groups with a scale) and WAPE (pooled) of :func:`group_scores`' output."""
    mase = scores["mase"].to_numpy(dtype="float64")
    total = float(scores["actual"].sum())
    return {
        "MASE": float(np.nanmean(mase)) if np.isfinite(mase).any() else float("nan"),
        "WAPE": float(scores["abs_error"].sum() / total) if total > 0 else float("nan"),
    }


def level_groups(series: list[tuple[str, str]], level: str) -> dict[tuple[str, str], str]:
    """(store_id, product_id) -> the series' group label at ``level``."""
    _, keys = LEVELS[level]
    if keys == ("store_id", "product_id"):
        return {k: f"{k[0]}|{k[1]}" for k in series}
    position = 0 if keys == ("store_id",) else 1
    return {k: k[position] for k in series}
