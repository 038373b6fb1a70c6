"""Peers of the Recommender (own history + recent popularity, TIFU-KNN, implicit) and its repeat-cycle signal."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ml.errors import UnknownCustomer
from ml.models.recommend import Recommender
from ml.models.recommend_peers import (
    ImplicitALSRecommender,
    ImplicitBM25Recommender,
    RecentOwnHistoryRecommender,
    TIFUKNNRecommender,
    implicit_available,
)
from ml.models.recommend_signals import cycle_due
from ml.results import ReasonCode

START = pd.Timestamp("2024-03-01")
needs_implicit = pytest.mark.skipif(not implicit_available(), reason="implicit not installed (bench extra)")


def _frame(purchases: list[tuple[str, str, int]]) -> pd.DataFrame:
    """(customer, product, day offset) -> transaction lines; a basket is a customer's day."""
    return pd.DataFrame([{"customer_id": c, "product_id": p, "timestamp": START + pd.Timedelta(days=d),
                          "quantity": 1.0, "price": 2.0} for c, p, d in purchases])


@pytest.fixture(scope="module")
def shop() -> pd.DataFrame:
    rows = [("c1", "milk", d) for d in (0, 7, 14, 21)] + [("c1", "bread", 1), ("c1", "jam", 2)]
    rows += [("c2", "milk", 3), ("c2", "eggs", 3), ("c2", "bread", 20), ("c3", "eggs", 22), ("c3", "bread", 22)]
    rows += [("c4", "caviar", 5), ("c4", "toast", 5), ("c5", "caviar", 6), ("c5", "toast", 6), ("c5", "milk", 6), ("c6", "milk", 0)]
    return _frame(rows)


PEERS = [RecentOwnHistoryRecommender, TIFUKNNRecommender,
         pytest.param(ImplicitBM25Recommender, marks=needs_implicit),
         pytest.param(ImplicitALSRecommender, marks=needs_implicit)]


@pytest.mark.parametrize("cls", PEERS)
def test_peers_share_the_interface_and_keep_bought_items(cls: type, shop: pd.DataFrame) -> None:
    model = cls().fit(shop)
    assert not hasattr(cls(), "customers_")
    recs = model.recommend("c1", n=4)
    assert len({p for p, _, _ in recs}) == 4
    assert model.recommend_batch(["c1", "c4"], n=4)["c1"] == [p for p, _, _ in recs]
    # repeat purchases are kept: c4's own products are candidates like any other
    assert {"caviar", "toast"} & set(model.recommend_batch(["c4"], n=3)["c4"])
    with pytest.raises(UnknownCustomer):
        model.recommend("nobody")


def test_own_history_ties_are_broken_by_recent_popularity(shop: pd.DataFrame) -> None:
    # c2 bought milk, eggs and bread once each; in the last 7 days (days 16..22) bread has 2 of 3 recent
    # customers (c2, c3), eggs 1 (c3), milk 1 (c1): bread, then eggs before milk (same share: lower index)
    model = RecentOwnHistoryRecommender(popularity_days=7).fit(shop)
    assert model.recommend_batch(["c2"], n=3)["c2"] == ["bread", "eggs", "milk"]
    # over all 23 days milk leads (c1, c2, c5, c6; bread 3): the recent window is what changes the order
    assert RecentOwnHistoryRecommender(popularity_days=60).fit(shop).recommend_batch(["c2"], n=1)["c2"] == ["milk"]


def test_own_history_explains_repeats_and_recent_popularity(shop: pd.DataFrame) -> None:
    # c3 bought eggs and bread on day 22; then by the last 7 days' share (days 16..22: c1, c2, c3 active):
    # milk 1/3 (c1 on day 21) before caviar, jam and toast (0/3; lower index first)
    model = RecentOwnHistoryRecommender(popularity_days=7).fit(shop)
    recs = model.recommend("c3", n=3)
    assert [p for p, _, _ in recs] == ["bread", "eggs", "milk"]
    assert [r.code for _, _, r in recs] == [ReasonCode.REPEAT, ReasonCode.REPEAT, ReasonCode.POPULAR]
    assert recs[0][2].params == {"times": 1, "last_days_ago": 0}
    assert recs[2][2].params == {"share": round(1 / 3, 4)}  # the recent share, not the all-time one (4/6)


def test_tifu_own_vector_follows_the_grouped_decays() -> None:
    # baskets x (day 0), y (day 1), z (day 2); groups of 2 from the newest: {z, y}, {x}
    # z: 1/2 * 1 / 2 groups = 0.25; y: 0.5/2 * 1 / 2 = 0.125; x: 1/1 * 0.5 / 2 = 0.25
    tx = _frame([("u", "x", 0), ("u", "y", 1), ("u", "z", 2), ("v", "x", 0)])
    model = TIFUKNNRecommender(group_size=2, within_decay=0.5, group_decay=0.5, alpha=1.0).fit(tx)
    own = model.own_[model.customers_.get_loc("u")].toarray().ravel()
    assert own[model.products_.get_indexer(["x", "y", "z"])] == pytest.approx([0.25, 0.125, 0.25])
    assert model.recommend_batch(["u"], n=3)["u"] == ["x", "z", "y"]  # x and z tie: lower index first


def test_tifu_borrows_from_the_nearest_customer() -> None:
    tx = _frame([("a", "p", 0), ("a", "q", 0), ("b", "p", 1), ("b", "q", 1), ("b", "r", 1), ("c", "s", 2)])
    model = TIFUKNNRecommender(n_neighbors=1, alpha=0.5).fit(tx)
    scores = dict((p, s) for p, s, _ in model.recommend("a", n=4))
    # a's nearest customer is b (cosine 0.82 vs 0 for c): r comes from b, s from nobody
    assert scores["r"] > 0 and scores.get("s", 0.0) == 0.0


