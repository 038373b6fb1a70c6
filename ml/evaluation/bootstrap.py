"""Paired bootstrap confidence intervals for "model minus baseline" on the same holdout.

Both functions resample units (customers, products) with replacement and use the same draw for the
model and the baseline, so the interval reflects how much the difference depends on which units
happened to be in the holdout. Intervals are percentile intervals.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["paired_difference", "paired_cluster_difference"]


def _interval(point: float, replicates: np.ndarray, level: float) -> dict[str, float]:
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    tail = 100 * (1 - level) / 2
    low, high = np.nanpercentile(replicates, [tail, 100 - tail])  # a replicate may be undefined (one class)
    return {"diff": float(point), "low": float(low), "high": float(high)}


def paired_difference(model_scores: ArrayLike, baseline_scores: ArrayLike, *, n_boot: int = 2000,
                      level: float = 0.95, seed: int = 0) -> dict[str, float]:
    """Mean of ``model - baseline`` over units and its percentile bootstrap interval.

    Units where either score is NaN are dropped. Returns ``{"diff", "low", "high"}`` (all NaN when no
    unit is left).
    """
    model = np.asarray(model_scores, dtype="float64").ravel()
    baseline = np.asarray(baseline_scores, dtype="float64").ravel()
    if model.size != baseline.size:
        raise ValueError(f"score arrays differ in length: {model.size} != {baseline.size}")
    if n_boot < 1:
        raise ValueError(f"n_boot must be >= 1, got {n_boot}")
    diffs = (model - baseline)[~(np.isnan(model) | np.isnan(baseline))]
    if diffs.size == 0:
        return {"diff": float("nan"), "low": float("nan"), "high": float("nan")}
    rng = np.random.default_rng(seed)
    per_chunk = max(1, 5_000_000 // diffs.size)  # bound memory on large unit counts (50,000 series)
    means = np.concatenate([
        diffs[rng.integers(0, diffs.size, size=(min(per_chunk, n_boot - done), diffs.size))].mean(axis=1)
        for done in range(0, n_boot, per_chunk)
    ])
    return _interval(float(diffs.mean()), means, level)


def paired_cluster_difference(statistic: Callable[[np.ndarray], float], clusters: ArrayLike, *,
                              n_boot: int = 200, level: float = 0.95, seed: int = 0) -> dict[str, float]:
    """Bootstrap a difference computed on rows grouped in clusters (e.g. pairs grouped by customer).

    ``clusters`` gives each row's cluster; each replicate draws clusters with replacement and passes
    ``statistic`` one weight per row (how many times its cluster was drawn). ``statistic(weights)``
    returns model metric minus baseline metric computed with those row weights; all-ones weights give
    the point estimate.
    """
    if n_boot < 1:
        raise ValueError(f"n_boot must be >= 1, got {n_boot}")
    _, codes = np.unique(np.asarray(clusters), return_inverse=True)
    codes = codes.ravel()
    n_clusters = int(codes.max()) + 1 if codes.size else 0
    if n_clusters == 0:
        return {"diff": float("nan"), "low": float("nan"), "high": float("nan")}
    rng = np.random.default_rng(seed)
    replicates = np.empty(n_boot)
    for b in range(n_boot):
        counts = np.bincount(rng.integers(0, n_clusters, size=n_clusters), minlength=n_clusters)
        replicates[b] = statistic(counts[codes].astype("float64"))
    return _interval(statistic(np.ones(codes.size)), replicates, level)
