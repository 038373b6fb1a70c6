"""The strongest public peers of :class:`~ml.models.forecast.DemandForecaster`, behind the same interface.

* :class:`LightGBMPeer` — mlforecast's global LightGBM model (lags, rolling and seasonal rolling
  means, calendar features), recursive, with mlforecast's conformal intervals.
* :class:`StatsPeer` — one statsforecast model per series: ``AutoTheta`` (its own intervals),
  ``CrostonSBA`` and ``TSB`` (intermittent demand; statsforecast's conformal intervals).
* :class:`MedianEnsemble` — the per-day median of several forecasters' means and quantiles.

They need the ``bench`` extra (``pip install -e '.[bench]'``: mlforecast, lightgbm, statsforecast);
importing this module does not. Each peer forecasts its ``horizon`` days at fit time, as a set of
central intervals whose bounds are the deciles 0.1 ... 0.9 (levels 20, 40, 60, 80) plus the ``level``
% interval; :meth:`predict` and :meth:`predict_quantiles` read them back (``h`` up to ``horizon``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from ml.models.forecast_base import BaseForecaster, DemandMatrix, interval_quantiles, quantile_column

#: central interval levels whose bounds give the deciles (level 20 -> quantiles 0.4 and 0.6, ...)
_DECILE_LEVELS = (20, 40, 60, 80)


def long_frame(matrix: DemandMatrix) -> pd.DataFrame:
    """Nixtla's long frame [unique_id, ds, y]: one row per series and day, ``unique_id`` the matrix row."""
    n_series, n_days = matrix.values.shape
    return pd.DataFrame({"unique_id": np.repeat(np.arange(n_series), n_days),
                         "ds": np.tile(matrix.dates.to_numpy(), n_series),
                         "y": matrix.values.ravel()})


