"""Propensity features: computed from the past only, and what each column means."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ml.models.propensity_features import (
    ALL_FEATURES,
    DAYS_CAP,
    build_features,
    candidate_pairs,
    day_number,
    learn_profile_defaults,
    pair_features,
    prepare_history,
    profile_features,
    purchase_labels,
    summarise,
)
from ml.results import CustomerProfile
from tests.test_propensity_synthetic import synthetic_transactions

CUTOFF = pd.Timestamp("2024-03-01")


def lines(*rows: tuple[str, str, str, float, float], basket_ids: bool = True) -> pd.DataFrame:
    """Transactions from (customer, product, "YYYY-MM-DD HH:MM", quantity, price) rows."""
    frame = pd.DataFrame(rows, columns=["customer_id", "product_id", "timestamp", "quantity", "price"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"]).astype("datetime64[ns]")
    frame["store_id"] = pd.Series(pd.NA, index=frame.index, dtype="string")
    if basket_ids:
        hour = frame["timestamp"].dt.strftime("%Y%m%d%H")
        frame["basket_id"] = (frame["customer_id"] + "-" + hour).astype("string")
    else:
        frame["basket_id"] = pd.Series(pd.NA, index=frame.index, dtype="string")
    return frame


def features_of(tx: pd.DataFrame, customer: str, product: str, cutoff: pd.Timestamp = CUTOFF) -> pd.Series:
    pairs = pd.DataFrame({"customer_id": [customer], "product_id": [product]})
    return build_features(tx, cutoff, pairs, horizon_days=14).iloc[0]


def test_a_purchase_on_the_cutoff_day_does_not_leak() -> None:
    before = lines(("a", "milk", "2024-02-27 10:00", 1, 1.0), ("a", "bread", "2024-02-20 09:00", 1, 2.0))
    later = lines(("a", "milk", "2024-03-01 08:00", 5, 1.0), ("a", "milk", "2024-03-05 08:00", 1, 1.0),
                  ("a", "jam", "2024-03-01 00:00", 1, 3.0))
    after = pd.concat([before, later], ignore_index=True)
    for product in ("milk", "bread"):  # everything dated on or after the cutoff is invisible
        pd.testing.assert_series_equal(features_of(after, "a", product), features_of(before, "a", product))
    milk = features_of(after, "a", "milk")
    assert milk["pair_n_all"] == 1 and milk["pair_days_since"] == 3 and milk["cust_visits_all"] == 2
    jam = features_of(after, "a", "jam")
    assert jam["pair_never"] == 1 and jam["pair_n_all"] == 0 and jam["pair_days_since"] == DAYS_CAP


def test_pair_counts_recency_and_cycle() -> None:
    tx = lines(("a", "milk", "2024-01-21 10:00", 1, 1.0),  # 40 days before the cutoff
               ("a", "milk", "2024-02-10 10:00", 1, 1.0),  # 20
               ("a", "milk", "2024-02-20 10:00", 2, 1.0),  # 10
               ("a", "milk", "2024-02-20 10:30", 1, 1.0),  # same basket
               ("a", "bread", "2023-09-01 10:00", 1, 2.0))
    f = features_of(tx, "a", "milk")
    assert (f["pair_n_30"], f["pair_n_90"], f["pair_n_all"]) == (2, 3, 3)
    assert f["pair_days_since"] == 10 and f["pair_never"] == 0
    assert f["pair_interval"] == pytest.approx(15.0)
    assert f["pair_due_ratio"] == pytest.approx(10 / 15)
    assert f["cust_visits_all"] == 4 and f["cust_visits_30"] == 2 and f["cust_visits_90"] == 3
    assert f["cust_days_since"] == 10 and f["cust_n_products"] == 2
    assert f["cust_basket_value"] == pytest.approx((1 + 1 + 3 + 2) / 4)
    once = features_of(tx, "a", "bread")
    assert np.isnan(once["pair_interval"]) and np.isnan(once["pair_due_ratio"])


def test_missing_basket_ids_fall_back_to_customer_and_day() -> None:
    tx = lines(("a", "milk", "2024-02-20 10:00", 1, 1.0), ("a", "bread", "2024-02-20 18:00", 1, 1.0),
               ("a", "milk", "2024-02-22 10:00", 1, 1.0), basket_ids=False)
    f = features_of(tx, "a", "milk")
    assert f["cust_visits_all"] == 2 and f["pair_n_all"] == 2


def test_product_features_share_and_repurchase() -> None:
    tx = lines(("a", "milk", "2024-02-25 10:00", 1, 1.0), ("a", "milk", "2024-02-10 10:00", 1, 1.0),
               ("b", "milk", "2024-02-26 10:00", 1, 1.0), ("b", "jam", "2024-02-26 10:00", 1, 1.0),
               ("c", "jam", "2024-01-05 10:00", 1, 1.0), ("d", "jam", "2024-02-28 10:00", 1, 1.0))
    milk = features_of(tx, "c", "milk")
    # active in the last 14 days: a, b, d; milk bought by a and b
    assert milk["prod_share_h"] == pytest.approx(2 / 3)
    assert milk["prod_repurchase"] == pytest.approx(1 / 2)  # a twice, b once
    assert features_of(tx, "c", "jam")["prod_repurchase"] == 0


def test_unknown_ids_get_the_no_history_row() -> None:
    tx = lines(("a", "milk", "2024-02-25 10:00", 1, 1.0))
    f = features_of(tx, "nobody", "nothing")
    assert f["pair_never"] == 1 and f["cust_visits_all"] == 0 and f["cust_days_since"] == DAYS_CAP
    assert f["prod_share_h"] == 0


def test_labels_cover_the_horizon_window_only() -> None:
    tx = lines(("a", "milk", "2024-02-29 23:00", 1, 1.0), ("a", "milk", "2024-03-01 08:00", 1, 1.0),
               ("a", "bread", "2024-03-15 08:00", 1, 1.0), ("b", "milk", "2024-03-14 23:59", 1, 1.0))
    history = prepare_history(tx)
    cust = history.customers.get_indexer(["a", "a", "b"])
    prod = history.products.get_indexer(["milk", "bread", "milk"])
    labels = purchase_labels(history, day_number(CUTOFF), 14, cust, prod)
    assert labels.tolist() == [1, 0, 1]


def test_candidates_hold_every_past_pair_and_unbought_popular_products() -> None:
    tx = synthetic_transactions(n_customers=60, days=100, seed=1)
    history = prepare_history(tx)
    summary = summarise(history, history.last_day - 13, 14)
    cust, prod = candidate_pairs(summary, n_popular=20, negatives_per_repeat=1.0, seed=0)
    bought = pair_features(summary, cust, prod)["pair_never"].to_numpy() == 0
    assert bought.sum() == len(summary.pair_keys)
    keys = cust * summary.n_products + prod
    assert len(np.unique(keys)) == len(keys)
    assert (~bought).sum() > 0
    assert (~bought).sum() <= bought.sum()
    again = candidate_pairs(summary, n_popular=20, negatives_per_repeat=1.0, seed=0)
    assert np.array_equal(again[0], cust) and np.array_equal(again[1], prod)


def test_profile_mapping() -> None:
    tx = synthetic_transactions(n_customers=80, days=120, seed=2)
    history = prepare_history(tx)
    summary = summarise(history, history.last_day + 1, 14)
    defaults = learn_profile_defaults(summary)
    product = int(history.products.get_indexer(["p0"])[0])
    never = profile_features(CustomerProfile(8, 3, 0, None, 20.0), product, summary, defaults).iloc[0]
    assert never["pair_never"] == 1 and never["pair_n_90"] == 0
    assert never["cust_visits_30"] == 8 and never["cust_visits_90"] == 24 and never["cust_days_since"] == 3
    regular = profile_features(CustomerProfile(8, 3, 5, 4, 20.0), product, summary, defaults).iloc[0]
    assert regular["pair_never"] == 0 and regular["pair_n_90"] == 5 and regular["pair_days_since"] == 4
    assert regular["pair_n_all"] >= 5 and 1 <= regular["pair_n_30"] <= 5
    old = profile_features(CustomerProfile(8, 3, 0, 120, 20.0), product, summary, defaults).iloc[0]
    assert old["pair_never"] == 0 and old["pair_n_30"] == 0 and old["pair_days_since"] == 120
    assert list(regular.index) == list(ALL_FEATURES)
    assert regular["prod_share_90"] == summary.product_table.loc[product, "prod_share_90"]
