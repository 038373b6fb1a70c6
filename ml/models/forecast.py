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
* **Yearly peaks from one year of history** (:mod:`ml.models.forecast_yearly`): the trees cannot learn
  last year's shape of a product from one year (no training target has a day a year before it), so where
  the history holds last year's days, each product's clear yearly index there (chain level, shrunk by a
  garrote) lifts or lowers the trees' forecast towards what last year says (``yearly=False``: trees only).
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
from ml.models.forecast_signals import censored_days, future_signals, uncensor
from ml.models.forecast_features import (
    MIN_HISTORY, FeatureContext, History, calendar_features, features, group_history,
)
from ml.models.forecast_yearly import YearlyShape, easter_year_days, last_year_days, yearly_factors
from ml.models.intervals import conformal_quantiles, interval_bounds, mondrian_intervals

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
        Passed to every :class:`~sklearn.ensemble.HistGradientBoostingRegressor`. ``learning_rate`` 0.1 and
        ``min_samples_leaf`` 20 won the 4-trial search on the Online Retail validation window ending
        2011-08-18 (``ml.evaluation.forecast_tuning``; SPL 0.5958 against 0.5966 for the former 0.05 / 100).
    clip_scaled_target : float
        With ``point="mean"``, scaled targets (quantity / product scale) above this
        are clipped while training, so a one-off bulk order does not drag the mean.
    calibration_windows : int
        Successive ``horizon``-day windows, counted back from the last day, whose days are forecast
        by a model fitted before them to calibrate the intervals (one extra fit per window; more
        windows see more distinct days, which matters for aggregates of correlated stores).
    max_calibration_values : int
        Calibration cells (origin, horizon) kept per series for aggregate intervals
        (:mod:`ml.models.hierarchy`) are subsampled so that series x cells stays under this
        (at least 60 cells per series). 1,000,000 was chosen on the simulator's validation window at a
        56-day horizon: SPL 0.3269 / coverage 0.802 against 0.3268 / 0.802 with 5,000,000, fitted in half the
        time (the calibration's predictions dominate the fit).
    yearly : bool
        Multiply the trees' forecasts by the product's clear yearly shape of last year (a Christmas peak) where
        the history holds last year's week (:mod:`ml.models.forecast_yearly`); False: the trees alone.
    yearly_threshold, yearly_noise_floor, yearly_half_window :
        The garrote of that shape (standard errors, and the log-scale year-to-year noise added to the counts'),
        and the days either side of the date last year that are read with it.
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

    display_name = "DemandForecaster"
    #: what the validation-window search tries (``ml.evaluation.forecast_tuning``)
    search_space = {"learning_rate": [0.03, 0.05, 0.1], "max_iter": [100, 150, 300],
                    "max_leaf_nodes": [15, 31, 63], "min_samples_leaf": [20, 100, 300]}

    def __init__(self, level: int = 80, horizon: int = 28, point: str = "mean", country: str | None = "FR",
                 origin_step: int = 3, max_rows: int = 60_000, max_iter: int = 150, learning_rate: float = 0.1,
                 max_leaf_nodes: int = 31, min_samples_leaf: int = 20, l2_regularization: float = 1.0,
                 clip_scaled_target: float = 5.0, calibration_windows: int = 3,
                 max_calibration_values: int = 1_000_000, yearly: bool = True, yearly_threshold: float = 2.0,
                 yearly_noise_floor: float = 0.2, yearly_half_window: int = 1,
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
        self.calibration_windows = calibration_windows
        self.max_calibration_values = max_calibration_values
        self.yearly = yearly
        self.yearly_threshold = yearly_threshold
        self.yearly_noise_floor = yearly_noise_floor
        self.yearly_half_window = yearly_half_window
        self.n_threads = n_threads
        self.random_state = random_state

    def __setstate__(self, state: dict) -> None:
        # a model saved before the yearly step existed forecasts as it did: trees only
        for name, value in (("yearly", False), ("yearly_threshold", 2.0), ("yearly_noise_floor", 0.2),
                            ("yearly_half_window", 1)):
            state.setdefault(name, value)
        super().__setstate__(state)

    # -- fitting ------------------------------------------------------------------------

    def _fit_matrix(self, matrix: DemandMatrix) -> None:
        if self.point not in ("mean", "median"):
            raise ValueError(f"point must be 'median' or 'mean', got {self.point!r}")
        with threadpool_limits(limits=self.n_threads, user_api="openmp"):
            self._fit_with_threads(matrix)

    def _fit_with_threads(self, matrix: DemandMatrix) -> None:
        n_series, n_days = matrix.values.shape
        if n_days < MIN_HISTORY + 2:
            raise DataFormatError(f"need at least {MIN_HISTORY + 2} days of history, got {n_days}")
        censored = censored_days(matrix)
        self.censored_share_ = float(censored.mean())
        self.history_ = uncensor(matrix.values, censored)
        future = pd.date_range(matrix.dates[0], periods=n_days + self.horizon, freq="D")
        self.calendar_ = calendar_features(future, self.country)
        self.promo_ = _signal(matrix, "promo", 0.0)
        self.discount_ = _signal(matrix, "discount", 1.0)
        self.product_codes_ = pd.factorize(pd.Index(matrix.products))[0]
        self.store_codes_ = pd.factorize(pd.Index([s for s, _ in matrix.keys]))[0]
        ctx = self._context(np.arange(n_series), self.horizon, None)
        # 1. calibration: fit on everything before the last `cal` days, then forecast those days
        #    from every origin in them (a model that never saw them), and keep the residuals
        self._calibrate(matrix.values, censored, ctx)
        # 2. the final model on the whole history
        (self.point_model_,) = self._fit_models(ctx, censored, last_target=n_days - 1)

    def _context(self, rows: np.ndarray, h: int, signals: pd.DataFrame | None) -> FeatureContext:
        """Feature context over the history and ``h`` future days (future drivers from ``signals``)."""
        promo, discount = future_signals(self, rows, h, signals)
        return FeatureContext(
            hist=History(self.history_), calendar=self.calendar_, promo=promo, discount=discount,
            chain=group_history(self.history_, self.product_codes_), product_of=self.product_codes_,
            store=group_history(self.history_, self.store_codes_), store_of=self.store_codes_,
        )

    def _calibration_cells(self, n_series: int, n_days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(origin, horizon, window) of every calibration cell, subsampled to the cell budget.

        Window ``w`` holds out the ``cal`` days ending ``w * cal`` days before the last one; its
        cells forecast them from every origin inside it.
        """
        cal = min(self.horizon, n_days - MIN_HISTORY - 1)
        cells = []
        for w in range(max(1, int(self.calibration_windows))):
            end = n_days - 1 - w * cal
            start = end - cal
            if start - 1 < MIN_HISTORY:
                break
            cells += [(o, k, w) for o in range(start, end) for k in range(1, end - o + 1)]
        table = np.array(cells, dtype=int).reshape(-1, 3)
        budget = max(60, int(self.max_calibration_values) // max(n_series, 1))
        if len(table) > budget:
            keep = np.sort(np.random.default_rng(self.random_state).choice(len(table), budget, replace=False))
            table = table[keep]
        return table[:, 0], table[:, 1], table[:, 2]

    def _calibrate(self, observed: np.ndarray, censored: np.ndarray, ctx: FeatureContext) -> None:
        """Set the per-series interval calibration and the calibration cells kept for aggregates.

        Cells are (origin, horizon) pairs in the last ``calibration_windows`` x ``horizon`` days,
        the same for every series, each forecast by a model fitted on the days before its window,
        subsampled to ``max_calibration_values`` series x cells; a censored target day (stock-out)
        leaves its cell's residual NaN.
        """
        n_series, n_days = observed.shape
        cell_t, cell_k, cell_w = self._calibration_cells(n_series, n_days)
        residuals, expected = np.zeros((n_series, cell_k.size)), np.zeros((n_series, cell_k.size))
        for w in np.unique(cell_w):
            at = np.flatnonzero(cell_w == w)
            (model,) = self._fit_models(ctx, censored, last_target=int(cell_t[at].min()))
            r = np.repeat(np.arange(n_series), at.size)
            t, k = np.tile(cell_t[at], n_series), np.tile(cell_k[at], n_series)
            expected[:, at] = self._predict_mean(model, ctx, r, t, k).reshape(n_series, -1)
            actual = observed[r, t + k].reshape(n_series, -1)
            residuals[:, at] = np.where(censored[r, t + k].reshape(n_series, -1), np.nan, actual - expected[:, at])
        ok = np.isfinite(residuals.ravel())
        self.interval_edges_, self.interval_z_ = mondrian_intervals(
            residuals.ravel()[ok], expected.ravel()[ok], np.tile(cell_k, n_series)[ok], self.level)
        self.calibration_horizons_ = cell_k
        self.calibration_residuals_ = residuals.astype("float32")
        self.calibration_expected_ = expected.astype("float32")

    def _training_rows(self, n_series: int, censored: np.ndarray, last_target: int) -> tuple[np.ndarray, ...]:
        """At most ``max_rows`` (series, origin, horizon) triples whose target day is observed and uncensored."""
        origins = np.arange(MIN_HISTORY - 1, last_target, max(1, int(self.origin_step)))
        pt, pk = (a.ravel() for a in np.meshgrid(origins, np.arange(1, self.horizon + 1), indexing="ij"))
        pt, pk = pt[pt + pk <= last_target], pk[pt + pk <= last_target]
        rng = np.random.default_rng(self.random_state)
        total = n_series * pt.size
        if total <= 4 * self.max_rows:  # small: every triple, then a subsample
            r, pair = np.repeat(np.arange(n_series), pt.size), np.tile(np.arange(pt.size), n_series)
        else:  # large (e.g. 50,000 series): draw triples directly, a few more than needed
            n_draw = int(1.2 * self.max_rows / max(1e-3, 1.0 - float(censored.mean())))
            r, pair = rng.integers(0, n_series, n_draw), rng.integers(0, pt.size, n_draw)
        t, k = pt[pair], pk[pair]
        ok = ~censored[r, t + k]
        r, t, k = r[ok], t[ok], k[ok]
        if len(r) > self.max_rows:
            sample = np.sort(rng.choice(len(r), self.max_rows, replace=False))
            r, t, k = r[sample], t[sample], k[sample]
        return r, t, k

    def _boosting(self, **loss: object) -> HistGradientBoostingRegressor:
        return HistGradientBoostingRegressor(
            max_iter=self.max_iter, learning_rate=self.learning_rate, max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf, l2_regularization=self.l2_regularization,
            early_stopping=False, random_state=self.random_state, **loss,
        )

    def _fit_models(self, ctx: FeatureContext, censored: np.ndarray,
                    last_target: int) -> tuple[HistGradientBoostingRegressor, ...]:
        r, t, k = self._training_rows(ctx.hist.y.shape[0], censored, last_target)
        x, scale = features(ctx, r, t, k)
        target = ctx.hist.y[r, t + k] / scale  # uncensored days only: hist.y equals the sales there
        if self.point == "median":
            point = self._boosting(loss="absolute_error").fit(x, target)
        else:
            point = self._boosting(loss="poisson").fit(x, np.minimum(target, self.clip_scaled_target))
        return (point,)

    @staticmethod
    def _predict_mean(model: HistGradientBoostingRegressor, ctx: FeatureContext, r: np.ndarray, t: np.ndarray,
                      k: np.ndarray, chunk: int = 400_000) -> np.ndarray:
        """The model's mean forecast of each triple, computed in chunks to bound memory."""
        out = np.empty(len(r))
        for lo in range(0, len(r), chunk):
            x, scale = features(ctx, r[lo:lo + chunk], t[lo:lo + chunk], k[lo:lo + chunk])
            out[lo:lo + chunk] = np.maximum(model.predict(x), 0.0) * scale
        return out

    # -- prediction ---------------------------------------------------------------------

    def _predict_rows(self, rows: np.ndarray, h: int,
                      signals: pd.DataFrame | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if h > self.horizon:
            first = (self.last_date_ + pd.Timedelta(days=1)).date()
            raise DateOutOfRange((self.last_date_ + pd.Timedelta(days=h)).date(), first,
                                 (self.last_date_ + pd.Timedelta(days=self.horizon)).date())
        with threadpool_limits(limits=self.n_threads, user_api="openmp"):
            if self.yearly and self._holds_last_year():
                mean = self._yearly_mean(rows, signals)[:, :h].ravel()
            else:
                mean = self._trees_mean(rows, h, signals).ravel()
        k = np.tile(np.arange(1, h + 1), len(rows))
        lower, upper = interval_bounds(mean, k, self.interval_edges_, self.interval_z_)
        shape = (len(rows), h)
        return mean.reshape(shape), lower.reshape(shape), upper.reshape(shape)

    def _trees_mean(self, rows: np.ndarray, h: int, signals: pd.DataFrame | None) -> np.ndarray:
        """(len(rows), h) mean forecasts of the boosting model from the last fitted day."""
        ctx = self._context(rows, h, signals)
        r = np.repeat(rows, h)
        k = np.tile(np.arange(1, h + 1), len(rows))
        t = np.full(len(r), self.history_.shape[1] - 1)
        return self._predict_mean(self.point_model_, ctx, r, t, k).reshape(len(rows), h)

    def _holds_last_year(self) -> bool:
        """True when some forecast day's date a year before is in the history (else no factor can differ from 1)."""
        n_days = self.history_.shape[1]
        return any(bool((days(self.first_date_, n_days, self.horizon) >= 0).any())
                   for days in (last_year_days, easter_year_days))

    def _yearly_mean(self, rows: np.ndarray, signals: pd.DataFrame | None) -> np.ndarray:
        """(len(rows), horizon) trees' forecasts times each product's yearly factor.

        The factors need the trees' forecast of every store of the product over the whole horizon (whatever
        ``rows`` and ``h`` are asked: the same day gets the same forecast).
        """
        codes = self.product_codes_
        products = np.unique(codes[rows])
        involved = np.flatnonzero(np.isin(codes, products))
        trees = self._trees_mean(involved, self.horizon, signals)
        local = np.searchsorted(products, codes[involved])
        chain_trees = np.zeros((len(products), self.horizon))
        np.add.at(chain_trees, local, trees)
        chain = group_history(self.history_, codes).y[products]
        shape = YearlyShape(threshold=self.yearly_threshold, noise_floor=self.yearly_noise_floor,
                            half_window=int(self.yearly_half_window))
        factors = yearly_factors(chain, chain_trees, self.first_date_, shape)
        position = np.searchsorted(involved, rows)
        return trees[position] * factors[local[position]]

    def _quantile_rows(self, rows: np.ndarray, h: int, signals: pd.DataFrame | None, quantiles: np.ndarray,
                       frame: pd.DataFrame) -> np.ndarray:
        """Quantiles from the conformal calibration residuals (:func:`~ml.models.intervals.conformal_quantiles`)."""
        cells = np.broadcast_to(self.calibration_horizons_, self.calibration_residuals_.shape)
        return conformal_quantiles(self.calibration_residuals_, self.calibration_expected_, cells,
                                   frame["mean"].to_numpy(), np.tile(np.arange(1, h + 1), len(rows)), quantiles)


def _signal(matrix: DemandMatrix, name: str, default: float) -> np.ndarray:
    """A driver's series x days table from the fitted frame (``default`` where unknown)."""
    table = matrix.signals.get(name)
    if table is None:
        return np.full(matrix.values.shape, default)
    return np.where(np.isnan(table), default, table)
