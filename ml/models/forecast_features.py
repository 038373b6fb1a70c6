"""Features of the direct multi-horizon forecaster: rolling statistics of the history and the calendar.

A training or forecast row is a triple (series row, origin day index, horizon);
:func:`features` builds its feature vector from the history up to the origin and the
calendar of the target day.
"""

from __future__ import annotations

from dataclasses import dataclass

import holidays as holidays_lib
import numpy as np
import pandas as pd

WINDOWS: tuple[int, ...] = (7, 28, 56, 112)
SCALE_WINDOW = 56
MIN_HISTORY = 14


class History:
    """Cumulative tables of a products x days matrix, for O(1) rolling statistics."""

    def __init__(self, y: np.ndarray):
        self.y = y
        p, d = y.shape
        self.n_days = d
        self.cum = np.concatenate([np.zeros((p, 1)), np.cumsum(y, axis=1)], axis=1)
        self.cum_zero = np.concatenate([np.zeros((p, 1)), np.cumsum(y == 0, axis=1)], axis=1)
        # same weekday cumulative sums: cum7[:, i + 7] = y[:, i] + y[:, i - 7] + ...
        cum7 = np.zeros((p, d + 7))
        for i in range(d):
            cum7[:, i + 7] = y[:, i] + cum7[:, i]
        self.cum7 = cum7
        # days since the last sale, as of each day
        since = np.zeros((p, d))
        run = np.full(p, float(d))
        for i in range(d):
            run = np.where(y[:, i] > 0, 0.0, run + 1.0)
            since[:, i] = run
        self.since = since


def calendar_features(dates: pd.DatetimeIndex, country: str | None) -> np.ndarray:
    """Calendar features of each day: weekday, day of month, month, holidays, days to Christmas.

    No day of year: with a year or two of history each value is seen once or twice, so
    the trees used it to memorise each period's level (on stationary synthetic demand
    the forecast came out 13 % low). Month is coarse enough to carry yearly seasonality
    (measured: better MASE and WAPE with it on Online Retail and the simulator).
    """
    years = range(dates.min().year - 1, dates.max().year + 2)
    days = dates.normalize()
    if country:
        calendar = holidays_lib.country_holidays(country, years=years)
        is_holiday = np.array([d.date() in calendar for d in days], dtype=float)
        prev = np.array([(d + pd.Timedelta(days=1)).date() in calendar for d in days], dtype=float)
        after = np.array([(d - pd.Timedelta(days=1)).date() in calendar for d in days], dtype=float)
    else:
        is_holiday = prev = after = np.zeros(len(days))
    christmas = pd.to_datetime([f"{d.year}-12-25" for d in days])
    to_christmas = (christmas - days).days.to_numpy().astype(float)
    to_christmas = np.where(to_christmas < 0, to_christmas + 365, to_christmas)
    return np.column_stack([
        days.dayofweek, days.day, days.month,
        is_holiday, prev, after, np.minimum(to_christmas, 90),
    ]).astype("float64")


#: names of the feature columns built by ``features``, in order
FEATURE_NAMES: tuple[str, ...] = (
    "horizon", "log_scale",
    *(f"mean_{w}d" for w in WINDOWS if w != SCALE_WINDOW),
    *(f"lag_{lag}" for lag in range(7)),
    "same_weekday_last", "same_weekday_mean_4w", "same_weekday_mean_8w",
    "zero_share_28d", f"zero_share_{SCALE_WINDOW}d", "days_since_sale", "year_ago_mean_7d",
    # known-ahead drivers of the target day, and of the recent past (post-promotion dip, inflated levels)
    "promo", "discount", "promo_share_7d", "discount_vs_28d",
    # the same product over every store (chain) and the whole store: recent trend and weekday shape
    "chain_trend_7_28", "chain_weekday_4w", "chain_last_day", "store_trend_7_28", "store_weekday_4w",
    "dow", "day", "month", "holiday", "holiday_eve", "holiday_after", "to_christmas",
)


@dataclass
class FeatureContext:
    """Everything features are computed from.

    ``hist`` is the series x days demand (stock-out days already uncensored by the model);
    ``calendar`` covers every day up to the forecast horizon; ``promo`` and ``discount`` are
    series x (days + horizon) (future days filled before forecasting); ``chain`` and ``store``
    are the histories summed per product over stores and per store over products, with
    ``product_of``/``store_of`` mapping each series row to its row there.
    """

    hist: History
    calendar: np.ndarray
    promo: np.ndarray
    discount: np.ndarray
    chain: History
    product_of: np.ndarray
    store: History
    store_of: np.ndarray


def group_history(y: np.ndarray, codes: np.ndarray) -> History:
    """History of ``y`` summed over rows sharing a code (codes 0..n-1)."""
    sums = np.zeros((int(codes.max()) + 1, y.shape[1]))
    np.add.at(sums, codes, y)
    return History(sums)


