"""Paired bootstrap intervals (ml/evaluation/bootstrap.py) on hand-built score arrays."""

from __future__ import annotations

import numpy as np
import pytest

from ml.evaluation.bootstrap import paired_cluster_difference, paired_difference


def test_identical_scores_give_zero_difference_and_zero_width():
    scores = np.linspace(0.0, 1.0, 50)
    assert paired_difference(scores, scores.copy()) == {"diff": 0.0, "low": 0.0, "high": 0.0}


def test_constant_shift_is_recovered_inside_the_interval():
    baseline = np.random.default_rng(3).random(200)
    result = paired_difference(baseline + 0.1, baseline)
    assert result["diff"] == pytest.approx(0.1)
    assert result["low"] <= result["diff"] <= result["high"]
    assert result["high"] - result["low"] < 1e-9  # paired: the shared noise cancels out


def test_interval_contains_the_true_mean_difference_on_a_larger_sample():
    rng = np.random.default_rng(7)
    baseline = rng.normal(0.5, 0.2, size=3000)
    model = baseline + rng.normal(0.05, 0.1, size=3000)  # true mean difference 0.05
    result = paired_difference(model, baseline)
    assert result["low"] < 0.05 < result["high"]
    assert result["low"] > 0  # 3000 units are enough to separate the models
    assert result["high"] - result["low"] < 0.02


def test_wider_level_gives_a_wider_interval():
    rng = np.random.default_rng(1)
    model, baseline = rng.random(100), rng.random(100)
    narrow = paired_difference(model, baseline, level=0.5)
    wide = paired_difference(model, baseline, level=0.99)
    assert wide["low"] < narrow["low"] < narrow["high"] < wide["high"]


def test_same_seed_same_interval_other_seed_other_interval():
    rng = np.random.default_rng(2)
    model, baseline = rng.random(80), rng.random(80)
    first = paired_difference(model, baseline, n_boot=500, seed=11)
    assert paired_difference(model, baseline, n_boot=500, seed=11) == first
    assert paired_difference(model, baseline, n_boot=500, seed=12) != first


def test_units_with_a_nan_on_either_side_are_dropped():
    model = np.array([1.0, np.nan, 3.0, 5.0])
    baseline = np.array([0.0, 2.0, np.nan, 4.0])
    result = paired_difference(model, baseline)
    assert result["diff"] == pytest.approx(1.0)  # units 0 and 3 only, both differ by 1
    assert result["low"] == pytest.approx(1.0) and result["high"] == pytest.approx(1.0)


def test_all_nan_gives_nan():
    result = paired_difference([np.nan, 1.0], [2.0, np.nan])
    assert all(np.isnan(v) for v in result.values())


def test_mismatched_lengths_raise():
    with pytest.raises(ValueError, match="length"):
        paired_difference([1.0, 2.0, 3.0], [1.0, 2.0])


@pytest.mark.parametrize("kwargs", [{"n_boot": 0}, {"level": 1.0}, {"level": 0.0}])
def test_invalid_settings_raise(kwargs):
    with pytest.raises(ValueError):
        paired_difference([1.0, 2.0], [0.0, 1.0], **kwargs)


# ---------------------------------------------------------------------------- clustered
def test_cluster_bootstrap_resamples_whole_clusters():
    clusters = np.array(["a", "a", "b", "b", "b", "c"])
    seen: list[np.ndarray] = []

    def statistic(weights: np.ndarray) -> float:
        seen.append(weights)
        return float(weights.sum())

    result = paired_cluster_difference(statistic, clusters, n_boot=50, seed=0)
    assert result["diff"] == 6.0  # point estimate: every row once
    for weights in seen[:-1]:
        assert weights[0] == weights[1] and weights[2] == weights[3] == weights[4]  # rows move with their cluster
        assert set(np.unique(weights)) <= {0.0, 1.0, 2.0, 3.0}
        assert (weights[[0, 2, 5]]).sum() == 3  # three clusters drawn per replicate
    assert result["low"] <= result["high"]


def test_cluster_bootstrap_of_a_weighted_mean_difference_covers_the_truth():
    rng = np.random.default_rng(4)
    clusters = np.repeat(np.arange(400), 5)
    effect = rng.normal(0.2, 0.3, size=400)[clusters]  # customer-level effect, true mean 0.2

    def statistic(weights: np.ndarray) -> float:
        return float(np.average(effect, weights=weights))

    result = paired_cluster_difference(statistic, clusters, n_boot=300, seed=1)
    assert result["low"] <= result["diff"] <= result["high"]
    assert result["low"] < 0.2 < result["high"]
    assert paired_cluster_difference(statistic, clusters, n_boot=300, seed=1) == result
