"""StackedPropensity: two learners on the same rows, combined on the inner window only."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.exceptions import NotFittedError

from ml.evaluation.propensity import holdout_pairs
from ml.models.propensity_stacked import LEARNERS, StackedPropensity
from tests.test_propensity_model import HORIZON, shop_with_two_regulars

SMALL = dict(horizon_days=HORIZON, n_cutoffs=4, max_iter=60, learning_rate=0.1)


@pytest.fixture(scope="module")
def shop() -> pd.DataFrame:
    return shop_with_two_regulars()


@pytest.fixture(scope="module")
def as_of(shop: pd.DataFrame) -> pd.Timestamp:
    return holdout_pairs(shop, HORIZON).cutoff


@pytest.fixture(scope="module")
def stacked(shop: pd.DataFrame, as_of: pd.Timestamp) -> StackedPropensity:
    return StackedPropensity(**SMALL).fit(shop, as_of=as_of)


def _inner_window(model: StackedPropensity, tx: pd.DataFrame) -> pd.Series:
    return (tx["timestamp"] >= model.calibration_cutoff_) & (tx["timestamp"] < model.cutoff_)


def test_init_only_stores_parameters_and_clones() -> None:
    model = StackedPropensity(horizon_days=7, C=0.1, max_iter=50, stack_C=2.0, refit=True)
    assert not [name for name in vars(model) if name.endswith("_")]
    params = clone(model).get_params()
    assert params["horizon_days"] == 7 and params["C"] == 0.1 and params["max_iter"] == 50
    assert params["stack_C"] == 2.0 and params["refit"] is True
    with pytest.raises(NotFittedError):
        model.predict_proba("weekly", "p3")


def test_the_score_is_the_stacker_on_both_learners_logits(stacked: StackedPropensity) -> None:
    frame = stacked._product_frame(stacked._product_code("p3"))
    rows = frame[list(stacked.features)]
    z = sum(stacked.weights_[name] * stacked.learners_[name].decision_function(rows) for name in LEARNERS)
    expected = 1 / (1 + np.exp(-(z + stacked.stacker_.intercept_[0])))
    assert np.allclose(stacked._score(frame), expected)
    assert set(stacked.weights_) == {"logistic", "boosting"} and stacked.stacker_.n_features_in_ == 2


def test_the_inner_window_lies_after_every_training_label(stacked: StackedPropensity, as_of) -> None:
    assert stacked.cutoff_ == as_of
    assert stacked.calibration_cutoff_ == as_of - pd.Timedelta(days=HORIZON)
    # a training cutoff t labels [t, t + horizon): every one ends at the inner cut-off at the latest
    assert max(stacked.training_cutoffs_) + pd.Timedelta(days=HORIZON) <= stacked.calibration_cutoff_


def test_nothing_at_or_after_the_cut_off_is_used(stacked: StackedPropensity, shop: pd.DataFrame, as_of) -> None:
    later = shop["timestamp"] >= as_of
    assert later.any()
    truncated = StackedPropensity(**SMALL).fit(shop[~later], as_of=as_of)
    assert truncated.weights_ == stacked.weights_
    holdout = holdout_pairs(shop, HORIZON)
    assert np.array_equal(truncated.predict_pairs(holdout.pairs), stacked.predict_pairs(holdout.pairs))


def _without_half_the_inner_window(model: StackedPropensity, shop: pd.DataFrame) -> pd.DataFrame:
    """The shop with the inner window's purchases of every second customer removed (same ids before it)."""
    number = shop["customer_id"].str.extract(r"(\d+)$")[0].fillna("1").astype(int)
    drop = _inner_window(model, shop) & (number % 2 == 0)
    changed = shop[~drop]
    before = shop["timestamp"] < model.calibration_cutoff_
    assert set(changed["customer_id"]) == set(shop["customer_id"])
    assert set(changed["product_id"]) == set(shop["product_id"])
    assert drop.sum() > 50 and changed[before[~drop]].equals(shop[before])
    return changed


def test_the_learners_never_see_the_inner_window_the_stacker_learns_from(stacked, shop, as_of) -> None:
    changed = StackedPropensity(**SMALL).fit(_without_half_the_inner_window(stacked, shop), as_of=as_of)
    rows = stacked._product_frame(stacked._product_code("p3"))[list(stacked.features)]
    for name in LEARNERS:  # the same learners: their training labels end before the inner window
        assert np.array_equal(changed.learners_[name].decision_function(rows),
                              stacked.learners_[name].decision_function(rows))
    assert changed.weights_ != stacked.weights_  # the weights are learned from the inner window's labels


def test_refit_learns_from_the_inner_window_with_the_same_weights(stacked, shop, as_of) -> None:
    refit = StackedPropensity(**SMALL, refit=True).fit(shop, as_of=as_of)
    assert refit.weights_ == stacked.weights_  # learned before the learners are refitted
    changed = StackedPropensity(**SMALL, refit=True).fit(_without_half_the_inner_window(stacked, shop), as_of=as_of)
    rows = stacked._product_frame(stacked._product_code("p3"))[list(stacked.features)]
    assert not np.array_equal(changed.learners_["boosting"].decision_function(rows),
                              refit.learners_["boosting"].decision_function(rows))
    assert not np.array_equal(refit.learners_["logistic"].decision_function(rows),
                              stacked.learners_["logistic"].decision_function(rows))


class _Noise(ClassifierMixin, BaseEstimator):
    """A learner that learned nothing: logits drawn at random."""

    def fit(self, X, y):
        self.classes_ = np.array([0, 1])
        return self

    def decision_function(self, X):
        return np.random.default_rng(len(X)).normal(0.0, 2.0, len(X))


@pytest.mark.parametrize("useless", LEARNERS)
def test_the_stack_trusts_the_learner_that_predicts_the_inner_window(useless: str, shop, as_of) -> None:
    class WithANoisyLearner(StackedPropensity):
        def _fit_learners(self, X, y):
            learners = super()._fit_learners(X, y)
            learners[useless] = _Noise().fit(X, y)
            return learners

    model = WithANoisyLearner(**SMALL).fit(shop, as_of=as_of)
    useful = next(name for name in LEARNERS if name != useless)
    assert model.weights_[useful] > 0.5
    assert abs(model.weights_[useless]) < 0.1 * model.weights_[useful]
