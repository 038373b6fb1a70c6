"""Recommender behaviour on small synthetic baskets with a known structure."""

from __future__ import annotations

import io

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from ml.errors import UnknownCustomer
from ml.models.recommend import Recommender, item_cosine_neighbors
from ml.results import Reason, ReasonCode

START = pd.Timestamp("2024-01-01")


def _rows(customer: str, week: int, products: list[str]) -> list[dict]:
    ts = START + pd.Timedelta(days=7 * week, hours=10)
    return [{"customer_id": customer, "product_id": p, "timestamp": ts, "quantity": 1.0, "price": 1.0,
             "store_id": "s1", "basket_id": f"{customer}-{week}"} for p in products]


def two_group_transactions(weeks: int = 12) -> pd.DataFrame:
    """Group A buys A1 (every basket) and two of A2..A6 in rotation; group B likewise with B items, so
    A2..A6 and B2..B6 are equally popular within their group.

    Customer "a0" buys A1 every week, A2 on even and A3 on odd weeks, and never A4..A6.
    Customer "z0" only ever bought Z1, a product nobody else buys.
    """
    rows: list[dict] = []
    for group in ("A", "B"):
        for c in range(1, 11):
            for week in range(weeks):
                picks = [f"{group}{2 + (c + week) % 5}", f"{group}{2 + (c + week + 2) % 5}"]
                rows += _rows(f"{group.lower()}{c}", week, [f"{group}1", *picks])
    for week in range(weeks):
        rows += _rows("a0", week, ["A1", "A2" if week % 2 == 0 else "A3"])
    rows += _rows("z0", 3, ["Z1"])
    frame = pd.DataFrame(rows)
    frame["timestamp"] = frame["timestamp"].astype("datetime64[ns]")
    return frame


@pytest.fixture(scope="module")
def transactions() -> pd.DataFrame:
    return two_group_transactions()


@pytest.fixture(scope="module")
def model(transactions: pd.DataFrame) -> Recommender:
    return Recommender().fit(transactions)


def test_fit_learns_customers_and_products(model: Recommender, transactions: pd.DataFrame) -> None:
    assert set(model.customers_) == set(transactions["customer_id"])
    assert set(model.products_) == set(transactions["product_id"])
    assert model.as_of_ == transactions["timestamp"].max().normalize()


def test_loyal_item_comes_first_as_repeat(model: Recommender) -> None:
    recs = model.recommend("a0", n=5)
    product, score, reason = recs[0]
    assert product == "A1"
    assert reason.code is ReasonCode.REPEAT
    assert reason.params["times"] == 12  # one per weekly basket
    assert reason.params["last_days_ago"] == 0
    assert {p for p, _, _ in recs[1:3]} == {"A2", "A3"}


def test_group_items_not_yet_bought_come_with_also_bought(model: Recommender) -> None:
    recs = {p: r for p, _, r in model.recommend("a0", n=len(model.products_))}
    for product in ("A4", "A5", "A6"):
        assert recs[product].code is ReasonCode.ALSO_BOUGHT
        assert recs[product].params["anchor"] in {"A1", "A2", "A3"}


def test_own_group_items_rank_above_equally_popular_items_of_the_other_group(model: Recommender) -> None:
    # A4..A6 and B2..B6 are bought as often, by as many customers; only A4..A6 go with a0's habits.
    # (B1, the loyal item of group B, is more popular than any of them and may rank anywhere.)
    ranked = [p for p, _, _ in model.recommend("a0", n=len(model.products_))]
    assert ranked[0] == "A1" and set(ranked[1:3]) == {"A2", "A3"}
    assert max(ranked.index(p) for p in ("A4", "A5", "A6")) < min(ranked.index(f"B{i}") for i in range(2, 7))


def test_customer_without_neighbours_gets_popular_items(model: Recommender) -> None:
    recs = model.recommend("z0", n=4)
    assert recs[0][0] == "Z1" and recs[0][2].code is ReasonCode.REPEAT
    for _, _, reason in recs[1:]:
        assert reason.code is ReasonCode.POPULAR
        assert 0.0 < reason.params["share"] <= 1.0


