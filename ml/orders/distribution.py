"""The distribution of demand summed over several days, from daily forecasts with prediction intervals.

A forecast gives, per day d, a mean m_d and an 80 % interval [l_d, u_d] (quantiles 0.1 and 0.9). For the
total over n days we match a **gamma** distribution to two moments:

    mean      mu  = sum_d m_d
    daily sd  s_d = (u_d - l_d) / (2 z_0.9)          z_0.9 = 1.2816 (the width of a normal 80 % interval)
    variance  v   = (1 - rho) sum_d s_d^2 + rho (sum_d s_d)^2

``rho`` is the correlation of forecast errors between days of one period: 0 treats days as independent
(errors average out over the period), 1 as one shared error (they add up). Errors of a demand forecast are
positively correlated (a level the model misjudges stays misjudged for days), so the default is 0.3; the
backtest reports how often the period's demand stayed under the quantile, which checks this choice.

Why a gamma: demand over a period is non-negative and right-skewed when it is small (slow sellers, short
periods), nearly normal when it is large; a gamma matched to (mu, v) is all three, works for continuous
(normalised) quantities as well as counts, and its quantile is one call. For counts it is the continuous twin
of the negative binomial. Days whose interval has zero width contribute no variance; when every day does, the
total is the point mass mu.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

Z80 = float(stats.norm.ppf(0.9))  # half-width of a normal 80 % interval, in standard deviations
DEFAULT_CORRELATION = 0.3


def interval_sd(lower: np.ndarray, upper: np.ndarray, level: int = 80) -> np.ndarray:
    """Daily standard deviations implied by central ``level`` % intervals, as if they were normal."""
    z = float(stats.norm.ppf(0.5 + level / 200))
    return np.maximum(np.asarray(upper, float) - np.asarray(lower, float), 0.0) / (2 * z)


def period_moments(mean: np.ndarray, sd: np.ndarray, rho: float = DEFAULT_CORRELATION) -> tuple[np.ndarray, ...]:
    """(mu, variance) of the sum over the last axis of days with means ``mean`` and sds ``sd``."""
    mu = np.sum(mean, axis=-1)
    variance = (1 - rho) * np.sum(sd ** 2, axis=-1) + rho * np.sum(sd, axis=-1) ** 2
    return mu, variance


def gamma_quantile(mu: np.ndarray, variance: np.ndarray, q: np.ndarray | float) -> np.ndarray:
    """The ``q`` quantile of the gamma with mean ``mu`` and variance ``variance`` (mu where either is 0)."""
    mu, variance = np.broadcast_arrays(np.asarray(mu, float), np.asarray(variance, float))
    q = np.broadcast_to(np.asarray(q, float), mu.shape)
    out = mu.copy()
    spread = (mu > 0) & (variance > 1e-12)
    if spread.any():
        shape = mu[spread] ** 2 / variance[spread]
        scale = variance[spread] / mu[spread]
        out[spread] = stats.gamma.ppf(q[spread], shape, scale=scale)
    return out


def gamma_cdf(x: np.ndarray, mu: np.ndarray, variance: np.ndarray) -> np.ndarray:
    """P(total <= x) under the matched gamma (a step at mu when there is no spread)."""
    x, mu, variance = np.broadcast_arrays(*(np.asarray(a, float) for a in (x, mu, variance)))
    out = (x >= mu).astype(float)
    spread = (mu > 0) & (variance > 1e-12)
    if spread.any():
        out[spread] = stats.gamma.cdf(x[spread], mu[spread] ** 2 / variance[spread],
                                      scale=variance[spread] / mu[spread])
    return out


def gamma_expected_excess(y: np.ndarray, mu: np.ndarray, variance: np.ndarray) -> np.ndarray:
    """E[(y - total)+]: the stock ``y`` left over after the period, under the matched gamma.

    For a gamma of shape a and scale s (a s = mu), E[(y - D)+] = y F_a(y) - mu F_{a+1}(y); without spread,
    max(y - mu, 0).
    """
    y, mu, variance = np.broadcast_arrays(*(np.asarray(a, float) for a in (y, mu, variance)))
    out = np.maximum(y - mu, 0.0)
    spread = (mu > 0) & (variance > 1e-12)
    if spread.any():
        shape, scale = mu[spread] ** 2 / variance[spread], variance[spread] / mu[spread]
        ys = y[spread]
        out[spread] = ys * stats.gamma.cdf(ys, shape, scale=scale) - mu[spread] * stats.gamma.cdf(
            ys, shape + 1, scale=scale)
    return out


def expected_pinball_loss(y: np.ndarray, mu: np.ndarray, variance: np.ndarray, q: np.ndarray) -> np.ndarray:
    """E[q (D - y)+ + (1 - q) (y - D)+]: the newsvendor's expected cost of holding ``y`` (costs q and 1 - q).

    Since (D - y)+ = (y - D)+ - (y - D), this is E[(y - D)+] - q (y - mu); its minimum is the q quantile.
    """
    return gamma_expected_excess(y, mu, variance) - np.asarray(q, float) * (np.asarray(y, float) - mu)