def features(ctx: FeatureContext, rows: np.ndarray, origins: np.ndarray,
             horizons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Feature matrix (columns: ``FEATURE_NAMES``) for every (row, origin, horizon) triple, and each triple's scale.

    Level features are divided by the scale, the series' mean over the
    ``SCALE_WINDOW`` days up to the origin (its long-run mean if that is 0).

    ``rows``, ``origins`` and ``horizons`` are equal-length arrays of series rows,
    origin day indices and horizons (days).
    """
    hist = ctx.hist
    sub = _Sub(hist, rows)
    t, k = origins, horizons
    target = t + k
    level = {w: sub.mean(t, w, partial=(w <= SCALE_WINDOW)) for w in WINDOWS}
    scale = level[SCALE_WINDOW].copy()
    longrun = sub.mean(t, hist.n_days, partial=True)
    scale = np.where(scale > 0, scale, np.where(longrun > 0, longrun, 1.0))
    same_day = t + k - 7 * np.ceil(k / 7).astype(int)  # most recent observed day with the target's weekday
    cols = [
        k.astype(float),
        np.log1p(scale),
        *(level[w] / scale for w in WINDOWS if w != SCALE_WINDOW),
        *(sub.value(t - lag) / scale for lag in range(7)),
        sub.value(same_day) / scale,
        sub.same_weekday_mean(same_day, 4) / scale,
        sub.same_weekday_mean(same_day, 8) / scale,
        sub.zero_share(t, 28),
        sub.zero_share(t, SCALE_WINDOW),
        np.minimum(sub.since(t), 365.0),
        sub.window_mean(target - 364, 3) / scale,
        *_signal_columns(ctx, rows, t, target),
        *_context_columns(_Sub(ctx.chain, ctx.product_of[rows]), t, same_day, with_last=True),
        *_context_columns(_Sub(ctx.store, ctx.store_of[rows]), t, same_day, with_last=False),
    ]
    x = np.column_stack([*cols, ctx.calendar[target]])
    # history too short for a window: a sentinel rather than NaN, since a column
    # that is NaN on every training row breaks the binning of the boosting models
    return np.nan_to_num(x, nan=-1.0), scale


def _signal_columns(ctx: FeatureContext, rows: np.ndarray, t: np.ndarray, target: np.ndarray) -> list[np.ndarray]:
    promo_7 = np.mean([ctx.promo[rows, np.maximum(t - lag, 0)] for lag in range(7)], axis=0)
    discount_28 = np.mean([ctx.discount[rows, np.maximum(t - lag, 0)] for lag in range(0, 28, 3)], axis=0)
    discount = ctx.discount[rows, target]
    return [ctx.promo[rows, target], discount, promo_7, discount / np.where(discount_28 > 0, discount_28, 1.0)]


def _context_columns(sub: _Sub, t: np.ndarray, same_day: np.ndarray, with_last: bool) -> list[np.ndarray]:
    mean_28 = sub.mean(t, 28, partial=True)
    base = np.where(mean_28 > 0, mean_28, 1.0)
    cols = [sub.mean(t, 7, partial=True) / base, sub.same_weekday_mean(same_day, 4) / base]
    if with_last:
        cols.append(sub.value(t) / base)
    return cols


class _Sub:
    """Per-triple view of :class:`History`: statistics for rows[i] at day index arrays."""

    def __init__(self, hist: History, rows: np.ndarray):
        self.h = hist
        self.rows = rows

    def _pick(self, table: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return table[self.rows, cols]

    def mean(self, t: np.ndarray, window: int, partial: bool = False) -> np.ndarray:
        start = np.maximum(t + 1 - window, 0)
        n = (t + 1 - start).astype("float64")
        out = (self._pick(self.h.cum, t + 1) - self._pick(self.h.cum, start)) / n
        return out if partial else np.where(t + 1 >= window, out, np.nan)

    def zero_share(self, t: np.ndarray, window: int) -> np.ndarray:
        start = np.maximum(t + 1 - window, 0)
        return (self._pick(self.h.cum_zero, t + 1) - self._pick(self.h.cum_zero, start)) / (t + 1 - start)

    def same_weekday_mean(self, j: np.ndarray, weeks: int) -> np.ndarray:
        first = j - 7 * (weeks - 1)
        total = self._pick(self.h.cum7, j + 7) - self._pick(self.h.cum7, np.maximum(first, 0))
        return np.where(first >= 0, total / weeks, np.nan)

    def value(self, j: np.ndarray) -> np.ndarray:
        return self._pick(self.h.y, np.maximum(j, 0))

    def since(self, t: np.ndarray) -> np.ndarray:
        return self._pick(self.h.since, t)

    def window_mean(self, centre: np.ndarray, half: int) -> np.ndarray:
        n = self.h.n_days
        lo, hi = centre - half, centre + half
        ok = (lo >= 0) & (hi < n)
        lo_c, hi_c = np.clip(lo, 0, n - 1), np.clip(hi, 0, n - 1)
        total = self._pick(self.h.cum, hi_c + 1) - self._pick(self.h.cum, lo_c)
        return np.where(ok, total / (2 * half + 1), np.nan)


