"""The baseline forecasters: their own behaviour and the interface they share with DemandForecaster."""

from __future__ import annotations

import joblib
import numpy as np
import pandas as pd
import pytest

from ml.errors import DataFormatError, UnknownProduct
from ml.models.forecast_baselines import AutoETSBaseline, LinearRegressionPrototype, SeasonalNaive
from tests.test_forecast_model import synthetic_daily


def series(product: str, values: list[float] | np.ndarray, start: str = "2024-01-01") -> pd.DataFrame:
    return pd.DataFrame({"product_id": product, "date": pd.date_range(start, periods=len(values), freq="D"),
                         "quantity": np.asarray(values, dtype=float)})


def test_seasonal_naive_repeats_the_last_week() -> None:
    week = [1, 2, 3, 4, 5, 6, 7]
    model = SeasonalNaive().fit(series("a", [9] * 7 + week))
    forecast = model.predict(10)
    assert forecast["mean"].tolist() == week + week[:3]


def test_seasonal_naive_intervals_come_from_its_own_errors() -> None:
    rng = np.random.default_rng(0)
    values = rng.poisson(20, 200)
    forecast = SeasonalNaive(level=80).fit(series("a", values)).predict(14)
    width = (forecast["upper"] - forecast["lower"]).to_numpy()
    # the first week uses the errors of y[t] - y[t-7], the second those of y[t] - y[t-14];
    # lower bounds are clipped at 0, so a width may fall below its error spread, never above
    for week, lag in ((slice(0, 7), 7), (slice(7, 14), 14)):
        errors = values[lag:] - values[:-lag]
        spread = np.quantile(errors, 0.9) - np.quantile(errors, 0.1)
        assert (width[week] <= spread + 1e-9).all() and width[week].max() == pytest.approx(spread)


def test_linear_prototype_extends_a_straight_line() -> None:
    line = 2.0 + 0.5 * np.arange(30)
    forecast = LinearRegressionPrototype().fit(series("a", line)).predict(5)
    np.testing.assert_allclose(forecast["mean"], 2.0 + 0.5 * np.arange(30, 35))
    np.testing.assert_allclose(forecast["upper"] - forecast["lower"], 0.0, atol=1e-9)


def test_linear_prototype_clips_a_falling_line_at_zero() -> None:
    forecast = LinearRegressionPrototype().fit(series("a", 30.0 - np.arange(30))).predict(10)
    assert (forecast["mean"] >= 0).all() and (forecast["mean"].iloc[-1] == 0)


def test_auto_ets_forecasts_a_weekly_series() -> None:
    pytest.importorskip("statsforecast")
    daily = synthetic_daily(n_products=2, n_days=120, seed=4)
    model = AutoETSBaseline(level=80).fit(daily)
    forecast = model.predict(14)
    weekday = forecast["date"].dt.dayofweek
    big = forecast[forecast["product_id"] == "p1"]
    assert big.loc[weekday[big.index] == 5, "mean"].mean() > big.loc[weekday[big.index] == 1, "mean"].mean()
    assert len(model.models_) == 2


BASELINES = [SeasonalNaive, LinearRegressionPrototype, AutoETSBaseline]


@pytest.mark.parametrize("cls", BASELINES)
def test_baselines_share_the_forecaster_interface(cls, tmp_path) -> None:
    if cls is AutoETSBaseline:
        pytest.importorskip("statsforecast")
    daily = synthetic_daily(n_products=3, n_days=70, seed=8)
    model = cls(level=90)
    assert model.fit(daily) is model
    assert model.products_ == ["p0", "p1", "p2"] and model.last_date_ == daily["date"].max()
    forecast = model.predict(9, ["p1"])
    assert list(forecast.columns) == ["store_id", "product_id", "date", "mean", "lower", "upper"]
    assert len(forecast) == 9 and (forecast["product_id"] == "p1").all()
    assert forecast["date"].iloc[0] == model.last_date_ + pd.Timedelta(days=1)
    assert ((0 <= forecast["lower"]) & (forecast["lower"] <= forecast["mean"])
            & (forecast["mean"] <= forecast["upper"])).all()
    with pytest.raises(UnknownProduct):
        model.predict(3, ["missing"])
    path = tmp_path / "model.joblib"
    joblib.dump(model, path)
    pd.testing.assert_frame_equal(joblib.load(path).predict(9), model.predict(9))


def test_fit_rejects_a_frame_without_quantity() -> None:
    with pytest.raises(DataFormatError):
        SeasonalNaive().fit(pd.DataFrame({"product_id": ["a"], "date": [pd.Timestamp("2024-01-01")]}))
