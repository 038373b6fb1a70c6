"""The forecast judged as a distribution, per store x product series (M5 accuracy and uncertainty tracks).

* MASE and WAPE on the **median** (quantile 0.5): absolute error is minimised by the median;
* RMSSE on the **mean**: squared error is minimised by the mean (what adds up over days and stores);
* scaled pinball loss (SPL) averaged over the quantiles 0.1 ... 0.9;
* each also per horizon band (days ahead 1-7, 8-14, 15-28, 29-56).

Scales are the series' in-sample weekly seasonal naive errors (one-day naive when 0), as in
:func:`ml.evaluation.metrics.mase`; a series without a scale is left out of the means.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ml.evaluation.levels import SERIES_KEYS
from ml.models.forecast_base import DECILES, quantile_column

#: horizon bands reported: (first day ahead, last day ahead)
HORIZON_BANDS: tuple[tuple[int, int], ...] = ((1, 7), (8, 14), (15, 28), (29, 56))


def naive_scales(train: pd.DataFrame, season: int = 7) -> pd.DataFrame:
    """Per series: ``mae`` and ``mse`` of the in-sample seasonal naive (one-day naive where 0; NaN when both are)."""
    frame = train.sort_values([*SERIES_KEYS, "date"])
    by = frame.groupby(SERIES_KEYS, sort=False)["quantity"]
    out = {}
    for name, power in (("mae", 1), ("mse", 2)):
        per_lag = []
        for lag in (season, 1):
            err = (frame["quantity"] - by.shift(lag)).abs() ** power
            per_lag.append(err.groupby([frame[k] for k in SERIES_KEYS]).mean())
        scale = per_lag[0].where(per_lag[0] > 0, per_lag[1])
        out[name] = scale.where(scale > 0)
    return pd.DataFrame(out)


def _row_errors(joined: pd.DataFrame, quantiles: tuple[float, ...]) -> pd.DataFrame:
    y = joined["quantity"].to_numpy(dtype="float64")
    q = joined[[quantile_column(t) for t in quantiles]].to_numpy(dtype="float64")
    tau = np.asarray(quantiles)[None, :]
    diff = y[:, None] - q
    return pd.DataFrame({
        "abs_median": np.abs(y - joined[quantile_column(0.5)].to_numpy(dtype="float64")),
        "sq_mean": (y - joined["mean"].to_numpy(dtype="float64")) ** 2,
        "pinball": np.maximum(tau * diff, (tau - 1) * diff).mean(axis=1),
        "actual": np.abs(y),
    }, index=joined.index)


def series_scores(train: pd.DataFrame, actual: pd.DataFrame, quantile_forecast: pd.DataFrame,
                  clean: pd.Series | None = None, quantiles: tuple[float, ...] = DECILES) -> pd.DataFrame:
    """Per series and horizon band: MASE (median), RMSSE (mean), SPL, and the sums WAPE needs.

    Returns one row per (store_id, product_id, band), ``band`` "all" plus each of :data:`HORIZON_BANDS`
    the holdout reaches, with columns ``mase``, ``rmsse``, ``spl``, ``abs_error``, ``actual``.
    """
    columns = [*SERIES_KEYS, "date", "mean", *(quantile_column(q) for q in {*quantiles, 0.5})]
    joined = actual[[*SERIES_KEYS, "date", "quantity"]].merge(
        quantile_forecast[columns], on=[*SERIES_KEYS, "date"], how="inner", validate="one_to_one")
    if len(joined) != len(actual):
        raise ValueError("the forecast does not cover every store x product day of the holdout")
    first = pd.Timestamp(train["date"].max())
    ahead = ((pd.to_datetime(joined["date"]) - first) // pd.Timedelta(days=1)).to_numpy()
    errors = _row_errors(joined, quantiles).assign(store_id=joined["store_id"], product_id=joined["product_id"])
    if clean is not None:
        keep = clean.to_numpy()
        errors, ahead = errors[keep], ahead[keep]
    scales = naive_scales(train)
    parts = []
    for label, (lo, hi) in [("all", (1, 10**6)), *((f"{a}-{b}", (a, b)) for a, b in HORIZON_BANDS)]:
        band = errors[(ahead >= lo) & (ahead <= hi)]
        if band.empty:
            continue
        g = band.groupby(SERIES_KEYS, sort=True)
        means = g[["abs_median", "sq_mean", "pinball"]].mean()
        s = scales.reindex(means.index)
        parts.append(pd.DataFrame({
            "band": label, "mase": means["abs_median"] / s["mae"], "rmsse": np.sqrt(means["sq_mean"] / s["mse"]),
            "spl": means["pinball"] / s["mae"], "abs_error": g["abs_median"].sum(), "actual": g["actual"].sum(),
        }))
    return pd.concat(parts).reset_index()


def summarize_distribution(scores: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Per band: MASE, RMSSE, SPL (means over series with a scale) and WAPE (pooled, on the median)."""
    out: dict[str, dict[str, float]] = {}
    for band, part in scores.groupby("band", sort=False):
        total = float(part["actual"].sum())
        out[str(band)] = {
            "MASE": float(np.nanmean(part["mase"])) if part["mase"].notna().any() else float("nan"),
            "WAPE": float(part["abs_error"].sum() / total) if total > 0 else float("nan"),
            "RMSSE": float(np.nanmean(part["rmsse"])) if part["rmsse"].notna().any() else float("nan"),
            "SPL": float(np.nanmean(part["spl"])) if part["spl"].notna().any() else float("nan"),
        }
    return out


def per_series(scores: pd.DataFrame, metric: str, band: str = "all") -> pd.Series:
    """``metric`` per series (index store_id, product_id) in ``band``, for the paired bootstrap."""
    part = scores[scores["band"] == band]
    return part.set_index(SERIES_KEYS)[metric]


__all__ = ["HORIZON_BANDS", "naive_scales", "per_series", "series_scores", "summarize_distribution"]
