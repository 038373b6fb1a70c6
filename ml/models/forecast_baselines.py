"""Reference forecasters the main model must beat, with the interface of :mod:`ml.models.forecast`.

* :class:`SeasonalNaive` — next week repeats last week.
* :class:`LinearRegressionPrototype` — caddie's first prototype: per product, a
  straight line fitted by least squares over the day index.
* :class:`AutoETSBaseline` — statsforecast's automatic exponential smoothing with
  a weekly season, one model per product (statsforecast is only needed to fit it).

Empirical intervals use the ``level`` % central range of each product's own
in-sample errors.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LinearRegression

import pandas as pd

from ml.models.forecast_base import BaseForecaster, DemandMatrix, interval_quantiles


class SeasonalNaive(BaseForecaster):
    """Forecast each day with the same weekday of the last observed ``season``.

    The interval adds, for a forecast ``m`` seasons ahead, the product's
    empirical quantiles of ``y[t] - y[t - m * season]``.

    Attributes: ``products_``, ``last_date_``, ``last_season_`` (n_products x season),
    ``history_`` (the fitted demand matrix, for the error quantiles).
    """

    display_name = "SeasonalNaive"

    def __init__(self, level: int = 80, season: int = 7):
        self.level = level
        self.season = season

    def _fit_matrix(self, matrix: DemandMatrix) -> None:
        y = matrix.values
        if y.shape[1] < self.season:
            padding = np.repeat(y[:, :1], self.season - y.shape[1], axis=1)
            y = np.concatenate([padding, y], axis=1)
        self.last_season_ = y[:, -self.season:].copy()
        self.history_ = matrix.values

    def _predict_rows(self, rows: np.ndarray, h: int,
                      signals: pd.DataFrame | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        steps = np.arange(h)
        mean = self.last_season_[rows][:, steps % self.season]
        lo_q, hi_q = interval_quantiles(self.level)
        lower, upper = np.empty_like(mean), np.empty_like(mean)
        y = self.history_[rows]
        for m in np.unique(steps // self.season + 1):
            lag = m * self.season
            cols = steps // self.season + 1 == m
            if y.shape[1] > lag:
                errors = y[:, lag:] - y[:, :-lag]
                lo, hi = np.quantile(errors, [lo_q, hi_q], axis=1)
            else:
                lo = hi = np.zeros(len(rows))
            lower[:, cols] = mean[:, cols] + lo[:, None]
            upper[:, cols] = mean[:, cols] + hi[:, None]
        return mean, lower, upper


class LinearRegressionPrototype(BaseForecaster):
    """caddie's first prototype: per product, ordinary least squares of quantity on the day index.

    Intervals add the product's empirical in-sample residual quantiles.

    Attributes: ``products_``, ``last_date_``, ``n_days_``, ``coef_``, ``intercept_``,
    ``residual_quantiles_`` (n_products x 2).
    """

    display_name = "LinearRegressionPrototype"

    def __init__(self, level: int = 80):
        self.level = level

    def _fit_matrix(self, matrix: DemandMatrix) -> None:
        y = matrix.values
        n_days = y.shape[1]
        t = np.arange(n_days, dtype="float64").reshape(-1, 1)
        lo_q, hi_q = interval_quantiles(self.level)
        self.n_days_ = n_days
        self.coef_ = np.empty(len(y))
        self.intercept_ = np.empty(len(y))
        self.residual_quantiles_ = np.empty((len(y), 2))
        for i, series in enumerate(y):
            line = LinearRegression().fit(t, series)
            self.coef_[i], self.intercept_[i] = line.coef_[0], line.intercept_
            self.residual_quantiles_[i] = np.quantile(series - line.predict(t), [lo_q, hi_q])

    def _predict_rows(self, rows: np.ndarray, h: int,
                      signals: pd.DataFrame | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        t = np.arange(self.n_days_, self.n_days_ + h, dtype="float64")
        mean = self.intercept_[rows, None] + self.coef_[rows, None] * t[None, :]
        lower = mean + self.residual_quantiles_[rows, :1]
        upper = mean + self.residual_quantiles_[rows, 1:]
        return mean, lower, upper


class AutoETSBaseline(BaseForecaster):
    """statsforecast ``AutoETS`` per product, weekly season, with its own ``level`` % intervals.

    Attributes: ``products_``, ``last_date_``, ``models_`` (one fitted AutoETS per product).
    """

    display_name = "AutoETS"

    def __init__(self, level: int = 80, season_length: int = 7):
        self.level = level
        self.season_length = season_length

    def _fit_matrix(self, matrix: DemandMatrix) -> None:
        from statsforecast.models import AutoETS  # optional dependency: only needed to fit

        self.models_ = [AutoETS(season_length=self.season_length).fit(series) for series in matrix.values]

    def _predict_rows(self, rows: np.ndarray, h: int,
                      signals: pd.DataFrame | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        means, lowers, uppers = [], [], []
        for row in rows:
            out = self.models_[row].predict(h=h, level=[self.level])
            means.append(out["mean"])
            lowers.append(out[f"lo-{self.level}"])
            uppers.append(out[f"hi-{self.level}"])
        return np.asarray(means), np.asarray(lowers), np.asarray(uppers)