def test_unknown_customer_raises(model: Recommender) -> None:
    with pytest.raises(UnknownCustomer) as info:
        model.recommend("nobody")
    assert info.value.customer_id == "nobody"
    with pytest.raises(UnknownCustomer):
        model.recommend_batch(["a0", "nobody"], n=3)


@pytest.mark.parametrize("n", [0, 1, 3, 7, 1000])
def test_n_is_respected_without_duplicates(model: Recommender, n: int) -> None:
    recs = model.recommend("b1", n=n)
    assert len(recs) == min(n, len(model.products_))
    ids = [p for p, _, _ in recs]
    assert len(set(ids)) == len(ids)
    scores = [s for _, s, _ in recs]
    assert scores == sorted(scores, reverse=True)
    assert all(isinstance(r, Reason) for _, _, r in recs)


def test_batch_matches_single_calls(model: Recommender) -> None:
    batch = model.recommend_batch(["a0", "b2", "z0"], n=5)
    assert list(batch) == ["a0", "b2", "z0"]
    for customer, products in batch.items():
        assert products == [p for p, _, _ in model.recommend(customer, n=5)]


def test_customer_ids_are_matched_as_strings() -> None:
    frame = two_group_transactions()
    frame = frame.assign(customer_id=frame["customer_id"].map({c: i for i, c in
                                                             enumerate(sorted(frame["customer_id"].unique()))}))
    model = Recommender().fit(frame)
    assert model.recommend("0", n=1)  # integer ids are stored as strings


def test_fit_is_deterministic_and_joblib_round_trips(model: Recommender, transactions: pd.DataFrame) -> None:
    again = Recommender().fit(transactions)
    assert again.recommend("a3", n=8) == model.recommend("a3", n=8)
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    buffer.seek(0)
    loaded = joblib.load(buffer)
    assert loaded.recommend("a0", n=8) == model.recommend("a0", n=8)
    assert loaded.recommend_batch(["b4", "z0"], n=4) == model.recommend_batch(["b4", "z0"], n=4)


def test_unfitted_model_says_so() -> None:
    with pytest.raises(NotFittedError):
        Recommender().recommend("a0")


def test_init_only_stores_params() -> None:
    model = Recommender(half_life_days=10, cf_weight=0.7)
    assert model.half_life_days == 10 and model.cf_weight == 0.7
    assert not [name for name in vars(model) if name.endswith("_")]


def test_recent_baskets_weigh_more_than_old_ones() -> None:
    # x bought P early three times, Q recently twice: with a short half-life Q wins
    rows = _rows("x", 0, ["P"]) + _rows("x", 1, ["P"]) + _rows("x", 2, ["P"])
    rows += _rows("x", 20, ["Q"]) + _rows("x", 21, ["Q"]) + _rows("y", 21, ["R"])
    frame = pd.DataFrame(rows)
    # the recency of the half-life alone (no repeat-cycle term, which also favours the recent cycle of Q)
    assert Recommender(half_life_days=14, cycle_weight=0.0).fit(frame).recommend("x", n=1)[0][0] == "Q"
    assert Recommender(half_life_days=10_000, cycle_weight=0.0).fit(frame).recommend("x", n=1)[0][0] == "P"


def test_basket_without_id_is_customer_day() -> None:
    frame = two_group_transactions().drop(columns=["basket_id"])
    reason = Recommender().fit(frame).recommend("a0", n=1)[0][2]
    assert reason.params["times"] == 12


def test_item_cosine_neighbors_keeps_top_k_and_no_self_similarity() -> None:
    import scipy.sparse as sp

    m = sp.csr_matrix(np.array([[1, 1, 0, 0], [1, 1, 1, 0], [0, 0, 1, 1], [0, 1, 0, 1]], dtype=float))
    sim = item_cosine_neighbors(m, n_neighbors=1, shrinkage=0.0, block=3).toarray()
    assert np.all(np.diag(sim) == 0)
    assert np.all((sim > 0).sum(axis=1) <= 1)
    # items 0 and 1 share 2 of 2 and 3 customers: cos = 2 / sqrt(2 * 3)
    assert sim[0, 1] == pytest.approx(2 / np.sqrt(6))
    shrunk = item_cosine_neighbors(m, n_neighbors=3, shrinkage=5.0).toarray()
    assert shrunk[0, 1] == pytest.approx(2 / (np.sqrt(6) + 5))
