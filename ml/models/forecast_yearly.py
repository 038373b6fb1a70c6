"""Yearly peaks from one year of history: last year's shape of the product, where it is clear, on top of the trees.

Why not a feature
-----------------
The trees learn from (origin, target) pairs inside the history. With one year of history no training target
has a day a year before it, so a year-ago feature is missing on every training row and the trees cannot learn
to use it (``year_ago_mean_7d`` stays a sentinel); a yearly index estimated in-sample would leak each training
target into its own feature. The month and ``to_christmas`` features only carry the *average* product's
seasonality. So the product's own yearly shape is applied after the trees, at prediction time, where last year
is in the history, and only where it is clearly more than noise.

The adjustment (per product, over all stores: the chain's counts are large enough to read a shape)
-------------------------------------------------------------------------------------------------
* **Ordinary level** ``base``: the interquartile mean of the product's 7-day chain totals over the history
  (robust: peak weeks and closed weeks do not move it; at least a tenth of the mean week, so that a product
  sold only in its season still has a level to be read against).
* **Last year's index** ``s``: the log ratio of the units sold in the 3 days centred on each forecast day's
  date *last year* (the same calendar date: fixed-date events such as Christmas line up) to what the ordinary
  level expects in those days.
* **Shrinkage** (non-negative garrote): ``s`` with sampling variance ``v = 1/(n + 0.5) + 1/(N + 0.5) +
  noise_floor**2`` (Poisson counts of its window and of the base, plus the year-to-year variation no count
  shows) becomes ``s * max(0, 1 - threshold**2 * v / s**2)``: within ``threshold`` standard errors of 0 it is
  0 (an ordinary day, or one too noisy to tell), far beyond it is nearly untouched (a Christmas peak: log 20 = 3).
* **What last year says**: ``base * exp(s) * growth`` units over the window, ``growth`` the shrunken ratio of
  the last 28 days to the same 28 days a year before when the history holds them (1 otherwise: a one-year
  history cannot tell growth from season).
* **On top of the trees**: where ``s > 0`` and the trees' chain forecast over the same days is below what last
  year says, every store's forecast is multiplied up towards it (down, where ``s < 0`` and the trees are
  above); the trees keep the split between stores and days. The multiplier is at most ``exp(s)`` times the
  trees' own shortfall from the ordinary level raised to the share of ``s`` the garrote kept: a clear peak
  (kept ~1) is read from the ordinary level even when the trees forecast a slow seller below it; an index that
  only just clears the garrote is small, and so is its multiplier. Where ``s`` is 0, or the trees already go
  as far (a promotion planned this year), the trees' forecast is left exactly as it is.

Chosen on a validation chain (``python -m ml.evaluation.yearly_peaks``, seed 11, a Christmas window and three
ordinary ones): threshold 2, noise floor 0.2, 3-day window; tested on other chains over Christmas 2025 (seeds 31, 23).

* **Movable feast**: a product whose sales above its ordinary level fell mostly in the 4 weeks up to Easter
  last year is read at the same distance from Easter (Easter moves by up to five weeks), not the same date.

Limits: the history must hold the days last year (else no adjustment); a peak read from one year is shrunk,
never extrapolated (no trend in the peak itself); other movable events (school holidays by zone) are read by date.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from dateutil.easter import easter

WEEK = 7
RECENT_DAYS = 28
EASTER_SEASON = 28  # days before Easter that its products sell in


@dataclass(frozen=True)
class YearlyShape:
    """Settings of the adjustment: garrote ``threshold`` (standard errors) and ``noise_floor`` (log scale)."""

    threshold: float = 2.0
    noise_floor: float = 0.2
    half_window: int = 1


def ordinary_level(chain: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per product: units of an ordinary week and the units that estimate rests on.

    The interquartile mean of the 7-day totals (weeks counted back from the last day), or a tenth of the mean
    week when that is more (a product sold only in its season has ordinary weeks of 0: its peak is then read
    against a tenth of its mean week, resting on the whole history's units).
    """
    n_weeks = chain.shape[1] // WEEK
    if n_weeks < 4:
        return np.zeros(len(chain)), np.zeros(len(chain))
    weeks = chain[:, chain.shape[1] - n_weeks * WEEK:].reshape(len(chain), n_weeks, WEEK).sum(axis=2)
    lo, hi = np.percentile(weeks, [25, 75], axis=1, method="nearest")
    inside = (weeks >= lo[:, None]) & (weeks <= hi[:, None])
    total = np.where(inside, weeks, 0.0).sum(axis=1)
    level = total / np.maximum(inside.sum(axis=1), 1)
    floor = weeks.mean(axis=1) / 10
    return np.where(level >= floor, level, floor), np.where(level >= floor, total, weeks.sum(axis=1))


def garrote(x: np.ndarray, variance: np.ndarray, threshold: float) -> np.ndarray:
    """Non-negative garrote of ``x``: 0 within ``threshold`` standard errors, nearly ``x`` far beyond."""
    with np.errstate(divide="ignore", invalid="ignore"):
        keep = np.maximum(0.0, 1.0 - threshold ** 2 * variance / np.square(x))
    return np.where(x == 0, 0.0, x * keep)


