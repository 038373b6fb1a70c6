"""Peers of PropensityModel (logistic regression, LightGBM): same rows, same calibration, other classifier."""

from __future__ import annotations

import io

import joblib
import numpy as np
import pandas as pd
import pytest

from ml.evaluation.propensity import holdout_pairs
from ml.evaluation.tuning import draw_settings, random_search
from ml.models.propensity_peers import LightGBMPropensity, LogisticPropensity, _log1p_finite, lightgbm_available
from ml.models.propensity_stacked import StackedPropensity
from tests.test_propensity_model import HORIZON, shop_with_two_regulars

PEERS = [pytest.param(lambda: LogisticPropensity(horizon_days=HORIZON, n_cutoffs=4), id="logistic"),
         pytest.param(lambda: LightGBMPropensity(horizon_days=HORIZON, n_cutoffs=4, n_estimators=50),
                      id="lightgbm", marks=pytest.mark.skipif(not lightgbm_available(), reason="bench extra")),
         # the shipped stack of the logistic regression and the boosting keeps the same contract
         pytest.param(lambda: StackedPropensity(horizon_days=HORIZON, n_cutoffs=4, max_iter=60, learning_rate=0.1),
                      id="stacked")]


@pytest.fixture(scope="module")
def shop() -> pd.DataFrame:
    return shop_with_two_regulars()


@pytest.mark.parametrize("make", PEERS)
def test_peer_learns_the_weekly_regular(make, shop: pd.DataFrame) -> None:
    model = make().fit(shop)
    weekly, once = model.predict_proba("weekly", "p3"), model.predict_proba("once", "p3")
    assert 0 < once < weekly < 1
    holdout = holdout_pairs(shop, HORIZON)
    refit = make().fit(shop, as_of=holdout.cutoff)
    scores = refit.predict_pairs(holdout.pairs)
    # calibrated on the last window: the mean probability is near the holdout's base rate
    assert abs(scores.mean() - holdout.labels.mean()) < 0.1
    assert scores[holdout.labels == 1].mean() > scores[holdout.labels == 0].mean()
    again = joblib.load(io.BytesIO(_dump(refit)))
    assert np.array_equal(again.predict_pairs(holdout.pairs), scores)


def _dump(model) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    return buffer.getvalue()


def test_log1p_finite_turns_infinite_ratios_into_missing() -> None:
    out = _log1p_finite(np.array([[0.0, np.inf, np.nan, 3.0]]))
    assert out[0, 0] == 0.0 and np.isnan(out[0, 1]) and np.isnan(out[0, 2]) and out[0, 3] == pytest.approx(np.log(4))


def test_draw_settings_starts_with_the_defaults_and_never_repeats() -> None:
    space = {"a": [1, 2], "b": ["x", "y", "z"]}
    draws = draw_settings(space, 20, seed=3)
    assert draws[0] == {} and len(draws) == 1 + 6  # the defaults, then every one of the 6 combinations once
    assert len({tuple(sorted(d.items())) for d in draws[1:]}) == 6
    assert draw_settings(space, 4, seed=3) == draws[:4]  # the same seed gives the same trials


def test_random_search_keeps_the_best_trial() -> None:
    model = LogisticPropensity()
    result = random_search(model, lambda m: -abs(np.log10(m.C) + 1), n_trials=30)  # best at C = 0.1
    assert result["best_params"]["C"] == 0.1 and result["best_score"] == 0.0
    assert result["default_score"] == -2.0 and len(result["trials"]) <= 30  # the default C = 10
    assert model.C == 10.0  # the estimator passed in is left untouched (trials are clones)
