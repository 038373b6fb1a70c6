"""Baseline recommenders: same interface as Recommender, each does its one simple thing."""

from __future__ import annotations

import io

import joblib
import pandas as pd
import pytest

from ml.errors import UnknownCustomer
from ml.models.recommend_baselines import OwnHistoryRecommender, PopularityRecommender, UserKNNRecommender
from ml.results import ReasonCode

BASELINES = [PopularityRecommender, OwnHistoryRecommender, UserKNNRecommender]


def _frame(baskets: dict[str, list[list[str]]]) -> pd.DataFrame:
    """customer -> list of baskets (one per day, in order) -> product ids."""
    rows = []
    for customer, days in baskets.items():
        for day, products in enumerate(days):
            for product in products:
                rows.append({"customer_id": customer, "product_id": product,
                             "timestamp": pd.Timestamp("2024-03-01") + pd.Timedelta(days=day),
                             "quantity": 2.0, "price": 1.5})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def transactions() -> pd.DataFrame:
    return _frame({
        "c1": [["milk", "bread"], ["milk"], ["milk", "jam"]],
        "c2": [["milk", "eggs"], ["bread"]],
        "c3": [["milk"], ["eggs", "bread"]],
        "c4": [["caviar"], ["caviar"], ["caviar", "toast"]],
        "c5": [["caviar", "toast", "champagne"]],
        "c6": [["rice"]],
    })


@pytest.mark.parametrize("cls", BASELINES)
def test_common_interface(cls: type, transactions: pd.DataFrame) -> None:
    model = cls().fit(transactions)
    assert not hasattr(cls(), "customers_")
    recs = model.recommend("c2", n=3)
    assert len(recs) == 3 and len({p for p, _, _ in recs}) == 3
    assert model.recommend_batch(["c2", "c6"], n=3)["c2"] == [p for p, _, _ in recs]
    with pytest.raises(UnknownCustomer):
        model.recommend("c99")
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    buffer.seek(0)
    assert joblib.load(buffer).recommend("c4", n=4) == model.recommend("c4", n=4)


def test_popularity_ranks_by_distinct_customers(transactions: pd.DataFrame) -> None:
    model = PopularityRecommender().fit(transactions)
    recs = model.recommend("c6", n=3)
    # milk: 3 customers (c1 bought it 3 times but counts once), bread: 3, then eggs/caviar/toast: 2
    assert [p for p, _, _ in recs[:2]] == ["bread", "milk"]  # ties broken by product id
    assert recs[0][2].code is ReasonCode.POPULAR
    assert recs[0][2].params["share"] == pytest.approx(3 / 6)
    assert model.recommend_batch(["c1", "c4"], n=2) == {"c1": ["bread", "milk"], "c4": ["bread", "milk"]}


def test_own_history_ranks_by_baskets_then_pads_with_popular(transactions: pd.DataFrame) -> None:
    model = OwnHistoryRecommender().fit(transactions)
    recs = model.recommend("c4", n=4)
    assert [p for p, _, _ in recs[:2]] == ["caviar", "toast"]
    assert recs[0][2].code is ReasonCode.REPEAT and recs[0][2].params["times"] == 3
    assert recs[0][2].params["last_days_ago"] == 0
    # padding: the most popular products c4 never bought
    assert [p for p, _, _ in recs[2:]] == ["bread", "milk"]
    assert recs[2][2].code is ReasonCode.POPULAR


def test_user_knn_recommends_what_similar_customers_bought(transactions: pd.DataFrame) -> None:
    model = UserKNNRecommender(n_neighbors=1).fit(transactions)
    # c5's nearest customer is c4 (caviar, toast): nothing from the dairy group
    recs = model.recommend("c5", n=2)
    assert {p for p, _, _ in recs} == {"caviar", "toast"}
    # c2 (milk, eggs, bread) is closest to c3 (same three): champagne / caviar score 0 and come last
    ranked = [p for p, _, _ in model.recommend("c2", n=7)]
    assert set(ranked[:3]) == {"milk", "eggs", "bread"}


def test_user_knn_explains_new_items_with_an_anchor(transactions: pd.DataFrame) -> None:
    model = UserKNNRecommender(n_neighbors=2).fit(transactions)
    recs = {p: r for p, _, r in model.recommend("c1", n=5)}
    assert recs["milk"].code is ReasonCode.REPEAT and recs["milk"].params["times"] == 3
    # c1 never bought eggs; c2 and c3 bought eggs with milk and bread
    assert recs["eggs"].code is ReasonCode.ALSO_BOUGHT
    assert recs["eggs"].params["anchor"] in {"milk", "bread"}