def _shrunk_index(observed: np.ndarray, expected: np.ndarray, expected_units: np.ndarray,
                  shape: YearlyShape) -> tuple[np.ndarray, np.ndarray]:
    """Shrunken log ratio of a window's units to the units expected there (resting on ``expected_units``),
    and the share of it the garrote kept (0 to 1)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.log((observed + 0.5) / np.where(expected > 0, expected, np.nan))
        variance = 1.0 / (observed + 0.5) + 1.0 / (expected_units + 0.5) + shape.noise_floor ** 2
        shrunk = np.nan_to_num(garrote(x, variance, shape.threshold), nan=0.0)
        keep = np.where(shrunk != 0, shrunk / x, 0.0)
    return shrunk, np.nan_to_num(keep, nan=0.0)


def _log_index(observed: np.ndarray, expected: np.ndarray, expected_units: np.ndarray,
               shape: YearlyShape) -> np.ndarray:
    return _shrunk_index(observed, expected, expected_units, shape)[0]


def last_year_days(first_date: pd.Timestamp, n_days: int, horizon: int) -> np.ndarray:
    """History index of the same calendar date a year before each forecast day 1..horizon (-1: not held)."""
    days = pd.Timestamp(first_date) + pd.to_timedelta(np.arange(n_days, n_days + horizon), unit="D")
    index = ((days - pd.DateOffset(years=1)) - pd.Timestamp(first_date)).days.to_numpy()
    return np.where(index >= 0, index, -1)


def _windows(horizon: int, half: int) -> np.ndarray:
    """(horizon, 2 half + 1) horizon days (0-based) of the window centred on each day, kept inside 0..horizon-1."""
    width = 2 * half + 1
    start = np.clip(np.arange(horizon) - half, 0, max(horizon - width, 0))
    return np.minimum(start[:, None] + np.arange(width)[None, :], horizon - 1)


def yearly_factors(chain: np.ndarray, trees: np.ndarray, first_date: pd.Timestamp,
                   shape: YearlyShape = YearlyShape()) -> np.ndarray:
    """(products, horizon) multipliers of the trees' forecasts (see the module docstring).

    ``chain`` is the products x days history summed over stores; ``trees`` the trees' forecasts of days
    1..horizon after it, summed over the same stores.
    """
    n_days = chain.shape[1]
    horizon = trees.shape[1]
    base, base_units = ordinary_level(chain)
    width = 2 * shape.half_window + 1
    windows = _windows(horizon, shape.half_window)
    by_easter = easter_products(chain, first_date, base)[:, None]
    days = np.where(by_easter, easter_year_days(first_date, n_days, horizon)[None],
                    last_year_days(first_date, n_days, horizon)[None])  # (products, horizon)
    ly = days[:, windows]  # (products, horizon, width)
    held = (ly >= 0) & (np.arange(width) < min(horizon, width))[None, None, :]
    n_held = held.sum(axis=2)
    units_ly = np.where(held, chain[np.arange(len(chain))[:, None, None], np.maximum(ly, 0)], 0.0).sum(axis=2)
    units_trees = np.where(held, trees[:, windows], 0.0).sum(axis=2)
    expected = base[:, None] * n_held / WEEK
    s_t, keep = _shrunk_index(units_ly, expected, base_units[:, None], shape)
    wanted = expected * np.exp(s_t + growth(chain, first_date, shape)[:, None])
    gap = np.log(wanted + 0.01) - np.log(units_trees + 0.01)
    # towards last year; past its index only by the trees' own gap to the ordinary level, as far as the index
    # is trusted (a chance index that just clears the garrote moves the trees by its own small size)
    level = keep * (np.log(expected + 0.01) - np.log(units_trees + 0.01))
    excess = np.clip(gap, np.minimum(s_t + np.minimum(level, 0.0), 0.0), np.maximum(s_t + np.maximum(level, 0.0), 0.0))
    usable = (n_held > width // 2) & (base > 0)[:, None]
    return np.where(usable, np.exp(excess), 1.0)


def easter_year_days(first_date: pd.Timestamp, n_days: int, horizon: int) -> np.ndarray:
    """History index of the day a year before each forecast day 1..horizon at the same distance from Easter."""
    first = pd.Timestamp(first_date)
    days = first + pd.to_timedelta(np.arange(n_days, n_days + horizon), unit="D")
    before = [pd.Timestamp(easter(d.year - 1)) + (d - pd.Timestamp(easter(d.year))) for d in days]
    index = np.array([(b - first).days for b in before])
    return np.where(index >= 0, index, -1)


def easter_products(chain: np.ndarray, first_date: pd.Timestamp, base: np.ndarray) -> np.ndarray:
    """True for the products whose sales above their ordinary level fell mostly in the 4 weeks up to an
    Easter of the history (Easter moves by up to five weeks: their last year is read relative to it)."""
    n_days = chain.shape[1]
    first = pd.Timestamp(first_date)
    last = first + pd.Timedelta(days=n_days - 1)
    season = np.zeros(n_days, dtype=bool)
    for year in range(first.year, last.year + 1):
        day = (pd.Timestamp(easter(year)) - first).days
        if 0 <= day < n_days:
            season[max(day - EASTER_SEASON, 0):day + 1] = True
    above = np.maximum(chain - base[:, None] / WEEK, 0.0)
    total = above.sum(axis=1)
    share = above[:, season].sum(axis=1) / np.where(total > 0, total, 1.0)
    return share >= 0.5


def growth(chain: np.ndarray, first_date: pd.Timestamp, shape: YearlyShape = YearlyShape()) -> np.ndarray:
    """Per product: shrunken log ratio of the last 28 days to the same 28 days a year before (0 when the
    history does not hold them: a one-year history cannot tell growth from seasonality)."""
    n_days = chain.shape[1]
    end_ly = int(last_year_days(first_date, n_days - 1, 1)[0])  # the last day's date, a year before
    if end_ly - RECENT_DAYS + 1 < 0:
        return np.zeros(len(chain))
    recent = chain[:, -RECENT_DAYS:].sum(axis=1)
    before = chain[:, end_ly - RECENT_DAYS + 1:end_ly + 1].sum(axis=1)
    return _log_index(recent, before, before, shape)
