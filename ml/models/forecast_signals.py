"""Drivers of daily demand beyond its own history: stock-outs (censoring) and known-ahead promotions.

Stock-outs
----------
A day with ``stockout_hours > 0`` sold what was on the shelf, not what customers
wanted: its sales *understate* demand (they are right-censored). The forecaster
treats such days as censored:

* **training targets**: a censored day is never a target (dropped from the loss), so the
  model learns demand from days where sales equal demand;
* **features**: before any rolling mean, lag or scale is computed, a censored day's sales
  are replaced by ``max(sales, mean of the uncensored days of the 28 days before)``
  (:func:`uncensor`), so a week of empty shelves does not drag the level features, and
  hence the forecast, down;
* **calibration**: a censored target day leaves its residual out of the conformal intervals.

Unknown stock-out hours (NaN, or no ``stockout_hours`` column) count as uncensored.
Scoring (``ml.evaluation.forecast``) reports every day and, as the headline,
stock-out-free days only, where sales measure demand.

Promotions and discounts
------------------------
``promo`` (1 on a promotion day) and ``discount`` (price ratio) are known ahead: a
forecast may be given the planned drivers of the forecast days (``predict(...,
signals=frame)``, columns store_id, product_id, date, promo, discount). Days and series
the frame does not cover carry their last observed value forward.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ml.data.schema import DEFAULT_STORE_ID
from ml.models.forecast_base import DemandMatrix

UNCENSOR_WINDOW = 28


def censored_days(matrix: DemandMatrix) -> np.ndarray:
    """Boolean series x days table: True where a stock-out hides part of the demand."""
    hours = matrix.signals.get("stockout_hours")
    if hours is None:
        return np.zeros(matrix.values.shape, dtype=bool)
    return np.nan_to_num(hours, nan=0.0) > 0


def uncensor(y: np.ndarray, censored: np.ndarray, window: int = UNCENSOR_WINDOW) -> np.ndarray:
    """Sales with each censored day raised to the mean of the uncensored days of the ``window`` days before.

    Without an uncensored day in that window the series' mean over all its uncensored days is
    used; a series censored every day keeps its sales. Never lowers a value.
    """
    if not censored.any():
        return y
    clean = np.where(censored, 0.0, y)
    n_clean = (~censored).astype(float)
    cum = np.concatenate([np.zeros((len(y), 1)), np.cumsum(clean, axis=1)], axis=1)
    cnt = np.concatenate([np.zeros((len(y), 1)), np.cumsum(n_clean, axis=1)], axis=1)
    day = np.arange(y.shape[1])
    lo = np.maximum(day - window, 0)
    total, count = cum[:, day] - cum[:, lo], cnt[:, day] - cnt[:, lo]
    overall = np.divide(cum[:, -1], cnt[:, -1], out=np.full(len(y), np.nan), where=cnt[:, -1] > 0)
    recent = np.divide(total, count, out=np.repeat(overall[:, None], y.shape[1], axis=1), where=count > 0)
    estimate = np.where(np.isnan(recent), y, recent)
    return np.where(censored, np.maximum(y, estimate), y)


def future_signals(model, rows: np.ndarray, h: int, signals: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    """Promo and discount tables over the fitted days and ``h`` (at least the model's horizon) days after.

    Future days carry each series' last observed value; rows of ``signals`` for fitted series and
    future days override them.
    """
    n_series, n_days = model.promo_.shape
    extra = max(h, int(model.horizon))
    promo = np.concatenate([model.promo_, np.repeat(model.promo_[:, -1:], extra, axis=1)], axis=1)
    discount = np.concatenate([model.discount_, np.repeat(model.discount_[:, -1:], extra, axis=1)], axis=1)
    if signals is None or signals.empty:
        return promo, discount
    index = {key: i for i, key in enumerate(model.series_)}
    store = signals["store_id"].astype(str) if "store_id" in signals else pd.Series(DEFAULT_STORE_ID, index=signals.index)
    row = np.array([index.get(k, -1) for k in zip(store, signals["product_id"].astype(str))])
    day = ((pd.to_datetime(signals["date"]).dt.normalize() - model.first_date_) // pd.Timedelta(days=1)).to_numpy()
    ok = (row >= 0) & (day >= n_days) & (day < n_days + extra)
    for name, table in (("promo", promo), ("discount", discount)):
        if name in signals:
            values = pd.to_numeric(signals[name], errors="coerce").to_numpy(dtype="float64")
            good = ok & np.isfinite(values)
            table[row[good], day[good]] = values[good]
    return promo, discount