def test_cycle_due_hand_computed() -> None:
    tx = _frame([("u", "milk", 0), ("u", "milk", 7), ("u", "milk", 14),  # cycle 7, last on day 14
                 ("u", "oil", 0), ("u", "oil", 100),  # cycle 100, bought on as_of
                 ("u", "salt", 20), ("u", "flour", 30), ("u", "flour", 50)])  # flour: cycle 20
    model = Recommender(lapse_cycles=2.0).fit(tx)  # as_of = day 100
    due = model.due_.toarray()[0]
    col = model.products_.get_loc
    # milk: since = 100 - 14 + 1 = 87 days, wait = 7 - 87 = -80: overdue, exp(-80 / (2 * 7))
    assert due[col("milk")] == pytest.approx(np.exp(-80 / 14))
    # oil: since 1, wait 99 > 28: exp(-(99 - 28) / 100) * 28 / 100
    assert due[col("oil")] == pytest.approx(np.exp(-0.71) * 0.28)
    assert due[col("salt")] == 0.0  # one purchase day: no cycle
    # flour: since 51, wait -31: exp(-31 / 40) * min(1, 28 / 20)
    assert due[col("flour")] == pytest.approx(np.exp(-31 / 40))


def test_the_customer_due_for_milk_gets_milk_first() -> None:
    # weekly milk (last bought 8 days before as_of) and coffee bought as often, in a burst two weeks ago
    rows = [("u", "milk", d) for d in (0, 7, 14, 21)] + [("u", "coffee", d) for d in (10, 11, 12, 13)]
    tx = _frame(rows + [("v", "coffee", 28)])
    flat = dict(popularity_weight=0.0, cf_weight=0.0, half_life_days=1e9, lapse_cycles=2.0)
    # same counts, no cycle: coffee's purchases are younger on average (ages 15-18 vs 7-28 days)
    assert Recommender(cycle_weight=0.0, **flat).fit(tx).recommend_batch(["u"], n=1)["u"] == ["coffee"]
    due = Recommender(cycle_weight=1.0, **flat).fit(tx)
    assert due.recommend_batch(["u"], n=1)["u"] == ["milk"]
    # milk: wait 7 - 8 = -1, exp(-1 / 14); coffee: cycle 1, wait 1 - 16 = -15, exp(-15 / 2): faded out
    model_due = due.due_.toarray()[0]
    assert model_due[due.products_.get_loc("milk")] == pytest.approx(np.exp(-1 / 14))
    assert model_due[due.products_.get_loc("coffee")] == pytest.approx(np.exp(-7.5))


def test_basket_complements_and_anonymous_tickets() -> None:
    tx = _frame([("a", "pasta", 0), ("a", "sauce", 0), ("a", "wine", 3), ("b", "pasta", 1), ("b", "sauce", 1),
                 ("b", "wine", 5), ("c", "pasta", 2)])
    tx = pd.concat([tx, _frame([("x", "wine", 4)]).assign(customer_id=pd.NA)], ignore_index=True)
    model = Recommender(complements="basket", cf_weight=1.0, popularity_weight=0.0).fit(tx)
    assert "x" not in model.customers_ and "<NA>" not in model.customers_
    sim = model.similarity_.toarray()
    col = model.products_.get_loc
    # pasta and sauce share two baskets, pasta and wine none
    assert sim[col("pasta"), col("sauce")] > 0 and sim[col("pasta"), col("wine")] == 0
    assert model.recommend_batch(["c"], n=2)["c"] == ["pasta", "sauce"]
    with pytest.raises(ValueError):
        Recommender(complements="aisle").fit(tx)


def test_cycle_due_is_empty_without_repeat_days() -> None:
    tx = _frame([("u", "a", 0), ("u", "b", 0)])
    assert Recommender().fit(tx).due_.nnz == 0
    assert cycle_due(pd.DataFrame({"row": [], "col": [], "day": pd.to_datetime([])}), START, (1, 1), 28, 2).nnz == 0


def test_a_last_day_cut_mid_day_is_dropped() -> None:
    from ml.evaluation.windows import drop_partial_last_day, window_plan

    days = [START + pd.Timedelta(days=d, hours=h) for d in range(10) for h in (9, 12, 15, 18)]
    full = pd.DataFrame({"customer_id": "c", "product_id": "p", "timestamp": days})
    cut = pd.concat([full, pd.DataFrame({"customer_id": "c", "product_id": "p",
                                         "timestamp": [START + pd.Timedelta(days=10, hours=9)]})])
    assert len(drop_partial_last_day(cut)) == len(full)  # day 10 closed at 9:00 with 1 line: partial
    assert len(drop_partial_last_day(full)) == len(full)  # day 9 closed at 18:00 like the others
    dates_only = full.assign(timestamp=full["timestamp"].dt.normalize())
    assert len(drop_partial_last_day(dates_only.iloc[:-3])) == len(dates_only) - 3  # no time of day: kept
    plan = window_plan(pd.Timestamp("2011-12-08").date(), 4)
    assert [str(d) for d in plan.test_ends] == ["2011-12-08", "2011-11-10", "2011-10-13", "2011-09-15"]
    assert str(plan.validation_end) == "2011-08-18" and str(plan.earliest_test_start) == "2011-08-19"