class _GridPeer(BaseForecaster):
    """A peer whose forecast is computed at fit time as a quantile grid (series x horizon x quantiles)."""

    level: int
    horizon: int

    def _levels(self) -> list[int]:
        return sorted({*_DECILE_LEVELS, int(self.level)})

    def _store_grid(self, forecast: pd.DataFrame, column: str, n_series: int) -> None:
        """Keep ``forecast`` (Nixtla output with lo-/hi- columns) as mean and sorted quantile grid."""
        forecast = forecast.sort_values(["unique_id", "ds"])
        shape = (n_series, self.horizon)
        self.mean_ = np.maximum(forecast[column].to_numpy(dtype="float64").reshape(shape), 0.0)
        probs, columns = [0.5], [self.mean_]
        for lv in self._levels():
            lo, hi = interval_quantiles(lv)
            for prob, side in ((lo, "lo"), (hi, "hi")):
                probs.append(prob)
                columns.append(forecast[f"{column}-{side}-{lv}"].to_numpy(dtype="float64").reshape(shape))
        order = np.argsort(probs)
        self.grid_probs_ = np.asarray(probs)[order]
        grid = np.stack(columns, axis=-1)[..., order]
        self.grid_ = np.maximum.accumulate(np.maximum(grid, 0.0), axis=-1)

    def _check_h(self, h: int) -> None:
        if h > self.horizon:
            raise ValueError(f"{type(self).__name__} was fitted for {self.horizon} days, asked {h}")

    def _predict_rows(self, rows: np.ndarray, h: int,
                      signals: pd.DataFrame | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        self._check_h(h)
        lo, hi = interval_quantiles(self.level)
        q = self._grid_quantiles(rows, h, np.array([lo, hi]))
        return self.mean_[rows, :h], q[:, 0].reshape(len(rows), h), q[:, 1].reshape(len(rows), h)

    def _grid_quantiles(self, rows: np.ndarray, h: int, quantiles: np.ndarray) -> np.ndarray:
        grid = self.grid_[rows, :h].reshape(len(rows) * h, -1)
        return np.stack([np.interp(quantiles, self.grid_probs_, g) for g in grid]) if len(grid) else \
            np.zeros((0, len(quantiles)))

    def _quantile_rows(self, rows: np.ndarray, h: int, signals: pd.DataFrame | None, quantiles: np.ndarray,
                       frame: pd.DataFrame) -> np.ndarray:
        self._check_h(h)
        return self._grid_quantiles(rows, h, quantiles)


class LightGBMPeer(_GridPeer):
    """mlforecast + LightGBM global model with conformal intervals (``n_windows`` windows of ``horizon`` days).

    ``objective`` "tweedie" was chosen on the Online Retail validation window (ending 2011-08-18) among
    regression (L2), poisson, tweedie and quantile: store x product MASE 4.81 / 3.43 / 2.01 / 1.70 and
    SPL 1.91 / 1.37 / 0.97 / 1.25 (tweedie: best SPL and RMSSE). ``n_estimators`` 600 and ``num_leaves`` 63
    then won the 4-trial search of ``ml.evaluation.forecast_tuning`` on the same window (SPL 0.680 against
    0.970 for 300 / 31), the budget DemandForecaster and the statsforecast peers got.
    """

    def __init__(self, level: int = 80, horizon: int = 28, n_estimators: int = 600, learning_rate: float = 0.05,
                 num_leaves: int = 63, n_windows: int = 2, objective: str = "tweedie",
                 random_state: int = 0):
        self.level = level
        self.horizon = horizon
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.n_windows = n_windows
        self.objective = objective
        self.random_state = random_state

    search_space = {"n_estimators": [100, 300, 600], "learning_rate": [0.02, 0.05, 0.1],
                    "num_leaves": [15, 31, 63]}

    def _fit_matrix(self, matrix: DemandMatrix) -> None:
        from lightgbm import LGBMRegressor
        from mlforecast import MLForecast
        from mlforecast.lag_transforms import RollingMean, SeasonalRollingMean
        from mlforecast.utils import PredictionIntervals

        model = LGBMRegressor(n_estimators=self.n_estimators, learning_rate=self.learning_rate,
                              num_leaves=self.num_leaves, objective=self.objective, random_state=self.random_state, n_jobs=1, verbose=-1)
        forecaster = MLForecast(
            models={"lgbm": model}, freq="D", lags=[1, 7, 14, 28],
            lag_transforms={1: [RollingMean(window_size=7), RollingMean(window_size=28)],
                            7: [SeasonalRollingMean(season_length=7, window_size=4)]},
            date_features=["dayofweek", "month", "day"], num_threads=1)
        data = long_frame(matrix)
        forecaster.fit(data, prediction_intervals=PredictionIntervals(n_windows=self.n_windows, h=self.horizon))
        out = forecaster.predict(self.horizon, level=self._levels())
        self._store_grid(out, "lgbm", len(matrix.keys))


class StatsPeer(_GridPeer):
    """One statsforecast model per series: ``model`` is "AutoTheta", "CrostonSBA" or "TSB".

    AutoTheta gives its own intervals; the intermittent-demand models get statsforecast's conformal
    intervals over ``n_windows`` windows of ``horizon`` days. Defaults from the 4-trial search of
    ``ml.evaluation.forecast_tuning`` on the Online Retail validation window (ending 2011-08-18, lowest SPL):
    AutoTheta additive standard theta ("STM", SPL 1.036 against 1.038 for statsforecast's automatic
    multiplicative choice, and 3 times faster), TSB ``alpha_p`` 0.05 (0.827 against 0.858 for 0.1).
    CrostonSBA has no parameter to tune.
    """

    MODELS = ("AutoTheta", "CrostonSBA", "TSB")

    def __init__(self, model: str = "AutoTheta", level: int = 80, horizon: int = 28, season_length: int = 7,
                 alpha_d: float = 0.1, alpha_p: float = 0.05, n_windows: int = 2,
                 decomposition_type: str = "additive", theta_model: str | None = "STM"):
        self.model = model
        self.level = level
        self.horizon = horizon
        self.season_length = season_length
        self.alpha_d = alpha_d
        self.alpha_p = alpha_p
        self.n_windows = n_windows
        self.decomposition_type = decomposition_type
        self.theta_model = theta_model

    @property
    def search_space(self) -> dict[str, list]:
        """What the validation-window search tries (``ml.evaluation.forecast_tuning``); CrostonSBA has no parameter."""
        if self.model == "AutoTheta":
            return {"decomposition_type": ["multiplicative", "additive"],
                    "theta_model": [None, "STM", "OTM", "DSTM", "DOTM"]}
        if self.model == "TSB":
            return {"alpha_d": [0.05, 0.1, 0.2, 0.3], "alpha_p": [0.05, 0.1, 0.2, 0.3]}
        return {}

    def _make(self) -> object:
        from statsforecast import models
        from statsforecast.utils import ConformalIntervals

        conformal = ConformalIntervals(h=self.horizon, n_windows=self.n_windows)
        if self.model == "AutoTheta":
            return models.AutoTheta(season_length=self.season_length, decomposition_type=self.decomposition_type,
                                    model=self.theta_model)
        if self.model == "CrostonSBA":
            return models.CrostonSBA(prediction_intervals=conformal)
        if self.model == "TSB":
            return models.TSB(alpha_d=self.alpha_d, alpha_p=self.alpha_p, prediction_intervals=conformal)
        raise ValueError(f"model must be one of {self.MODELS}, got {self.model!r}")

    def _fit_matrix(self, matrix: DemandMatrix) -> None:
        from statsforecast import StatsForecast

        model = self._make()
        engine = StatsForecast(models=[model], freq="D", n_jobs=1)
        out = engine.forecast(df=long_frame(matrix), h=self.horizon, level=self._levels())
        self._store_grid(out.reset_index() if "unique_id" not in out else out, str(model), len(matrix.keys))


class MedianEnsemble(_GridPeer):
    """Per series and day, the median over ``members`` (forecaster factories) of their means and quantiles.

    ``member_names`` (optional, the members' display names, in order) lets an evaluation that has already
    fitted the members build the ensemble from their forecasts (:meth:`fit_from_forecasts`) instead of
    fitting them again.
    """

    def __init__(self, members: Sequence[Callable[[], BaseForecaster]] = (), level: int = 80, horizon: int = 28,
                 member_names: Sequence[str] = ()):
        self.members = members
        self.level = level
        self.horizon = horizon
        self.member_names = member_names

    def fit_from_forecasts(self, frames: Sequence[pd.DataFrame]) -> "MedianEnsemble":
        """Fitted from the members' :meth:`predict_quantiles` frames (the same series and days in each).

        The quantile grid is the quantile columns the frames share; the result at those quantiles equals
        :meth:`fit` on the members' training frame (per column median, then sorted).
        """
        if not frames:
            raise ValueError("MedianEnsemble needs at least one member")
        keys = ["store_id", "product_id", "date"]
        frames = [f.sort_values(keys).reset_index(drop=True) for f in frames]
        first = frames[0]
        if any(len(f) != len(first) or not f[keys].equals(first[keys]) for f in frames[1:]):
            raise ValueError("the members' forecasts cover different series or days")
        probs = sorted(set.intersection(*({float(c[1:]) for c in f.columns if c.startswith("q")} for f in frames)))
        series = list(dict.fromkeys(zip(first["store_id"], first["product_id"])))
        h = len(first) // len(series)
        self.series_ = series
        self.products_, self.stores_ = sorted({p for _, p in series}), sorted({s for s, _ in series})
        self.last_date_ = pd.Timestamp(first["date"].min()) - pd.Timedelta(days=1)
        self.first_date_ = self.last_date_
        shape = (len(series), h)
        self.mean_ = np.median(np.stack([f["mean"].to_numpy(dtype="float64") for f in frames]), axis=0).reshape(shape)
        grid = np.median(np.stack([f[[quantile_column(q) for q in probs]].to_numpy(dtype="float64")
                                   for f in frames]), axis=0).reshape(*shape, len(probs))
        self.grid_probs_ = np.asarray(probs)
        self.grid_ = np.maximum.accumulate(np.maximum(grid, 0.0), axis=-1)
        return self

    def _fit_matrix(self, matrix: DemandMatrix) -> None:
        if not self.members:
            raise ValueError("MedianEnsemble needs at least one member")
        daily = pd.DataFrame({"store_id": np.repeat([s for s, _ in matrix.keys], len(matrix.dates)),
                              "product_id": np.repeat([p for _, p in matrix.keys], len(matrix.dates)),
                              "date": np.tile(matrix.dates.to_numpy(), len(matrix.keys)),
                              "quantity": matrix.values.ravel()})
        probs = np.round(np.linspace(0.05, 0.95, 19), 2)
        means, grids = [], []
        for make in self.members:
            member = make().fit(daily)
            frame = member.predict_quantiles(self.horizon, probs)
            means.append(frame["mean"].to_numpy())
            grids.append(frame[[quantile_column(q) for q in probs]].to_numpy())
        shape = (len(matrix.keys), self.horizon)
        self.mean_ = np.median(np.stack(means), axis=0).reshape(shape)
        grid = np.median(np.stack(grids), axis=0).reshape(*shape, len(probs))
        self.grid_probs_ = probs
        self.grid_ = np.maximum.accumulate(np.maximum(grid, 0.0), axis=-1)


def default_peers(level: int = 80, horizon: int = 28) -> dict[str, Callable[[], BaseForecaster]]:
    """Factories of every peer by display name (each needs the ``bench`` extra to fit)."""
    peers: dict[str, Callable[[], BaseForecaster]] = {
        "LightGBM (mlforecast)": lambda: LightGBMPeer(level=level, horizon=horizon),
        "AutoTheta": lambda: StatsPeer("AutoTheta", level=level, horizon=horizon),
        "CrostonSBA": lambda: StatsPeer("CrostonSBA", level=level, horizon=horizon),
        "TSB": lambda: StatsPeer("TSB", level=level, horizon=horizon),
    }
    members, names = list(peers.values()), tuple(peers)
    peers["MedianEnsemble"] = lambda: MedianEnsemble(members, level=level, horizon=horizon, member_names=names)
    return peers


__all__ = ["LightGBMPeer", "MedianEnsemble", "StatsPeer", "default_peers", "long_frame"]
