"""The forecast judged as a distribution: RMSSE, scaled pinball loss, quantile forecasts, horizon bands."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ml.evaluation.forecast_distribution import series_scores, summarize_distribution
from ml.evaluation.metrics import mase, pinball_loss, rmsse, scaled_pinball_loss
from ml.models.forecast_base import DECILES, quantile_column
from ml.models.forecast_baselines import SeasonalNaive


def test_rmsse_by_hand():
    train = [0, 2, 0, 2]  # one-day naive (season 1 here): errors 2, 2, 2 -> MSE 4
    assert rmsse([1, 3], [0, 0], train, season=1) == pytest.approx(np.sqrt((1 + 9) / 2 / 4))


def test_pinball_loss_by_hand():
    # y = 10; q0.1 = 4 (under: 0.1 * 6 = 0.6), q0.9 = 12 (over: 0.1 * 2 = 0.2) -> mean 0.4
    assert pinball_loss([10], [[4, 12]], [0.1, 0.9]) == pytest.approx(0.4)


def test_scaled_pinball_of_a_point_forecast_is_half_the_mase():
    train, y, point = [1, 3, 1, 3, 1, 3, 2, 5], [2, 4, 0], [1, 3, 3]
    q = np.repeat(np.asarray(point, dtype=float)[:, None], 9, axis=1)
    assert scaled_pinball_loss(y, q, DECILES, train, season=2) == pytest.approx(mase(y, point, train, season=2) / 2)


def _frames():
    dates = pd.date_range("2024-01-01", periods=21, freq="D")
    y = np.tile([1.0, 3.0, 1.0, 3.0, 1.0, 3.0, 2.0], 3)
    daily = pd.DataFrame({"store_id": "1", "product_id": "A", "date": dates, "quantity": y})
    return daily[:14], daily[14:].reset_index(drop=True)


def test_series_scores_by_band_and_mase_on_the_median():
    train, actual = _frames()
    forecast = actual[["store_id", "product_id", "date"]].assign(mean=actual["quantity"] + 1.0)
    for q in DECILES:  # median = actual + 2 on every day, the other quantiles too
        forecast[quantile_column(q)] = actual["quantity"].to_numpy() + 2.0
    scores = series_scores(train, actual, forecast)
    scale = np.mean(np.abs(train["quantity"].to_numpy()[7:] - train["quantity"].to_numpy()[:-7]))
    scale = scale or np.mean(np.abs(np.diff(train["quantity"].to_numpy())))  # weekly naive perfect: one-day
    summary = summarize_distribution(scores)
    assert set(summary) == {"all", "1-7"}
    assert summary["all"]["MASE"] == pytest.approx(2.0 / scale)
    mse_scale = np.mean(np.diff(train["quantity"].to_numpy()) ** 2)  # one-day naive, squared
    assert summary["all"]["RMSSE"] == pytest.approx(np.sqrt(1.0 / mse_scale))  # mean error 1 every day
    assert summary["all"]["WAPE"] == pytest.approx(2.0 * 7 / actual["quantity"].sum())
    # every quantile 2 above the actual: pinball (1 - tau) * 2 averaged over tau = 0.1..0.9 -> 1.0
    assert summary["all"]["SPL"] == pytest.approx(1.0 / scale)


def test_predict_quantiles_monotone_and_bracketing_the_interval():
    train, _ = _frames()
    model = SeasonalNaive(level=80).fit(train)
    frame = model.predict_quantiles(7, (0.9, 0.1, 0.5))
    assert list(frame.columns[-3:]) == ["q0.9", "q0.1", "q0.5"]
    assert (frame["q0.1"] <= frame["q0.5"]).all() and (frame["q0.5"] <= frame["q0.9"]).all()
    assert np.allclose(frame["q0.1"], np.maximum(frame["lower"], 0)) and np.allclose(frame["q0.9"], frame["upper"])
    with pytest.raises(ValueError):
        model.predict_quantiles(7, (0.0, 0.5))


def test_demand_forecaster_quantiles_come_from_its_calibration_residuals():
    from ml.models.forecast import DemandForecaster

    rng = np.random.default_rng(0)
    dates = pd.date_range("2024-01-01", periods=120, freq="D")
    daily = pd.DataFrame({"store_id": "1", "product_id": "A", "date": dates,
                          "quantity": rng.poisson(5.0, len(dates)).astype(float)})
    model = DemandForecaster(horizon=7, calibration_windows=2, country=None, max_iter=20).fit(daily)
    frame = model.predict_quantiles(7, DECILES)
    values = frame[[quantile_column(q) for q in DECILES]].to_numpy()
    assert (np.diff(values, axis=1) >= 0).all()
    # the spread of the quantiles follows the spread of the calibration residuals (Poisson(5): sd ~2.2)
    width = float(np.mean(values[:, -1] - values[:, 0]))
    assert 2.0 < width < 10.0
