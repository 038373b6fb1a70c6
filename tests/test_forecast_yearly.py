"""Yearly peaks from one year of history (ml.models.forecast_yearly and DemandForecaster's ``yearly``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ml.models.forecast import DemandForecaster
from ml.models.forecast_yearly import (
    YearlyShape, garrote, growth, last_year_days, ordinary_level, yearly_factors,
)

END = pd.Timestamp("2026-11-24")  # the data ends the day before "25 November", as in `make run`
PEAK_WEEK = pd.date_range("2026-12-18", "2026-12-24")


def _history(days: int = 365, seed: int = 0) -> pd.DataFrame:
    """Two stores x 24 products, Poisson sales: "peak" sells 4 a day and 8 times that on 18-24 December;
    "flat0" ... "flat22" sell 3 to 8.5 a day all year."""
    dates = pd.date_range(end=END, periods=days)
    rng = np.random.default_rng(seed)
    december = np.asarray((dates.month == 12) & (dates.day >= 18) & (dates.day <= 24))
    rates = {"peak": np.where(december, 32.0, 4.0), **{f"flat{i}": np.full(days, 3.0 + i / 4) for i in range(23)}}
    frames = [pd.DataFrame({"store_id": store, "product_id": product, "date": dates,
                            "quantity": rng.poisson(rate).astype(float)})
              for store in ("S1", "S2") for product, rate in rates.items()]
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def fitted() -> DemandForecaster:
    model = DemandForecaster(horizon=56, max_iter=60, calibration_windows=1, country=None)
    return model.fit(_history())


def _week(forecast: pd.DataFrame, product: str, days: pd.DatetimeIndex) -> float:
    return float(forecast.loc[(forecast["product_id"] == product) & forecast["date"].isin(days), "mean"].sum())


def test_one_year_of_history_plans_last_decembers_peak(fitted):
    forecast = fitted.predict(56)
    ordinary = pd.date_range("2026-11-25", "2026-12-01")
    peak_week, peak_ordinary = _week(forecast, "peak", PEAK_WEEK), _week(forecast, "peak", ordinary)
    # last year that week sold 2 stores x 7 days x 32 = 448 units against 56 in an ordinary week
    assert peak_week > 4 * peak_ordinary
    assert 0.5 * 448 < peak_week < 1.5 * 448
    for flat in ("flat0", "flat10", "flat22"):  # 42, 77 and 119 units a week, December or not: no peak
        assert _week(forecast, flat, PEAK_WEEK) < 1.5 * _week(forecast, flat, ordinary)


def test_the_trees_alone_miss_the_peak_and_flat_products_are_untouched(fitted):
    with_shape = fitted.predict(56)
    trees = fitted.set_params(yearly=False).predict(56)
    fitted.set_params(yearly=True)
    assert _week(trees, "peak", PEAK_WEEK) < 0.5 * _week(with_shape, "peak", PEAK_WEEK)
    flat = with_shape["product_id"] != "peak"
    # a flat product moves only where a few days last year were off by chance beyond 2 standard errors
    moved = ~np.isclose(with_shape.loc[flat, "mean"], trees.loc[flat, "mean"], rtol=1e-9)
    assert moved.mean() < 0.01
    totals = [frame[flat].groupby("product_id")["mean"].sum() for frame in (with_shape, trees)]
    np.testing.assert_allclose(totals[0], totals[1], rtol=0.01)


def test_a_subset_of_series_gets_the_same_forecast_as_the_whole_chain(fitted):
    whole = fitted.predict(30)
    one = fitted.predict(10, series=[("S2", "peak")])
    expected = whole[(whole["store_id"] == "S2") & (whole["product_id"] == "peak")].head(10)
    np.testing.assert_allclose(one["mean"].to_numpy(), expected["mean"].to_numpy())


def test_garrote_zeroes_what_noise_explains_and_keeps_large_effects():
    x = np.array([0.3, -0.3, 3.0, 0.0])
    out = garrote(x, np.full(4, 0.04), threshold=2.0)  # standard error 0.2: 2 standard errors is 0.4
    assert out[0] == 0 and out[1] == 0 and out[3] == 0
    assert out[2] == pytest.approx(3.0 * (1 - 4 * 0.04 / 9))


def test_ordinary_level_ignores_peak_and_closed_weeks():
    weeks = np.array([10.0] * 48 + [200.0, 150.0, 0.0, 0.0])
    daily = np.repeat(weeks / 7, 7)[None, :]
    level, units = ordinary_level(daily)
    assert level[0] == pytest.approx(10.0)
    assert units[0] == pytest.approx(480.0)


def test_last_year_is_the_same_calendar_date():
    first = pd.Timestamp("2023-12-02")  # to 30 November 2024 (365 days, 29 February included)
    index = last_year_days(first, 365, 56)  # forecast days 1 December 2024 ... 25 January 2025
    assert index[0] == -1  # 1 December 2023: before the history
    assert index[1] == 0  # 2 December 2023: its first day
    assert first + pd.Timedelta(days=int(index[23])) == pd.Timestamp("2023-12-24")  # 24/12/2024 -> 24/12/2023
    assert first + pd.Timedelta(days=int(index[55])) == pd.Timestamp("2024-01-25")


def test_no_adjustment_without_last_year_in_the_history():
    chain = np.full((1, 200), 10.0)
    factors = yearly_factors(chain, np.full((1, 28), 1.0), pd.Timestamp("2026-01-01"))
    assert np.all(factors == 1.0)


def test_growth_needs_the_same_weeks_a_year_before():
    first = pd.Timestamp("2024-01-01")
    assert growth(np.full((1, 365), 3.0), first)[0] == 0.0  # one year: growth cannot be told from season
    two_years = np.concatenate([np.full(366, 10.0), np.full(365, 20.0)])[None, :]
    assert growth(two_years, first, YearlyShape())[0] == pytest.approx(
        garrote(np.array([np.log(560.5 / 280)]), np.array([1 / 560.5 + 1 / 280.5 + 0.04]), 2.0)[0])


def test_a_model_saved_before_the_yearly_step_forecasts_as_it_did(fitted):
    import pickle

    state = dict(fitted.__getstate__())
    for name in ("yearly", "yearly_threshold", "yearly_noise_floor", "yearly_half_window"):
        state.pop(name)
    old = DemandForecaster.__new__(DemandForecaster)
    old.__setstate__(pickle.loads(pickle.dumps(state)))
    assert old.yearly is False
    trees = fitted.set_params(yearly=False).predict(56)
    fitted.set_params(yearly=True)
    np.testing.assert_allclose(old.predict(56)["mean"], trees["mean"])
