"""Bench peers behind the forecaster interface, on tiny frames (skipped without the bench extra)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ml.models.forecast_base import DECILES, quantile_column


def _daily(n_days: int = 84) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    dates = pd.date_range("2024-01-01", periods=n_days, freq="D")
    frames = []
    for store, product, level in (("1", "A", 8.0), ("2", "A", 2.0), ("1", "B", 0.3)):
        weekly = level * (1 + 0.5 * (dates.dayofweek >= 5))
        frames.append(pd.DataFrame({"store_id": store, "product_id": product, "date": dates,
                                    "quantity": rng.poisson(weekly).astype(float)}))
    return pd.concat(frames, ignore_index=True)


def _check(model, daily: pd.DataFrame, h: int) -> pd.DataFrame:
    frame = model.fit(daily).predict_quantiles(h, DECILES)
    assert len(frame) == 3 * h
    assert set(zip(frame["store_id"], frame["product_id"])) == {("1", "A"), ("2", "A"), ("1", "B")}
    values = frame[[quantile_column(q) for q in DECILES]].to_numpy()
    assert (values >= 0).all() and (np.diff(values, axis=1) >= -1e-9).all()
    means = frame.groupby(["store_id", "product_id"])["mean"].mean()
    assert means[("1", "A")] > means[("2", "A")] > means[("1", "B")]  # stores kept apart
    with pytest.raises(ValueError):
        model.predict(h + 1)
    return frame


def test_lightgbm_peer():
    pytest.importorskip("mlforecast")
    pytest.importorskip("lightgbm")
    from ml.models.forecast_peers import LightGBMPeer

    _check(LightGBMPeer(horizon=7, n_estimators=30, n_windows=2), _daily(), 7)


@pytest.mark.parametrize("name", ["AutoTheta", "CrostonSBA", "TSB"])
def test_stats_peers(name):
    pytest.importorskip("statsforecast")
    from ml.models.forecast_peers import StatsPeer

    frame = _check(StatsPeer(name, horizon=7), _daily(), 7)
    if name != "AutoTheta":  # intermittent-demand models forecast a flat rate
        per = frame.groupby(["store_id", "product_id"])["mean"].nunique()
        assert (per == 1).all()


def test_unknown_stats_model_is_refused():
    pytest.importorskip("statsforecast")
    from ml.models.forecast_peers import StatsPeer

    with pytest.raises(ValueError, match="model must be one of"):
        StatsPeer("Prophet", horizon=7).fit(_daily())


def test_median_ensemble_is_the_median_of_its_members():
    from ml.models.forecast_baselines import LinearRegressionPrototype, SeasonalNaive
    from ml.models.forecast_peers import MedianEnsemble

    daily = _daily()
    members = [lambda: SeasonalNaive(), lambda: LinearRegressionPrototype(), lambda: SeasonalNaive(season=14)]
    ensemble = MedianEnsemble(members, horizon=7).fit(daily)
    means = np.stack([m().fit(daily).predict(7)["mean"].to_numpy() for m in members])
    assert np.allclose(ensemble.predict(7)["mean"], np.median(means, axis=0))
    with pytest.raises(ValueError):
        MedianEnsemble((), horizon=7).fit(daily)


def test_median_ensemble_from_its_members_forecasts_equals_fitting_it():
    from ml.models.forecast_baselines import LinearRegressionPrototype, SeasonalNaive
    from ml.models.forecast_peers import MedianEnsemble

    daily = _daily()
    members = [lambda: SeasonalNaive(), lambda: LinearRegressionPrototype(), lambda: SeasonalNaive(season=14)]
    fitted = MedianEnsemble(members, horizon=7).fit(daily).predict_quantiles(7, DECILES)
    frames = [m().fit(daily).predict_quantiles(7, DECILES).sample(frac=1.0, random_state=0) for m in members]
    reused = MedianEnsemble(members, horizon=7).fit_from_forecasts(frames).predict_quantiles(7, DECILES)
    columns = ["mean", *(quantile_column(q) for q in DECILES)]
    assert reused[["store_id", "product_id", "date"]].equals(fitted[["store_id", "product_id", "date"]])
    assert np.allclose(reused[columns], fitted[columns])
    with pytest.raises(ValueError, match="different series"):
        MedianEnsemble(members, horizon=7).fit_from_forecasts([frames[0], frames[1].iloc[:-1]])


def test_the_evaluation_builds_the_ensemble_from_the_members_it_scored(monkeypatch):
    from ml.evaluation.forecast import evaluate_daily
    from ml.models.forecast_baselines import LinearRegressionPrototype, SeasonalNaive
    from ml.models.forecast_peers import MedianEnsemble

    members = {"SeasonalNaive": lambda: SeasonalNaive(), "LinearRegressionPrototype": LinearRegressionPrototype}
    ensemble = lambda: MedianEnsemble(list(members.values()), horizon=7, member_names=tuple(members))  # noqa: E731
    fits = []
    monkeypatch.setattr(MedianEnsemble, "_fit_matrix", lambda self, matrix: fits.append(self))
    report = evaluate_daily(_daily(), 7, forecasters={**members, "MedianEnsemble": ensemble}, country="")
    assert fits == []  # never refitted: built from the members' forecasts
    scored = report["baselines"]["MedianEnsemble"]
    assert scored["fit_seconds"] >= report["model"]["fit_seconds"] + report["baselines"]["LinearRegressionPrototype"]["fit_seconds"]
    fitted = MedianEnsemble(list(members.values()), horizon=7)
    monkeypatch.undo()
    direct = evaluate_daily(_daily(), 7, forecasters={**members, "MedianEnsemble": lambda: fitted}, country="")
    assert direct["baselines"]["MedianEnsemble"]["SPL"] == pytest.approx(scored["SPL"])
    assert direct["baselines"]["MedianEnsemble"]["MASE"] == pytest.approx(scored["MASE"])
