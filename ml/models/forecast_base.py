"""The interface every caddie forecaster shares, and the dense series x days matrix behind it.

A *series* is one product in one store: the key ``(store_id, product_id)``. Every
forecaster (:class:`ml.models.forecast.DemandForecaster` and the baselines of
:mod:`ml.models.forecast_baselines`) has::

    model.fit(daily) -> self
        daily: DataFrame[store_id, product_id, date, quantity] (+ optional promo, discount,
        stockout_hours), one row per series and day, as :func:`ml.data.aggregate.daily_demand`
        returns it. A frame without ``store_id`` is one store (``DEFAULT_STORE_ID``).
    model.predict(h, series=None, signals=None) -> DataFrame[store_id, product_id, date, mean, lower, upper]
    model.predict_quantiles(h, quantiles=DECILES, series=None, signals=None)
        -> the same frame + one column per quantile (``q0.1`` ... ``q0.9``): the forecast distribution

``predict`` answers for the ``h`` days after ``last_date_``; ``lower``/``upper``
bound the ``level`` % prediction interval and ``0 <= lower <= mean <= upper``.
``series`` selects what to forecast (default: every fitted series, in fitted order):

* a ``(store_id, product_id)`` pair: that series;
* a bare product id (str): that product in every store that sells it (for a log of one
  store, exactly the old per-product behaviour);
* an iterable mixing both; rows come out in the order asked.

An unknown product raises :class:`~ml.errors.UnknownProduct`; a known product that the
named store does not sell raises :class:`~ml.errors.NotSoldInStore`; an unknown store
raises :class:`~ml.errors.UnknownStore`. ``signals`` optionally gives the known-ahead
drivers of the forecast days ([store_id, product_id, date, promo, discount]); models that
do not use them ignore them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import norm
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ml.data.schema import DEFAULT_STORE_ID
from ml.errors import DataFormatError, NotSoldInStore, UnknownProduct, UnknownStore

FORECAST_COLUMNS: tuple[str, ...] = ("store_id", "product_id", "date", "mean", "lower", "upper")
DAILY_COLUMNS: tuple[str, ...] = ("store_id", "product_id", "date", "quantity")
#: optional daily drivers a forecaster may use, in the daily frame and in future signals
SIGNAL_NAMES: tuple[str, ...] = ("promo", "discount", "stockout_hours")

SeriesKey = tuple[str, str]  # (store_id, product_id)
#: the quantiles a forecast distribution is judged on (M5 uncertainty track: 0.1 ... 0.9)
DECILES: tuple[float, ...] = tuple(round(0.1 * i, 1) for i in range(1, 10))


@dataclass(frozen=True)
class DemandMatrix:
    """Daily demand as a dense series x days array, series keyed by (store_id, product_id), sorted.

    ``signals`` holds each optional driver present in the daily frame as an array of the
    same shape (NaN where unknown).
    """

    keys: list[SeriesKey]
    dates: pd.DatetimeIndex
    values: np.ndarray  # shape (n_series, n_days), float64, >= 0
    signals: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def products(self) -> list[str]:
        """The product id of each row."""
        return [p for _, p in self.keys]


def with_store(daily: pd.DataFrame) -> pd.DataFrame:
    """``daily`` with a ``store_id`` column (a frame without one is the one store ``DEFAULT_STORE_ID``)."""
    if "store_id" in daily.columns:
        return daily
    return daily.assign(store_id=DEFAULT_STORE_ID)


def demand_matrix(daily: pd.DataFrame) -> DemandMatrix:
    """Pivot a daily frame to a series x days matrix (days missing from a series count as 0)."""
    daily = with_store(daily)
    missing = [c for c in DAILY_COLUMNS if c not in daily.columns]
    if missing:
        raise DataFormatError(f"daily demand lacks column(s) {missing}", column=missing[0])
    if daily.empty:
        raise DataFormatError("daily demand is empty: nothing to learn from")
    dates = pd.to_datetime(daily["date"]).dt.normalize()
    quantity = pd.to_numeric(daily["quantity"], errors="coerce").to_numpy(dtype="float64")
    if np.isnan(quantity).any() or (quantity < 0).any():
        raise DataFormatError("daily demand quantities must be numbers >= 0", column="quantity")
    keys = pd.MultiIndex.from_arrays([daily["store_id"].astype(str), daily["product_id"].astype(str)])
    codes, uniques = pd.factorize(keys, sort=True)
    calendar = pd.date_range(dates.min(), dates.max(), freq="D")
    day = ((dates - calendar[0]) // pd.Timedelta(days=1)).to_numpy()
    values = np.zeros((len(uniques), len(calendar)))
    np.add.at(values, (codes, day), quantity)
    signals = {}
    for name in SIGNAL_NAMES:
        if name in daily.columns:
            table = np.full(values.shape, np.nan)
            table[codes, day] = pd.to_numeric(daily[name], errors="coerce").to_numpy(dtype="float64")
            signals[name] = table
    return DemandMatrix([(str(s), str(p)) for s, p in uniques], calendar, values, signals)


class BaseForecaster(BaseEstimator):
    """What every forecaster shares: input checks, series lookup and the output frame.

    Subclasses implement ``_fit_matrix(matrix)`` and ``_predict_rows(rows, h, signals)``,
    the latter returning ``(mean, lower, upper)`` arrays of shape ``(len(rows), h)``.

    Fitted attributes: ``series_`` (the (store_id, product_id) keys, one per matrix row, sorted),
    ``products_`` (distinct product ids, sorted), ``stores_`` (distinct store ids, sorted),
    ``first_date_``, ``last_date_``.
    """

    display_name = "forecaster"  # shown in cards, evaluations and replies; every model sets its own

    level: int

    def fit(self, daily: pd.DataFrame) -> BaseForecaster:
        if not 0 < self.level < 100:
            raise ValueError(f"level must be in (0, 100), got {self.level}")
        matrix = demand_matrix(daily)
        self.series_: list[SeriesKey] = matrix.keys
        self.products_: list[str] = sorted(set(matrix.products))
        self.stores_: list[str] = sorted({s for s, _ in matrix.keys})
        self.first_date_: pd.Timestamp = matrix.dates[0]
        self.last_date_: pd.Timestamp = matrix.dates[-1]
        self._fit_matrix(matrix)
        return self

    def predict(self, h: int, series: Iterable[str | SeriesKey] | str | None = None,
                signals: pd.DataFrame | None = None) -> pd.DataFrame:
        """Forecast the ``h`` days after ``last_date_`` for ``series`` (see the module docstring)."""
        check_is_fitted(self, "series_")
        if int(h) < 1:
            raise ValueError(f"h must be >= 1, got {h}")
        h = int(h)
        rows = self.series_rows(series)
        mean, lower, upper = self._predict_rows(rows, h, signals)
        mean = np.maximum(np.nan_to_num(mean, nan=0.0), 0.0)  # the point forecast
        lower = np.clip(np.nan_to_num(lower, nan=0.0), 0.0, mean)
        upper = np.maximum(np.nan_to_num(upper, nan=0.0), mean)
        keys = [self.series_[r] for r in rows]
        dates = pd.date_range(self.last_date_ + pd.Timedelta(days=1), periods=h, freq="D")
        return pd.DataFrame({
            "store_id": np.repeat(np.asarray([s for s, _ in keys], dtype=object), h),
            "product_id": np.repeat(np.asarray([p for _, p in keys], dtype=object), h),
            "date": np.tile(dates.to_numpy(), len(keys)),
            "mean": mean.ravel(),
            "lower": lower.ravel(),
            "upper": upper.ravel(),
        })

    def predict_quantiles(self, h: int, quantiles: Iterable[float] = DECILES,
                          series: Iterable[str | SeriesKey] | str | None = None,
                          signals: pd.DataFrame | None = None) -> pd.DataFrame:
        """The forecast as a distribution: :meth:`predict`'s frame plus one column per quantile (``q0.1`` ...).

        Quantiles are non-decreasing in the probability and >= 0; the mean is :meth:`predict`'s.
        """
        quantiles = tuple(float(q) for q in quantiles)
        if not quantiles or not all(0 < q < 1 for q in quantiles):
            raise ValueError(f"quantiles must lie in (0, 1), got {quantiles}")
        frame = self.predict(h, series, signals)
        rows = self.series_rows(series)
        values = self._quantile_rows(rows, int(h), signals, np.asarray(quantiles), frame)
        order = np.argsort(quantiles)
        values[:, order] = np.maximum.accumulate(np.maximum(values[:, order], 0.0), axis=1)
        out = frame.copy()
        for j, q in enumerate(quantiles):
            out[quantile_column(q)] = values[:, j]
        return out

    def _quantile_rows(self, rows: np.ndarray, h: int, signals: pd.DataFrame | None, quantiles: np.ndarray,
                       frame: pd.DataFrame) -> np.ndarray:
        """(len(rows) * h, n_quantiles) quantiles; by default from the interval, Gaussian tails around the mean.

        The lower bound is the ``(100 - level) / 2`` % quantile and the upper the ``(100 + level) / 2`` %
        one; other quantiles scale the distance to them by the normal quantile ratio. Models with a
        distribution of their own override this.
        """
        lo_q, hi_q = interval_quantiles(self.level)
        z_tail = norm.ppf(hi_q)
        z = norm.ppf(quantiles)[None, :] / z_tail
        mean = frame["mean"].to_numpy()[:, None]
        below = mean - frame["lower"].to_numpy()[:, None]
        above = frame["upper"].to_numpy()[:, None] - mean
        return mean + np.where(z < 0, z * below, z * above)

    def series_rows(self, series: Iterable[str | SeriesKey] | str | None) -> np.ndarray:
        """Matrix rows of the requested series, in the order asked (see the module docstring)."""
        if series is None:
            return np.arange(len(self.series_))
        if isinstance(series, str) or (isinstance(series, tuple) and len(series) == 2
                                       and all(isinstance(x, str) for x in series)):
            series = [series]
        index = {key: i for i, key in enumerate(self.series_)}
        by_product: dict[str, list[int]] = {}
        for i, (_, product) in enumerate(self.series_):
            by_product.setdefault(product, []).append(i)
        rows: list[int] = []
        for item in series:
            if isinstance(item, str):
                if item not in by_product:
                    raise UnknownProduct(item)
                rows.extend(by_product[item])
                continue
            store, product = str(item[0]), str(item[1])
            if (store, product) in index:
                rows.append(index[(store, product)])
            elif product not in by_product:
                raise UnknownProduct(product)
            elif store not in self.stores_:
                raise UnknownStore(store)
            else:
                raise NotSoldInStore(product, store)
        return np.asarray(rows, dtype=int)

    def _fit_matrix(self, matrix: DemandMatrix) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _predict_rows(self, rows: np.ndarray, h: int,
                      signals: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        raise NotImplementedError  # pragma: no cover - abstract


def quantile_column(q: float) -> str:
    """The column holding quantile ``q`` in :meth:`BaseForecaster.predict_quantiles`' frame: ``q0.1``, ``q0.5`` ..."""
    return f"q{q:g}"


def interval_quantiles(level: int) -> tuple[float, float]:
    """Lower and upper quantile probabilities of a central ``level`` % interval."""
    tail = (100 - level) / 200
    return tail, 1 - tail
