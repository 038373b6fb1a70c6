"""Evaluation metrics shared by caddie's tasks: pure numpy functions of arrays."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def _arrays(*values: ArrayLike) -> tuple[np.ndarray, ...]:
    arrays = tuple(np.asarray(v, dtype="float64").ravel() for v in values)
    if len({a.size for a in arrays}) > 1:
        raise ValueError(f"arrays differ in length: {[a.size for a in arrays]}")
    return arrays


# -- forecast --------------------------------------------------------------------------


def mase(y_true: ArrayLike, y_pred: ArrayLike, y_train: ArrayLike, season: int = 7) -> float:
    """Mean absolute scaled error: forecast MAE over the in-sample MAE of the seasonal naive.

    When the seasonal naive is perfect in sample (scale 0, e.g. a constant or
    strictly weekly series) the one-step naive scale is used instead; when that is
    0 too (a constant series) the error cannot be scaled and NaN is returned.
    """
    y_true, y_pred = _arrays(y_true, y_pred)
    train = np.asarray(y_train, dtype="float64").ravel()
    scale = np.nan
    for lag in (season, 1):
        if train.size > lag:
            candidate = np.mean(np.abs(train[lag:] - train[:-lag]))
            if candidate > 0:
                scale = candidate
                break
    if not np.isfinite(scale) or y_true.size == 0:
        return float("nan")
    return float(np.mean(np.abs(y_true - y_pred)) / scale)


def wape(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Weighted absolute percentage error: sum |error| / sum |actual| (NaN when nothing was sold)."""
    y_true, y_pred = _arrays(y_true, y_pred)
    total = np.sum(np.abs(y_true))
    return float(np.sum(np.abs(y_true - y_pred)) / total) if total > 0 else float("nan")


def coverage(y_true: ArrayLike, lower: ArrayLike, upper: ArrayLike) -> float:
    """Share of actual values inside their interval, bounds included."""
    y_true, lower, upper = _arrays(y_true, lower, upper)
    if y_true.size == 0:
        return float("nan")
    return float(np.mean((y_true >= lower) & (y_true <= upper)))


def interval_width(lower: ArrayLike, upper: ArrayLike) -> float:
    """Mean width of prediction intervals."""
    lower, upper = _arrays(lower, upper)
    return float(np.mean(upper - lower)) if lower.size else float("nan")


def _naive_scale(train: np.ndarray, season: int, power: int) -> float:
    """In-sample mean |seasonal naive error| ** power (one-day naive when that is 0; NaN when both are)."""
    for lag in (season, 1):
        if train.size > lag:
            candidate = float(np.mean(np.abs(train[lag:] - train[:-lag]) ** power))
            if candidate > 0:
                return candidate
    return float("nan")


def rmsse(y_true: ArrayLike, y_pred: ArrayLike, y_train: ArrayLike, season: int = 7) -> float:
    """Root mean squared scaled error (M5 accuracy): forecast MSE over the in-sample seasonal naive MSE, rooted.

    It rewards the mean (the forecast that adds up over days and stores); scale as in :func:`mase`.
    """
    y_true, y_pred = _arrays(y_true, y_pred)
    scale = _naive_scale(np.asarray(y_train, dtype="float64").ravel(), season, 2)
    if not np.isfinite(scale) or y_true.size == 0:
        return float("nan")
    return float(np.sqrt(np.mean((y_true - y_pred) ** 2) / scale))


def pinball_loss(y_true: ArrayLike, q_pred: ArrayLike, quantiles: ArrayLike) -> float:
    """Mean pinball (quantile) loss; ``q_pred`` is (n, len(quantiles)), one column per quantile."""
    y = np.asarray(y_true, dtype="float64").ravel()
    q_pred = np.asarray(q_pred, dtype="float64").reshape(y.size, -1)
    tau = np.asarray(quantiles, dtype="float64").ravel()
    if q_pred.shape[1] != tau.size:
        raise ValueError(f"{q_pred.shape[1]} quantile columns for {tau.size} quantiles")
    if y.size == 0:
        return float("nan")
    diff = y[:, None] - q_pred
    return float(np.mean(np.maximum(tau * diff, (tau - 1) * diff)))


def scaled_pinball_loss(y_true: ArrayLike, q_pred: ArrayLike, quantiles: ArrayLike, y_train: ArrayLike,
                        season: int = 7) -> float:
    """Scaled pinball loss (M5 uncertainty track): mean pinball loss over the quantiles / in-sample naive MAE.

    Scaled like :func:`mase`, so a median-only forecast (every quantile the median) scores MASE / 2.
    """
    scale = _naive_scale(np.asarray(y_train, dtype="float64").ravel(), season, 1)
    if not np.isfinite(scale):
        return float("nan")
    return pinball_loss(y_true, q_pred, quantiles) / scale
