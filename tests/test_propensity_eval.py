"""Time-based holdout evaluation of the propensity models."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score

from ml.data.schema import Dataset
from ml.errors import DataValidationError
from ml.evaluation import evaluate_propensity
from ml.evaluation.propensity import RankedScores, holdout_pairs
from ml.models.propensity import PropensityModel
from ml.models.propensity_baselines import RandomForestPrototype
from tests.test_propensity_synthetic import synthetic_transactions

HORIZON = 14


@pytest.fixture(scope="module")
def shop() -> pd.DataFrame:
    return synthetic_transactions(n_customers=120, days=150, seed=5)


def as_dataset(tx: pd.DataFrame) -> Dataset:
    products = pd.DataFrame({"product_id": sorted(tx["product_id"].unique())})
    products = products.assign(name=products["product_id"], category=pd.NA, aliases="")
    return Dataset("synthetic", tx, products)


def test_holdout_pairs_come_from_the_past_and_labels_from_the_window(shop: pd.DataFrame) -> None:
    holdout = holdout_pairs(shop, HORIZON)
    assert holdout.end == shop["timestamp"].max().normalize() + pd.Timedelta(days=1)
    assert holdout.cutoff == holdout.end - pd.Timedelta(days=HORIZON)
    past = shop[shop["timestamp"] < holdout.cutoff]
    window = shop[shop["timestamp"] >= holdout.cutoff]
    assert set(holdout.pairs["customer_id"]) == set(past["customer_id"])
    bought_before = set(zip(past["customer_id"], past["product_id"]))
    bought_after = set(zip(window["customer_id"], window["product_id"]))
    pairs = list(zip(holdout.pairs["customer_id"], holdout.pairs["product_id"]))
    assert bought_before <= set(pairs)
    assert len(pairs) == len(set(pairs))
    assert holdout.labels.tolist() == [int(pair in bought_after) for pair in pairs]
    assert holdout_pairs(shop, HORIZON).pairs.equals(holdout.pairs)  # fixed seed


def test_the_stack_is_the_shipped_model_and_its_two_learners_are_peers() -> None:
    from ml.evaluation.propensity import default_baselines, shipped_model
    from ml.models.propensity_peers import LogisticPropensity
    from ml.models.propensity_stacked import StackedPropensity

    model = shipped_model(21)
    assert type(model) is StackedPropensity and model.horizon_days == 21
    peers = default_baselines(21)
    assert type(peers["PropensityGBM"]) is PropensityModel and peers["PropensityGBM"].horizon_days == 21
    assert type(peers["LogisticRegression"]) is LogisticPropensity and peers["LogisticRegression"].horizon_days == 21
    assert model.display_name not in peers


def test_evaluate_propensity_reports_every_model_on_the_same_pairs(shop: pd.DataFrame) -> None:
    report = evaluate_propensity(
        as_dataset(shop), HORIZON, model=PropensityModel(horizon_days=HORIZON, max_iter=60, learning_rate=0.1),
        baselines={"RandomForestPrototype": RandomForestPrototype(horizon_days=HORIZON, n_estimators=20)},
    )
    json.dumps(report)  # plain JSON
    assert set(report) == {"setup", "model", "baselines", "versus"}
    setup = report["setup"]
    assert setup["horizon_days"] == HORIZON and setup["n_pairs"] > setup["n_repeat_pairs"] > 0
    assert 0 < setup["base_rate_new"] < setup["base_rate"] < setup["base_rate_repeat"] < 1
    assert report["model"]["name"] == "PropensityGBM"
    assert set(report["baselines"]) == {"RandomForestPrototype"}
    for scores in (report["model"], *report["baselines"].values()):
        assert 0 <= scores["roc_auc"] <= 1 and 0 <= scores["pr_auc"] <= 1 and 0 <= scores["brier"] <= 1
        assert scores["log_loss"] > 0
    # favourites come back in this shop: scoring them must beat chance clearly
    assert report["model"]["roc_auc"] > 0.75
    assert report["model"]["pr_auc"] > setup["base_rate"]
    assert set(report["versus"]) == {"RandomForestPrototype"}
    comparison = report["versus"]["RandomForestPrototype"]
    assert set(comparison) == {"roc_auc", "pr_auc", "brier", "log_loss"}
    for metric, interval in comparison.items():
        assert interval["low"] <= interval["diff"] <= interval["high"]
        assert interval["diff"] == pytest.approx(
            report["model"][metric] - report["baselines"]["RandomForestPrototype"][metric])


def test_ranked_scores_match_scikit_learn_with_sample_weights() -> None:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, size=500)
    scores = np.round(rng.random(500), 1)  # many ties
    weights = rng.integers(0, 4, size=500).astype(float)
    ranked = RankedScores(labels, scores)
    assert ranked.roc_auc(weights) == pytest.approx(roc_auc_score(labels, scores, sample_weight=weights))
    assert ranked.pr_auc(weights) == pytest.approx(average_precision_score(labels, scores, sample_weight=weights))
    assert ranked.brier(weights) == pytest.approx(brier_score_loss(labels, scores, sample_weight=weights))
    clipped = np.clip(scores, 1e-6, 1 - 1e-6)  # scores of exactly 0 or 1 would give an infinite loss
    assert ranked.log_loss(weights) == pytest.approx(log_loss(labels, clipped, sample_weight=weights))
    ones = np.ones(500)
    assert ranked.roc_auc(ones) == pytest.approx(roc_auc_score(labels, scores))
    assert np.isnan(ranked.roc_auc(np.where(labels == 1, 1.0, 0.0)))  # a replicate with one class


def test_a_holdout_without_history_before_it_is_refused() -> None:
    tx = synthetic_transactions(n_customers=10, days=10, seed=1)
    with pytest.raises(DataValidationError):
        evaluate_propensity(as_dataset(tx), horizon_days=30)
    assert np.isfinite(holdout_pairs(tx, 5).labels).all()
