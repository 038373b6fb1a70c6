"""Bottom-up aggregates: sums add up exactly; intervals come from summed residuals, not summed bounds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ml.models.forecast import DemandForecaster
from ml.models.hierarchy import aggregate_forecast, chain_forecasts, group_bounds


def _panel(n_stores: int, n_days: int, shared: bool, seed: int) -> pd.DataFrame:
    """``n_stores`` stores selling "milk" at rate 30 x weekly x a day effect (shared by all stores or not)."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2024-01-01", periods=n_days, freq="D")
    weekly = np.array([1.0, 0.8, 0.9, 1.0, 1.2, 1.6, 0.7])[dates.dayofweek]
    common = rng.lognormal(0, 0.35, n_days)
    frames = []
    for s in range(n_stores):
        effect = common if shared else rng.lognormal(0, 0.35, n_days)
        frames.append(pd.DataFrame({"store_id": f"s{s}", "product_id": "milk", "date": dates,
                                    "quantity": rng.poisson(30 * weekly * effect).astype(float)}))
    return pd.concat(frames, ignore_index=True)


def test_group_bounds_of_perfectly_correlated_series_are_wider_than_of_independent_ones() -> None:
    rng = np.random.default_rng(0)
    horizons = np.tile(np.arange(1, 15), 40)
    expected = np.full((2, horizons.size), 50.0)
    shared = rng.normal(0, 5, horizons.size)
    correlated = np.vstack([shared, shared])  # both series miss by the same amount on the same cell
    independent = rng.normal(0, 5, (2, horizons.size))
    mean = np.full(14, 100.0)
    args = (expected.sum(0), horizons, mean, np.arange(1, 15), 80)
    lo_c, hi_c = group_bounds(correlated.sum(0), *args)
    lo_i, hi_i = group_bounds(independent.sum(0), *args)
    assert (hi_c - lo_c).mean() > 1.2 * (hi_i - lo_i).mean()  # sqrt(2) in theory
    # and the summed residuals set the width: 80 % of them fall inside the normalised band
    z = correlated.sum(0) / np.sqrt(expected.sum(0) + 1)
    band_lo, band_hi = (lo_c[0] - 100) / np.sqrt(101), (hi_c[0] - 100) / np.sqrt(101)
    assert 0.75 <= np.mean((z >= band_lo) & (z <= band_hi)) <= 0.9


@pytest.fixture(scope="module")
def chain_model() -> tuple[DemandForecaster, pd.DataFrame, pd.DataFrame]:
    daily = _panel(n_stores=4, n_days=150, shared=True, seed=1)
    cut = daily["date"].max() - pd.Timedelta(days=14)
    model = DemandForecaster(country=None, horizon=14, max_iter=60).fit(daily[daily["date"] <= cut])
    return model, model.predict(14), daily[daily["date"] > cut]


def test_aggregates_are_exact_bottom_up_sums(chain_model) -> None:
    model, forecast, _ = chain_model
    groups = {("s0", "milk"): "north", ("s1", "milk"): "north", ("s2", "milk"): "south", ("s3", "milk"): "south"}
    regions = aggregate_forecast(model, forecast, groups)
    chain = aggregate_forecast(model, forecast, {key: "chain" for key in groups})
    assert list(regions.columns) == ["group", "date", "mean", "lower", "upper"]
    north = forecast[forecast["store_id"].isin(["s0", "s1"])].groupby("date")["mean"].sum()
    np.testing.assert_array_equal(regions[regions["group"] == "north"]["mean"].to_numpy(), north.to_numpy())
    np.testing.assert_allclose(regions.groupby("date")["mean"].sum().to_numpy(), chain["mean"].to_numpy(),
                               rtol=1e-12)
    assert ((chain["lower"] <= chain["mean"]) & (chain["mean"] <= chain["upper"])).all()


def test_aggregate_interval_is_not_the_sum_of_bounds_and_covers_correlated_stores(chain_model) -> None:
    model, forecast, actual = chain_model
    chain = aggregate_forecast(model, forecast, {key: "chain" for key in model.series_})
    summed_width = (forecast["upper"] - forecast["lower"]).groupby(forecast["date"]).sum().to_numpy()
    width = (chain["upper"] - chain["lower"]).to_numpy()
    assert not np.allclose(width, summed_width)
    # the stores share a day effect: the chain total swings as much as the sum of the stores' swings
    truth = actual.groupby("date")["quantity"].sum().to_numpy()
    inside = (truth >= chain["lower"].to_numpy()) & (truth <= chain["upper"].to_numpy())
    assert inside.mean() >= 0.6


def test_chain_forecasts_keep_one_store_as_is_and_sum_several(chain_model) -> None:
    model, forecast, _ = chain_model
    chain = chain_forecasts(model, forecast)
    assert list(chain.columns) == ["product_id", "date", "mean", "lower", "upper"] and len(chain) == 14
    np.testing.assert_allclose(chain["mean"].to_numpy(), forecast.groupby("date")["mean"].sum().to_numpy())
    one = forecast[forecast["store_id"] == "s0"]
    pd.testing.assert_frame_equal(chain_forecasts(model, one), one.drop(columns="store_id"))


def test_aggregate_needs_calibration_residuals() -> None:
    from ml.models.forecast_baselines import SeasonalNaive

    daily = _panel(2, 30, shared=False, seed=2)
    model = SeasonalNaive().fit(daily)
    with pytest.raises(TypeError):
        aggregate_forecast(model, model.predict(7), {k: "chain" for k in model.series_})


def test_an_aggregate_is_never_surer_than_its_members_added_as_independent_errors(chain_model) -> None:
    import copy

    model, forecast, _ = chain_model
    groups = {key: "chain" for key in model.series_}
    below = np.sqrt(np.square(forecast["mean"] - forecast["lower"]).groupby(forecast["date"]).sum()).to_numpy()
    above = np.sqrt(np.square(forecast["upper"] - forecast["mean"]).groupby(forecast["date"]).sum()).to_numpy()
    # calibrated on days without any error (a seasonal product's zeros): the residuals alone give a 0-width interval
    quiet = copy.copy(model)
    quiet.calibration_residuals_ = np.zeros_like(model.calibration_residuals_)
    chain = aggregate_forecast(quiet, forecast, groups)
    mean = chain["mean"].to_numpy()
    np.testing.assert_allclose(chain["upper"].to_numpy(), mean + above)
    np.testing.assert_allclose(chain["lower"].to_numpy(), np.maximum(mean - below, 0.0))
    # stores sharing a day effect: the summed residuals are wider than independence, and they are kept
    correlated = aggregate_forecast(model, forecast, groups)
    assert (correlated["upper"].to_numpy() >= mean + above - 1e-9).all()
    assert (correlated["upper"].to_numpy() > mean + above + 1e-6).any()
