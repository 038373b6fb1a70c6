"""evaluate_recommend: time-based holdout on synthetic customers with stable personal habits."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from ml.data.schema import Dataset
from ml.errors import DataValidationError
from ml.evaluation.recommend import CANDIDATES, SHIPPED, evaluate_recommend, holdout_split
from ml.models.recommend_baselines import PopularityRecommender
from ml.models.recommend_peers import implicit_available


def habit_dataset(seed: int = 1, n_customers: int = 60, weeks: int = 16) -> Dataset:
    """Each customer has 4 favourite products out of 40 (bought with probability 0.7 each week) and
    picks one random product per basket; 3 global best-sellers are bought by everybody now and then."""
    rng = np.random.default_rng(seed)
    catalogue = [f"p{i:02d}" for i in range(40)]
    rows = []
    for c in range(n_customers):
        favourites = rng.choice(catalogue, size=4, replace=False)
        for week in range(weeks):
            day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=7 * week + int(rng.integers(0, 7)), hours=9)
            basket = [p for p in favourites if rng.random() < 0.7]
            basket.append(str(rng.choice(catalogue)))
            basket += [p for p in ("p00", "p01", "p02") if rng.random() < 0.15]
            for product in dict.fromkeys(basket):
                rows.append({"customer_id": f"c{c}", "product_id": str(product), "timestamp": day,
                             "quantity": 1.0, "price": 2.0, "store_id": pd.NA, "basket_id": f"c{c}w{week}"})
    transactions = pd.DataFrame(rows)
    products = pd.DataFrame({"product_id": catalogue, "name": catalogue, "category": pd.NA, "aliases": ""})
    return Dataset("habits", transactions, products)


@pytest.fixture(scope="module")
def report() -> dict:
    return evaluate_recommend(habit_dataset(), holdout_days=28, k=5)


def test_report_shape_and_json(report: dict) -> None:
    assert set(report) == {"setup", "model", "baselines", "versus"}
    # the shipped recommender is the model; every other candidate is a peer, popularity the floor
    assert report["model"]["name"] == SHIPPED.display_name
    peers = {"Popularity", "Recommender", "LearnedRanker", "OwnHistory+RecentPop", "TIFU-KNN"}
    if implicit_available():
        peers |= {"implicit-BM25", "implicit-ALS"}
    assert set(report["baselines"]) == peers - {SHIPPED.display_name}
    assert len(CANDIDATES) == 6 and SHIPPED in CANDIDATES
    for metrics in [report["model"], *report["baselines"].values()]:
        for key in ("recall@5", "ndcg@5", "hit_rate@5", "coverage"):
            assert 0.0 <= metrics[key] <= 1.0
    setup = report["setup"]
    assert setup["k"] == 5 and setup["holdout_days"] == 28
    assert 0 < setup["n_customers"] <= 60
    assert setup["train_end"] < setup["holdout_start"] <= setup["holdout_end"]
    json.dumps(report)  # plain JSON-able values only


def test_model_beats_popularity_on_personal_habits(report: dict) -> None:
    model, popularity = report["model"], report["baselines"]["Popularity"]
    assert model["recall@5"] > popularity["recall@5"]
    assert model["ndcg@5"] > popularity["ndcg@5"]
    assert model["coverage"] > popularity["coverage"]


def test_versus_compares_the_model_with_every_baseline_on_the_same_customers(report: dict) -> None:
    assert set(report["versus"]) == set(report["baselines"])
    for name, comparison in report["versus"].items():
        assert set(comparison) == {"recall@5", "ndcg@5"}
        for metric, interval in comparison.items():
            assert interval["low"] <= interval["diff"] <= interval["high"]
            # the mean of per-customer differences is the difference of the reported means
            assert interval["diff"] == pytest.approx(report["model"][metric] - report["baselines"][name][metric])
    # habits are personal: the model's lead over popularity is clear of zero
    assert report["versus"]["Popularity"]["recall@5"]["low"] > 0


def test_holdout_split_hides_the_last_days() -> None:
    dataset = habit_dataset(n_customers=5, weeks=8)
    split = holdout_split(dataset.transactions, 14)
    assert split.train["timestamp"].max() < split.holdout_start
    assert split.holdout_end == dataset.transactions["timestamp"].max().normalize()
    assert (split.holdout_end - split.holdout_start).days == 13
    hidden = dataset.transactions[dataset.transactions["timestamp"] >= split.holdout_start]
    for customer, products in split.relevant.items():
        assert products == set(hidden.loc[hidden["customer_id"] == customer, "product_id"])


def test_custom_models_are_evaluated() -> None:
    report = evaluate_recommend(habit_dataset(n_customers=10, weeks=8), holdout_days=14, k=3,
                                model=PopularityRecommender(), baselines=[])
    assert report["model"]["name"] == "Popularity" and report["baselines"] == {}


def test_holdout_covering_everything_is_rejected() -> None:
    with pytest.raises(DataValidationError):
        evaluate_recommend(habit_dataset(n_customers=3, weeks=2), holdout_days=400)


def test_anonymous_tickets_are_not_scored() -> None:
    dataset = habit_dataset(n_customers=6, weeks=8)
    tx = dataset.transactions
    anonymous = tx.tail(30).assign(customer_id=pd.NA)
    split = holdout_split(pd.concat([tx, anonymous], ignore_index=True), 14)
    assert not split.train["customer_id"].isna().any()
    assert "<NA>" not in split.relevant and split.relevant == holdout_split(tx, 14).relevant
