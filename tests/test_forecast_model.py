"""DemandForecaster on synthetic daily demand with a known weekly pattern, trend and Poisson noise."""

from __future__ import annotations

import json

import joblib
import numpy as np
import pandas as pd
import pytest

from ml.data.schema import DEFAULT_STORE_ID, Dataset
from ml.errors import DateOutOfRange, UnknownProduct
from ml.evaluation import evaluate_forecast
from ml.evaluation.metrics import coverage, wape
from ml.models.forecast import DemandForecaster
from ml.models.forecast_baselines import SeasonalNaive

# Monday .. Sunday multipliers: busy Saturday, quiet Tuesday
WEEKLY = np.array([1.0, 0.5, 0.9, 1.0, 1.3, 2.0, 0.8])


def synthetic_daily(n_products: int = 4, n_days: int = 240, trend: float = 0.0, seed: int = 0,
                    start: str = "2023-01-02") -> pd.DataFrame:
    """Poisson daily demand: product level x weekly profile x (1 + trend * t / n_days)."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range(start, periods=n_days, freq="D")
    frames = []
    for i in range(n_products):
        level = 4.0 * (i + 1) ** 1.5
        growth = 1 + trend * np.arange(n_days) / n_days
        rate = level * WEEKLY[dates.dayofweek] * growth
        frames.append(pd.DataFrame({"product_id": f"p{i}", "date": dates, "quantity": rng.poisson(rate).astype(float)}))
    return pd.concat(frames, ignore_index=True)


def split(daily: pd.DataFrame, holdout: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    cut = daily["date"].max() - pd.Timedelta(days=holdout)
    return daily[daily["date"] <= cut], daily[daily["date"] > cut]


@pytest.fixture(scope="module")
def weekly_data() -> tuple[pd.DataFrame, pd.DataFrame]:
    return split(synthetic_daily(n_products=6, n_days=260, seed=1), holdout=28)


@pytest.fixture(scope="module")
def fitted(weekly_data: tuple[pd.DataFrame, pd.DataFrame]) -> DemandForecaster:
    train, _ = weekly_data
    return DemandForecaster(country=None).fit(train)


def test_fit_learns_products_and_last_date(fitted: DemandForecaster, weekly_data) -> None:
    train, _ = weekly_data
    assert fitted.products_ == sorted(train["product_id"].unique())
    assert fitted.last_date_ == train["date"].max()


def test_predict_returns_the_next_h_days_with_ordered_non_negative_bounds(fitted: DemandForecaster) -> None:
    forecast = fitted.predict(10, ["p2", "p0"])
    assert list(forecast.columns) == ["store_id", "product_id", "date", "mean", "lower", "upper"]
    assert (forecast["store_id"] == DEFAULT_STORE_ID).all()  # a frame without stores is one store
    assert forecast["product_id"].tolist() == ["p2"] * 10 + ["p0"] * 10
    expected = pd.date_range(fitted.last_date_ + pd.Timedelta(days=1), periods=10, freq="D")
    assert forecast["date"].iloc[:10].tolist() == list(expected)
    assert (forecast["lower"] >= 0).all()
    assert (forecast["lower"] <= forecast["mean"]).all()
    assert (forecast["mean"] <= forecast["upper"]).all()
    assert (forecast["upper"] > forecast["lower"]).any()


def test_forecast_follows_the_weekly_pattern(fitted: DemandForecaster) -> None:
    forecast = fitted.predict(28)
    weekday = forecast["date"].dt.dayofweek
    for product, rows in forecast.groupby("product_id"):
        saturday = rows.loc[weekday[rows.index] == 5, "mean"].mean()
        tuesday = rows.loc[weekday[rows.index] == 1, "mean"].mean()
        assert saturday > 1.5 * tuesday, product


def test_forecast_scales_with_each_product(fitted: DemandForecaster, weekly_data) -> None:
    _, test = weekly_data
    forecast = fitted.predict(28).groupby("product_id")["mean"].sum()
    actual = test.groupby("product_id")["quantity"].sum()
    ratio = forecast / actual
    assert ratio.between(0.7, 1.3).all(), ratio.to_dict()


def test_interval_coverage_is_near_its_level_on_poisson_data(fitted: DemandForecaster, weekly_data) -> None:
    _, test = weekly_data
    joined = test.merge(fitted.predict(28), on=["product_id", "date"])
    assert 0.65 <= coverage(joined["quantity"], joined["lower"], joined["upper"]) <= 0.95


def test_beats_seasonal_naive_on_trend_and_seasonality() -> None:
    train, test = split(synthetic_daily(n_products=5, n_days=300, trend=1.0, seed=3), holdout=28)
    errors = {}
    for name, model in {"gbm": DemandForecaster(country=None), "naive": SeasonalNaive()}.items():
        joined = test.merge(model.fit(train).predict(28), on=["product_id", "date"])
        errors[name] = wape(joined["quantity"], joined["mean"])
    assert errors["gbm"] < errors["naive"], errors


def test_unknown_product_raises(fitted: DemandForecaster) -> None:
    with pytest.raises(UnknownProduct) as caught:
        fitted.predict(3, ["p0", "nope"])
    assert caught.value.query == "nope"


def test_horizon_beyond_training_raises_date_out_of_range(fitted: DemandForecaster) -> None:
    with pytest.raises(DateOutOfRange):
        fitted.predict(fitted.horizon + 1)


def test_joblib_round_trip_gives_identical_forecasts(fitted: DemandForecaster, tmp_path) -> None:
    path = tmp_path / "forecaster.joblib"
    joblib.dump(fitted, path)
    pd.testing.assert_frame_equal(joblib.load(path).predict(14), fitted.predict(14))


def test_mean_point_forecast_and_holidays_option(weekly_data) -> None:
    train, test = weekly_data
    model = DemandForecaster(point="mean", country="FR", max_iter=60).fit(train)
    forecast = model.predict(28)
    assert (forecast["lower"] <= forecast["mean"]).all() and (forecast["mean"] <= forecast["upper"]).all()
    total = forecast["mean"].sum() / test["quantity"].sum()
    assert 0.7 < total < 1.3


def test_invalid_point_is_rejected(weekly_data) -> None:
    with pytest.raises(ValueError):
        DemandForecaster(point="mode").fit(weekly_data[0])


def test_intermittent_product_gets_sensible_bounds() -> None:
    rng = np.random.default_rng(5)
    dates = pd.date_range("2023-01-02", periods=200, freq="D")
    sparse = np.where(rng.random(200) < 0.1, rng.integers(1, 4, 200), 0).astype(float)
    daily = pd.concat([
        pd.DataFrame({"product_id": "sparse", "date": dates, "quantity": sparse}),
        synthetic_daily(n_products=2, n_days=200, seed=6),
    ], ignore_index=True)
    forecast = DemandForecaster(country=None).fit(daily).predict(14, ["sparse"])
    assert (forecast["lower"] < 0.5).all()  # not one whole unit can be promised on a sparse day
    assert forecast["mean"].max() < 3
    assert forecast["upper"].max() >= 1


def test_evaluate_forecast_reports_model_and_baselines() -> None:
    daily = synthetic_daily(n_products=4, n_days=150, seed=2)
    expanded = daily.loc[daily.index.repeat(daily["quantity"].astype(int))]
    transactions = pd.DataFrame({
        "customer_id": "c",
        "product_id": expanded["product_id"].to_numpy(),
        "timestamp": expanded["date"].to_numpy() + np.timedelta64(10, "h"),
        "quantity": 1.0,
        "price": 1.0,
    })
    products = pd.DataFrame({"product_id": [f"p{i}" for i in range(4)], "name": "x", "category": None, "aliases": ""})
    report = evaluate_forecast(Dataset("synthetic", transactions, products), holdout_days=14, n_products=3)
    json.dumps(report)
    setup = report["setup"]
    assert setup["products"] == ["p3", "p2", "p1"]  # best sellers first
    assert setup["holdout_end"] == "2023-05-31" and setup["holdout_start"] == "2023-05-18"
    assert setup["train_end"] == "2023-05-17"
    assert report["model"]["name"] == "DemandForecaster"
    assert {"SeasonalNaive", "LinearRegressionPrototype"} <= set(report["baselines"])
    for scores in [report["model"], *report["baselines"].values()]:
        assert {"MASE", "WAPE", "coverage", "interval_width"} <= set(scores)
        assert 0 <= scores["coverage"] <= 1 and scores["MASE"] > 0
    assert set(report["versus"]) == set(report["baselines"])
    for name, comparison in report["versus"].items():
        interval = comparison["MASE"]
        assert interval["low"] <= interval["diff"] <= interval["high"]
        assert interval["diff"] == pytest.approx(report["model"]["MASE"] - report["baselines"][name]["MASE"])
