"""LearnedRanker: candidates, what it learns from past cutoffs, its fallback and its explanations."""

from __future__ import annotations

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from ml.errors import UnknownCustomer
from ml.models.recommend_peers import RecentOwnHistoryRecommender
from ml.models.recommend_ranker import LearnedRanker, _own_rank, _top_mask
from ml.results import ReasonCode

START = pd.Timestamp("2024-01-01")
FAST = dict(n_cutoffs=4, max_iter=40, min_samples_leaf=5, learning_rate=0.1)


def switchers(n_customers: int = 30, weeks: int = 40) -> pd.DataFrame:
    """Every customer buys "old" weekly, then switches for good to "new" (week 22..26): by the end "old"
    still has more baskets than "new", but only "new" is bought again. Fillers vary the baskets."""
    rng = np.random.default_rng(0)
    rows = []
    for c in range(n_customers):
        switch = 22 + c % 5
        for week in range(weeks):
            day = START + pd.Timedelta(days=7 * week + c % 7)
            basket = ["old" if week < switch else "new"]
            basket += [f"f{i}" for i in range(8) if rng.random() < 0.25]
            rows += [{"customer_id": f"c{c:02d}", "product_id": p, "timestamp": day, "quantity": 1.0,
                      "price": 1.5, "store_id": pd.NA, "basket_id": f"c{c}w{week}"} for p in basket]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def fitted() -> LearnedRanker:
    return LearnedRanker(**FAST).fit(switchers())


def test_own_rank_orders_by_baskets_then_recent_popularity():
    baskets = np.array([[2.0, 0.0, 2.0, 1.0]])
    recent = np.array([0.1, 0.9, 0.5, 0.0])
    # products 0 and 2 tie on baskets: 2 is more popular lately; 1 was never bought but is popular
    assert _own_rank(baskets, recent).tolist() == [[2.0, 4.0, 1.0, 3.0]]


def test_top_mask_keeps_the_n_largest_positive_values():
    values = np.array([[0.3, 0.0, 0.9, 0.1], [0.0, 0.0, 0.0, 0.2]])
    assert _top_mask(values, 2).tolist() == [[True, False, True, False], [False, False, False, True]]


def test_the_ranker_learns_that_a_dropped_habit_is_not_bought_again(fitted):
    peer = RecentOwnHistoryRecommender().fit(switchers())
    customers = [f"c{c:02d}" for c in range(30)]
    assert all(peer.recommend_batch(customers, 1)[c] == ["old"] for c in customers)  # most baskets
    top = fitted.recommend_batch(customers, 2)
    assert all(top[c][0] == "new" for c in customers)
    assert fitted.ranker_ is not None and len(fitted.training_cutoffs_) == 4
    assert fitted.training_cutoffs_[0] == pd.Timestamp(fitted.as_of_) + pd.Timedelta(days=1 - 28)


def test_recommend_gives_scores_best_first_and_reasons(fitted):
    items = fitted.recommend("c03", 10)
    assert len(items) == 10 and len({p for p, _, _ in items}) == 10
    scores = [s for _, s, _ in items]
    assert scores == sorted(scores, reverse=True)
    for product, _, reason in items:
        bought = product in {"old", "new"} | {f"f{i}" for i in range(8)}
        assert (reason.code is ReasonCode.REPEAT) == bought
    new = next(reason for product, _, reason in items if product == "new")
    # c03 shops on weekday 3 of each week, the data ends on weekday 6 (c06)
    assert new.params["times"] == 40 - (22 + 3) and new.params["last_days_ago"] == 6 - 3


def test_a_product_never_bought_is_explained_by_its_recent_popularity(fitted):
    # a newcomer bought one filler on the last day: the rest of the list is recent best-sellers
    tx = switchers()
    newcomer = tx.tail(1).assign(customer_id="z", product_id="f0", basket_id="z1")
    model = LearnedRanker(**FAST).fit(pd.concat([tx, newcomer], ignore_index=True))
    items = model.recommend("z", 4)
    recent = model.signals_.recent_share_  # share of the last 7 days' customers who bought each product
    for product, _, reason in items:
        if product == "f0":
            assert reason.code is ReasonCode.REPEAT and reason.params == {"times": 1, "last_days_ago": 0}
        else:
            assert reason.code is ReasonCode.POPULAR
            assert reason.params["share"] == round(float(recent[model.products_.get_loc(product)]), 4) > 0


def test_too_short_a_history_ranks_like_own_history_and_recent_popularity():
    short = switchers(n_customers=8, weeks=9)  # 60 days: no cutoff has 56 days of history before it
    model = LearnedRanker(**FAST).fit(short)
    assert model.ranker_ is None and model.training_cutoffs_ == []
    peer = RecentOwnHistoryRecommender(popularity_days=7).fit(short)
    customers = sorted(short["customer_id"].unique())
    assert model.recommend_batch(customers, 5) == peer.recommend_batch(customers, 5)


def test_unknown_customer_not_fitted_and_joblib(fitted, tmp_path):
    with pytest.raises(NotFittedError):
        LearnedRanker().recommend("c00", 3)
    with pytest.raises(UnknownCustomer):
        fitted.recommend("nobody", 3)
    joblib.dump(fitted, tmp_path / "ranker.joblib")
    again = joblib.load(tmp_path / "ranker.joblib")
    assert again.recommend_batch(["c01", "c07"], 5) == fitted.recommend_batch(["c01", "c07"], 5)


def test_anonymous_tickets_are_left_out():
    tx = switchers(n_customers=10, weeks=20)
    anonymous = tx.head(30).assign(customer_id=pd.NA, product_id="anon-only")
    model = LearnedRanker(**FAST).fit(pd.concat([tx, anonymous], ignore_index=True))
    assert "anon-only" not in model.products_ and len(model.customers_) == 10
