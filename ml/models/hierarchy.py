"""Bottom-up aggregates of store x product forecasts: region, store, chain totals with their own intervals.

A group's forecast is the sum of its series' forecasts, so figures add up exactly
(the chain is the sum of the regions, a region the sum of its stores). Its interval
is computed *for the aggregate*, never by adding bounds (adding the 10 % quantiles of
independent series gives a bound far below the 10 % quantile of their sum):

1. At fit time :class:`~ml.models.forecast.DemandForecaster` keeps, for every series,
   its calibration residuals (actual - forecast) and forecasts on a common set of
   calibration cells (forecast origin, horizon) that its calibration model never saw.
2. For a group, the residuals and forecasts of its series are summed cell by cell —
   same origin, same horizon — so the summed residual carries whatever correlation
   the stores have (a chain-wide promotion, a hot week): perfectly correlated series
   give summed residuals n times as large, independent ones about sqrt(n) times.
   A member's censored cell (stock-out day, NaN) adds no error to the sum.
3. The summed residuals are normalised by the count-like spread sqrt(forecast + 1)
   of the summed forecast, and split-conformal quantiles are taken per horizon band
   (1-7, 8-14, 15+ days); the group's bounds are its summed mean plus those quantiles
   times sqrt(mean + 1), clipped at 0.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import numpy as np
import pandas as pd

from ml.models.forecast_base import SeriesKey, interval_quantiles, with_store
from ml.models.intervals import HORIZON_BANDS, conformal_quantile, count_spread

AGGREGATE_COLUMNS: tuple[str, ...] = ("group", "date", "mean", "lower", "upper")


def sum_by_group(forecast: pd.DataFrame, groups: Mapping[SeriesKey, Hashable],
                 columns: tuple[str, ...] = ("mean",)) -> pd.DataFrame:
    """Bottom-up sums of ``columns`` per group and date (series missing from ``groups`` are left out)."""
    forecast = with_store(forecast)
    keys = list(zip(forecast["store_id"].astype(str), forecast["product_id"].astype(str)))
    label = pd.Series([groups.get(k) for k in keys], index=forecast.index, dtype=object)
    kept = forecast[label.notna()].assign(group=label[label.notna()])
    return kept.groupby(["group", "date"], as_index=False, sort=True)[list(columns)].sum()


def group_bounds(residuals: np.ndarray, expected: np.ndarray, cell_horizons: np.ndarray, mean: np.ndarray,
                 horizons: np.ndarray, level: int) -> tuple[np.ndarray, np.ndarray]:
    """Interval bounds of one group's summed forecast ``mean`` (one value per horizon in ``horizons``).

    ``residuals`` and ``expected`` are the group's calibration residuals and forecasts summed
    over its series, one per calibration cell; ``cell_horizons`` gives each cell's horizon.
    Cells with a NaN residual (e.g. a stock-out day) are left out.
    """
    lo_q, hi_q = interval_quantiles(level)
    z = residuals / count_spread(expected)
    cell_band = np.searchsorted(HORIZON_BANDS, cell_horizons, side="left")
    band = np.searchsorted(HORIZON_BANDS, horizons, side="left")
    lower, upper = np.empty(len(mean)), np.empty(len(mean))
    spread = count_spread(mean)
    for b in np.unique(band):
        zb = z[(cell_band == b) & np.isfinite(z)]
        if zb.size < 30:  # too few cells in this band: pool every band
            zb = z[np.isfinite(z)]
        at = band == b
        lower[at] = mean[at] - conformal_quantile(-zb, 1 - lo_q) * spread[at]
        upper[at] = mean[at] + conformal_quantile(zb, hi_q) * spread[at]
    return np.clip(lower, 0.0, mean), np.maximum(upper, mean)


def aggregate_forecast(model, forecast: pd.DataFrame, groups: Mapping[SeriesKey, Hashable]) -> pd.DataFrame:
    """Bottom-up forecast per group and date, with intervals computed for each aggregate.

    ``model`` is the fitted forecaster that produced ``forecast`` (a frame of its
    ``predict``); it must keep calibration cells (``calibration_residuals_``,
    ``calibration_expected_``, ``calibration_horizons_``), as :class:`DemandForecaster` does.
    ``groups`` maps (store_id, product_id) to a group label (a region, a store, a product for
    chain x product totals, or "chain"). Returns ``AGGREGATE_COLUMNS``, sorted by group and date;
    ``mean`` is exactly the sum of the series' means.
    """
    for attr in ("calibration_residuals_", "calibration_expected_", "calibration_horizons_"):
        if not hasattr(model, attr):
            raise TypeError(f"{type(model).__name__} keeps no calibration residuals: cannot bound aggregates")
    bounded = {"lower", "upper"} <= set(forecast.columns)
    if bounded:  # each member's squared half-widths, summed with the means (one grouping)
        forecast = forecast.assign(below=np.square(forecast["mean"] - forecast["lower"]),
                                   above=np.square(forecast["upper"] - forecast["mean"]))
    sums = sum_by_group(forecast, groups, ("mean", "below", "above") if bounded else ("mean",))
    if sums.empty:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in AGGREGATE_COLUMNS})
    rows = {key: i for i, key in enumerate(model.series_)}
    members: dict[Hashable, list[int]] = {}
    present = set(zip(with_store(forecast)["store_id"].astype(str), forecast["product_id"].astype(str)))
    for key, label in groups.items():
        if key in present:
            members.setdefault(label, []).append(int(rows[key]))
    horizons = ((sums["date"] - model.last_date_) // pd.Timedelta(days=1)).to_numpy()
    lower, upper = np.empty(len(sums)), np.empty(len(sums))
    for label, at in sums.groupby("group", sort=False).indices.items():
        idx = np.asarray(members[label])
        member_resid = model.calibration_residuals_[idx].astype("float64")
        # a censored cell of one member (NaN: a stock-out day) adds no error; all members censored: no cell
        resid = np.where(np.isnan(member_resid).all(axis=0), np.nan, np.nansum(member_resid, axis=0))
        expected = model.calibration_expected_[idx].astype("float64").sum(axis=0)
        lower[at], upper[at] = group_bounds(resid, expected, model.calibration_horizons_,
                                            sums["mean"].to_numpy()[at], horizons[at], model.level)
    if bounded:
        lower, upper = _at_least_independent(sums, lower, upper)
    return sums.assign(lower=lower, upper=upper)[list(AGGREGATE_COLUMNS)]


def _at_least_independent(sums: pd.DataFrame, lower: np.ndarray, upper: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Aggregate bounds widened, where narrower, to the members' own half-widths added in quadrature
    (``sums``' ``below`` / ``above``: the summed squared half-widths).

    The summed calibration residuals know only the days the group was calibrated on: a day the members'
    own intervals say is uncertain (a Christmas log lifted by last year's peak, whose ordinary days were
    all zeros) would get an interval of nearly zero width. Independent member errors are the floor; the
    usual positively correlated ones give wider bounds, which are kept.
    """
    mean = sums["mean"].to_numpy()
    floor_lower = np.maximum(mean - np.sqrt(sums["below"].to_numpy()), 0.0)
    floor_upper = mean + np.sqrt(sums["above"].to_numpy())
    return np.minimum(lower, floor_lower), np.maximum(upper, floor_upper)


def chain_forecasts(model, forecast: pd.DataFrame) -> pd.DataFrame:
    """Chain x product totals of a store x product forecast: [product_id, date, mean, lower, upper].

    A forecast of one store is returned as it is (its own intervals); with several stores each
    product's rows are summed over the stores that sell it, with intervals for the sum.
    """
    forecast = with_store(forecast)
    if forecast["store_id"].nunique() <= 1:
        return forecast.drop(columns="store_id")
    groups = {(str(s), str(p)): str(p) for s, p in zip(forecast["store_id"], forecast["product_id"])}
    return aggregate_forecast(model, forecast, groups).rename(columns={"group": "product_id"})
