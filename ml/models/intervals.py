"""Split-conformal prediction intervals: per-series bounds and the calibration behind them.

The forecaster keeps its calibration residuals (actual - forecast on days its
calibration model never saw). Per series, :func:`mondrian_intervals` turns them into
normalised bounds by forecast level and horizon band; :mod:`ml.models.hierarchy` sums
them over the series of a group to bound an aggregate.
"""

from __future__ import annotations

import numpy as np

from ml.models.forecast_base import interval_quantiles

def conformal_quantile(scores: np.ndarray, coverage: float) -> float:
    """The finite-sample-corrected ``coverage`` quantile of conformity scores (split conformal)."""
    scores = np.asarray(scores, dtype="float64")
    scores = scores[np.isfinite(scores)]
    n = scores.size
    if n == 0:
        return 0.0
    q = min(1.0, np.ceil((n + 1) * coverage) / n)
    return float(np.quantile(scores, q, method="higher"))


def count_spread(expected: np.ndarray) -> np.ndarray:
    """Count-like noise scale: the residual of a day expected to sell ``m`` is measured in sqrt(m + 1)."""
    return np.sqrt(np.maximum(expected, 0.0) + 1.0)


HORIZON_BANDS = np.array([7, 14])  # Mondrian bands of horizon: 1-7, 8-14 and 15+ days ahead
_MIN_CELL = 30  # fewer calibration residuals than this in a (level, horizon) cell: use the level bin's


def mondrian_intervals(residuals: np.ndarray, expected: np.ndarray, horizons: np.ndarray, level: int,
                       n_bins: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Split-conformal interval bounds, calibrated separately by forecast level and horizon.

    Residuals (actual - forecast) are normalised by :func:`count_spread` and grouped by
    ``n_bins`` bins of the forecast level (slow and fast sellers) and by the horizon
    bands of :data:`HORIZON_BANDS` (a Mondrian split): within each cell the lower and
    upper normalised bounds each leave out ``(100 - level) / 2`` % of the calibration
    days, with the finite-sample correction. Returns the inner level-bin edges and an
    ``(n_level_bins, n_horizon_bands, 2)`` array of normalised (lower, upper) bounds;
    with no residuals, zero-width bounds.
    """
    lo_q, hi_q = interval_quantiles(level)
    residuals = np.asarray(residuals, dtype="float64")
    expected = np.asarray(expected, dtype="float64")
    n_bands = len(HORIZON_BANDS) + 1
    if residuals.size == 0:
        return np.empty(0), np.zeros((1, n_bands, 2))
    z = residuals / count_spread(expected)
    edges = np.unique(np.quantile(expected, np.linspace(0, 1, n_bins + 1)[1:-1]))
    bins = np.searchsorted(edges, expected, side="right")
    bands = np.searchsorted(HORIZON_BANDS, np.asarray(horizons), side="left")
    bounds = np.zeros((len(edges) + 1, n_bands, 2))
    for b in range(len(edges) + 1):
        in_bin = bins == b
        for band in range(n_bands):
            cell = in_bin & (bands == band)
            zc = z[cell] if cell.sum() >= _MIN_CELL else (z[in_bin] if in_bin.any() else z)
            bounds[b, band] = (-conformal_quantile(-zc, 1 - lo_q), conformal_quantile(zc, hi_q))
    return edges, bounds


def interval_bounds(expected: np.ndarray, horizons: np.ndarray, edges: np.ndarray,
                    bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds around ``expected`` from :func:`mondrian_intervals`' output."""
    bins = np.searchsorted(edges, expected, side="right")
    bands = np.searchsorted(HORIZON_BANDS, np.asarray(horizons), side="left")
    z = bounds[bins, bands]
    spread = count_spread(expected)
    return expected + z[:, 0] * spread, expected + z[:, 1] * spread



def conformal_quantiles(residuals: np.ndarray, calibration_expected: np.ndarray, calibration_horizons: np.ndarray,
                        expected: np.ndarray, horizons: np.ndarray, quantiles: np.ndarray,
                        n_bins: int = 4) -> np.ndarray:
    """Quantiles of each forecast from the calibration residuals, by forecast level and horizon band.

    The residuals are normalised by :func:`count_spread` and split into the cells of
    :func:`mondrian_intervals`; quantile ``q`` of a forecast ``m`` is ``m + z_q * sqrt(m + 1)``, ``z_q``
    the ``q`` quantile of its cell's normalised residuals. Returns ``(len(expected), len(quantiles))``.
    """
    residuals = np.asarray(residuals, dtype="float64").ravel()
    cal_expected = np.asarray(calibration_expected, dtype="float64").ravel()
    cal_bands = np.searchsorted(HORIZON_BANDS, np.asarray(calibration_horizons).ravel(), side="left")
    ok = np.isfinite(residuals)
    residuals, cal_expected, cal_bands = residuals[ok], cal_expected[ok], cal_bands[ok]
    expected = np.asarray(expected, dtype="float64")
    if residuals.size == 0:
        return np.repeat(expected[:, None], len(quantiles), axis=1)
    z = residuals / count_spread(cal_expected)
    edges = np.unique(np.quantile(cal_expected, np.linspace(0, 1, n_bins + 1)[1:-1]))
    cal_bins = np.searchsorted(edges, cal_expected, side="right")
    n_bands = len(HORIZON_BANDS) + 1
    table = np.zeros((len(edges) + 1, n_bands, len(quantiles)))
    for b in range(len(edges) + 1):
        in_bin = cal_bins == b
        for band in range(n_bands):
            cell = in_bin & (cal_bands == band)
            zc = z[cell] if cell.sum() >= _MIN_CELL else (z[in_bin] if in_bin.any() else z)
            table[b, band] = np.quantile(zc, quantiles)
    bins = np.searchsorted(edges, expected, side="right")
    bands = np.searchsorted(HORIZON_BANDS, np.asarray(horizons), side="left")
    return expected[:, None] + table[bins, bands] * count_spread(expected)[:, None]
