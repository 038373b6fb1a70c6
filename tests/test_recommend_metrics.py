"""Ranking metrics on hand-computed examples."""

from __future__ import annotations

import math

import pytest

from ml.evaluation.ranking import hit_rate_at_k, ndcg_at_k, precision_at_k, recall_at_k


def test_recall_counts_hits_among_first_k_over_all_relevant() -> None:
    recommended = ["a", "b", "c", "d"]
    relevant = {"b", "d", "z"}
    assert recall_at_k(recommended, relevant, 2) == pytest.approx(1 / 3)
    assert recall_at_k(recommended, relevant, 4) == pytest.approx(2 / 3)
    assert recall_at_k(recommended, relevant, 10) == pytest.approx(2 / 3)


def test_recall_and_ndcg_are_zero_without_relevant_items() -> None:
    assert recall_at_k(["a"], set(), 5) == 0.0
    assert ndcg_at_k(["a"], set(), 5) == 0.0


def test_ndcg_of_perfect_ranking_is_one() -> None:
    assert ndcg_at_k(["a", "b", "x"], {"a", "b"}, 3) == pytest.approx(1.0)
    # more relevant items than slots: the ideal list fills all k slots
    assert ndcg_at_k(["a", "b"], {"a", "b", "c", "d"}, 2) == pytest.approx(1.0)


def test_ndcg_hand_computed() -> None:
    # hits at positions 2 and 3, 2 relevant items: DCG = 1/log2(3) + 1/log2(4); IDCG = 1 + 1/log2(3)
    expected = (1 / math.log2(3) + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    assert ndcg_at_k(["x", "a", "b"], {"a", "b"}, 3) == pytest.approx(expected)
    # only the first k positions count
    assert ndcg_at_k(["x", "a", "b"], {"a", "b"}, 1) == 0.0


def test_ndcg_rewards_earlier_hits() -> None:
    assert ndcg_at_k(["a", "x", "y"], {"a"}, 3) > ndcg_at_k(["x", "y", "a"], {"a"}, 3)


def test_repeated_recommendation_counts_once() -> None:
    assert ndcg_at_k(["a", "a"], {"a", "b"}, 2) == pytest.approx(1 / (1 + 1 / math.log2(3)))
    assert recall_at_k(["a", "a"], {"a", "b"}, 2) == pytest.approx(0.5)


def test_precision_and_hit_rate() -> None:
    assert precision_at_k(["a", "x"], {"a"}, 4) == pytest.approx(0.25)
    assert hit_rate_at_k(["x", "a"], {"a"}, 2) == 1.0
    assert hit_rate_at_k(["x", "a"], {"a"}, 1) == 0.0


def test_k_must_be_positive() -> None:
    with pytest.raises(ValueError):
        recall_at_k(["a"], {"a"}, 0)
    with pytest.raises(ValueError):
        ndcg_at_k(["a"], {"a"}, 0)
