"""Daily demand forecasting: one global gradient-boosting model for every store x product series.

Every forecaster of caddie (this one and the baselines of
:mod:`ml.models.forecast_baselines`) shares the interface of :mod:`ml.models.forecast_base`::

    model.fit(daily) -> self     # daily: DataFrame[store_id, product_id, date, quantity (+ promo, discount, stockout_hours)]
    model.predict(h, series=None, signals=None) -> DataFrame[store_id, product_id, date, mean, lower, upper]

Design of :class:`DemandForecaster`
-----------------------------------
* **Direct multi-horizon.** A training row is (product, forecast origin ``t``,
  horizon ``k``): its features are computed from the history up to ``t`` and
  the calendar of day ``t + k``; its target is the quantity of day ``t + k``.
  One model serves every horizon (``k`` is a feature), so there is no error
  compounding as in a recursive forecast and prediction intervals need no
  simulated sample paths.
* **Global and scale-free.** Targets and level features are divided by the
  product's recent mean, so one model learns shapes (weekly profile, trend,
  intermittency) shared by large and small sellers; the scale is multiplied
  back at prediction time.
* **Poisson loss** for the mean: demand is a non-negative count-like quantity
  with many zero days; the log link keeps every forecast positive.
* **Mondrian split-conformal intervals** around the point forecast: the last
  ``horizon`` days are held out once, forecast by a model that never saw them
  (from every origin in that window), and the residuals, normalised by a count-like spread
  sqrt(forecast + 1), give the lower and upper bounds, each side calibrated to
  miss its own share of days, separately for four bands of forecast level (slow
  sellers get their own, more skewed intervals) and three bands of horizon (1-7,
  8-14, 15+ days: far days get the wider errors of far days). Then the model is refitted on the
  whole history. Quantile boosting was tried first and dropped: with many zero
  days its lower model never left its all-zero start (every residual >= 0 gives
  constant gradients, hence no split), which made every lower bound 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits
from sklearn.ensemble import HistGradientBoostingRegressor

from ml.errors import DataFormatError, DateOutOfRange
from ml.models.forecast_base import (
    DAILY_COLUMNS, FORECAST_COLUMNS, BaseForecaster, DemandMatrix, demand_matrix, interval_quantiles,
)
from ml.models.forecast_features import MIN_HISTORY, History, calendar_features, features
from ml.models.intervals import interval_bounds, mondrian_intervals

__all__ = ["DAILY_COLUMNS", "FORECAST_COLUMNS", "BaseForecaster", "DemandForecaster", "DemandMatrix",
           "demand_matrix", "interval_quantiles"]



class DemandForecaster(BaseForecaster):
    """Global direct multi-horizon gradient boosting with conformalised intervals.

    Parameters
    ----------
    level : int
        Prediction interval level in percent.
    horizon : int
        Longest horizon (days) the model is trained for; ``predict(h)`` with a
        larger ``h`` raises :class:`ml.errors.DateOutOfRange`.
    point : {"mean", "median"}
        What the ``mean`` column holds. "mean" (default: Poisson boosting, scaled
        targets clipped at ``clip_scaled_target``) is the expected quantity, the one
        logistics can add up over days, and stays informative on intermittent
        products. "median" (absolute-error boosting) minimises absolute errors, hence
        scores better on MASE and WAPE on lumpy wholesale data, but forecasts 0 for
        any product that sells on fewer than half of the days.
    country : str or None
        Country code of the public holidays used as features (``holidays`` package); None for none.
    origin_step : int
        Take every ``origin_step``-th day as a training forecast origin (1 uses every day;
        keep it prime to 7 so origins fall on every weekday).
    max_rows : int
        Each boosting model learns from a random subsample of at most this many
        (product, origin, horizon) rows: neighbouring origins share most of their
        history, so more rows add time rather than information.
    max_iter, learning_rate, max_leaf_nodes, min_samples_leaf, l2_regularization :
        Passed to every :class:`~sklearn.ensemble.HistGradientBoostingRegressor`.
    clip_scaled_target : float
        With ``point="mean"``, scaled targets (quantity / product scale) above this
        are clipped while training, so a one-off bulk order does not drag the mean.
    max_calibration_values : int
        Calibration cells (origin, horizon) kept per series for aggregate intervals
        (:mod:`ml.models.hierarchy`) are subsampled so that series x cells stays under this
        (at least 60 cells per series).
    n_threads : int or None
        OpenMP threads of the boosting fits (None: all cores). One is the default:
        on a small shared machine, OpenMP spin-waiting makes more threads slower.
    random_state : int

    Attributes
    ----------
    products_, first_date_, last_date_ : products and span seen in ``fit``
    point_model_ : the fitted boosting model
    calendar_ : calendar features of every day from the first fitted day to the horizon
    interval_edges_, interval_z_ : the Mondrian conformal calibration of the intervals
        (forecast-level bin edges, and per level bin and horizon band the normalised lower/upper bounds)
    calibration_horizons_, calibration_residuals_, calibration_expected_ : the calibration cells kept
        for aggregates: each cell's horizon, and per series x cell the residual and forecast (float32)
    history_ : the fitted demand matrix (the features of a forecast need it)
    """

    def __init__(self, level: int = 80, horizon: int = 28, point: str = "mean", country: str | None = "FR",
                 origin_step: int = 3, max_rows: int = 60_000, max_iter: int = 150, learning_rate: float = 0.05,
                 max_leaf_nodes: int = 31, min_samples_leaf: int = 100, l2_regularization: float = 1.0,
                 clip_scaled_target: float = 5.0, max_calibration_values: int = 5_000_000,
                 n_threads: int | None = 1, random_state: int = 0):
        self.level = level
        self.horizon = horizon
        self.point = point
        self.country = country
        self.origin_step = origin_step
        self.max_rows = max_rows
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.clip_scaled_target = clip_scaled_target
        self.max_calibration_values = max_calibration_values
        self.n_threads = n_threads
        self.random_state = random_state

    # -- fitting ------------------------------------------------------------------------

    def _fit_matrix(self, matrix: DemandMatrix) -> None:
        if self.point not in ("mean", "median"):
            raise ValueError(f"point must be 'median' or 'mean', got {self.point!r}")
        with threadpool_limits(limits=self.n_threads, user_api="openmp"):
            self._fit_with_threads(matrix)

    def _fit_with_threads(self, matrix: DemandMatrix) -> None:
        n_days = matrix.values.shape[1]
        if n_days < MIN_HISTORY + 2:
            raise DataFormatError(f"need at least {MIN_HISTORY + 2} days of history, got {n_days}")
        self.history_ = matrix.values
        future = pd.date_range(matrix.dates[0], periods=n_days + self.horizon, freq="D")
        self.calendar_ = calendar_features(future, self.country)
        hist = History(matrix.values)

        # 1. calibration: fit on everything before the last `cal` days, then forecast those days
        #    from every origin in them (a model that never saw them), and keep the residuals
        self._calibrate(matrix, hist)
        # 2. the final model on the whole history
        (self.point_model_,) = self._fit_models(hist, last_target=n_days - 1)

    def _calibrate(self, matrix: DemandMatrix, hist: History) -> None:
        """Set the per-series interval calibration and the calibration cells kept for aggregates."""
        n_series, n_days = matrix.values.shape
        cal = min(self.horizon, n_days - MIN_HISTORY - 1)
        cal_origin = n_days - 1 - cal
        cell_t = np.array([o for o in range(cal_origin, n_days - 1) for _ in range(n_days - 1 - o)], dtype=int)
        cell_k = np.array([k for o in range(cal_origin, n_days - 1) for k in range(1, n_days - o)], dtype=int)
        residuals = expected = np.zeros((n_series, 0))
        if cal_origin - 1 >= MIN_HISTORY and cell_t.size:
            (model,) = self._fit_models(hist, last_target=cal_origin)
            r = np.repeat(np.arange(n_series), cell_t.size)
            t, k = np.tile(cell_t, n_series), np.tile(cell_k, n_series)
            x, scale = features(hist, self.calendar_, r, t, k)
            expected = (np.maximum(model.predict(x), 0.0) * scale).reshape(n_series, -1)
            residuals = matrix.values[r, t + k].reshape(n_series, -1) - expected
        else:
            cell_t, cell_k = cell_t[:0], cell_k[:0]
        self.interval_edges_, self.interval_z_ = mondrian_intervals(
            residuals.ravel(), expected.ravel(), np.tile(cell_k, n_series), self.level)
        # cells kept for aggregate intervals (ml.models.hierarchy): the same cells for every series
        budget = max(60, int(self.max_calibration_values) // max(n_series, 1))
        keep = np.arange(cell_k.size)
        if keep.size > budget:
            keep = np.sort(np.random.default_rng(self.random_state).choice(keep.size, budget, replace=False))
        self.calibration_horizons_ = cell_k[keep]
        self.calibration_residuals_ = residuals[:, keep].astype("float32")
        self.calibration_expected_ = expected[:, keep].astype("float32")

    def _training_rows(self, hist: History, last_target: int) -> tuple[np.ndarray, ...]:
        n_products = hist.y.shape[0]
        origins = np.arange(MIN_HISTORY - 1, last_target, max(1, int(self.origin_step)))
        horizons = np.arange(1, self.horizon + 1)
        r, t, k = np.meshgrid(np.arange(n_products), origins, horizons, indexing="ij")
        r, t, k = r.ravel(), t.ravel(), k.ravel()
        keep = t + k <= last_target
        return r[keep], t[keep], k[keep]

    def _boosting(self, **loss: object) -> HistGradientBoostingRegressor:
        return HistGradientBoostingRegressor(
            max_iter=self.max_iter, learning_rate=self.learning_rate, max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf, l2_regularization=self.l2_regularization,
            early_stopping=False, random_state=self.random_state, **loss,
        )

    def _fit_models(self, hist: History, last_target: int) -> tuple[HistGradientBoostingRegressor, ...]:
        r, t, k = self._training_rows(hist, last_target)
        if len(r) > self.max_rows:
            sample = np.sort(np.random.default_rng(self.random_state).choice(len(r), self.max_rows, replace=False))
            r, t, k = r[sample], t[sample], k[sample]
        x, scale = features(hist, self.calendar_, r, t, k)
        target = hist.y[r, t + k] / scale
        if self.point == "median":
            point = self._boosting(loss="absolute_error").fit(x, target)
        else:
            point = self._boosting(loss="poisson").fit(x, np.minimum(target, self.clip_scaled_target))
        return (point,)

    # -- prediction ---------------------------------------------------------------------

    def _predict_rows(self, rows: np.ndarray, h: int,
                      signals: pd.DataFrame | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if h > self.horizon:
            first = (self.last_date_ + pd.Timedelta(days=1)).date()
            raise DateOutOfRange((self.last_date_ + pd.Timedelta(days=h)).date(), first,
                                 (self.last_date_ + pd.Timedelta(days=self.horizon)).date())
        n_days = self.history_.shape[1]
        hist = History(self.history_)
        r = np.repeat(rows, h)
        k = np.tile(np.arange(1, h + 1), len(rows))
        x, scale = features(hist, self.calendar_, r, np.full(len(r), n_days - 1), k)
        with threadpool_limits(limits=self.n_threads, user_api="openmp"):
            mean = np.maximum(self.point_model_.predict(x), 0.0) * scale
        lower, upper = interval_bounds(mean, k, self.interval_edges_, self.interval_z_)
        shape = (len(rows), h)
        return mean.reshape(shape), lower.reshape(shape), upper.reshape(shape)
