"""A small synthetic shop for the propensity tests, and checks that it is what the tests assume.

Each customer visits on a day with their own probability; at a visit they buy each of their few
favourite products with a high probability and any other product with a small one. Favourites are
therefore bought again and again, which is the signal a propensity model must find.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ml.data.schema import TRANSACTION_COLUMNS


def synthetic_transactions(n_customers: int = 150, n_products: int = 30, days: int = 160, seed: int = 0,
                           start: str = "2024-01-01") -> pd.DataFrame:
    """Canonical transactions of a stationary synthetic shop (customer ids "c0".., product ids "p0"..)."""
    rng = np.random.default_rng(seed)
    visit_rate = rng.uniform(0.03, 0.35, n_customers)
    popularity = rng.dirichlet(np.full(n_products, 0.7))
    buy = np.full((n_customers, n_products), 0.01)
    for c in range(n_customers):
        favourites = rng.choice(n_products, size=4, replace=False, p=popularity)
        buy[c, favourites] = rng.uniform(0.3, 0.9, 4)
    visits = np.argwhere(rng.random((days, n_customers)) < visit_rate)  # (day, customer)
    bought = rng.random((len(visits), n_products)) < buy[visits[:, 1]]
    rows, prods = np.nonzero(bought)
    day, cust = visits[rows, 0], visits[rows, 1]
    timestamps = pd.Timestamp(start) + pd.to_timedelta(day, unit="D") + pd.to_timedelta(
        rng.integers(8 * 60, 20 * 60, len(rows)), unit="min")
    frame = pd.DataFrame({
        "customer_id": pd.Series([f"c{c}" for c in cust], dtype=object),
        "product_id": pd.Series([f"p{p}" for p in prods], dtype=object),
        "timestamp": timestamps.astype("datetime64[ns]"),
        "quantity": rng.integers(1, 4, len(rows)).astype(np.float64),
        "price": np.round(rng.uniform(0.5, 6.0, n_products)[prods], 2),
        "store_id": pd.Series(pd.NA, index=range(len(rows)), dtype="string"),
        "basket_id": pd.Series([f"b{c}-{d}" for c, d in zip(cust, day)], dtype="string"),
    })
    return frame[list(TRANSACTION_COLUMNS)].sort_values("timestamp", ignore_index=True)


def test_synthetic_shop_is_canonical_and_repeat_heavy() -> None:
    tx = synthetic_transactions()
    assert list(tx.columns) == list(TRANSACTION_COLUMNS)
    assert (tx["quantity"] > 0).all() and (tx["price"] >= 0).all()
    assert tx["timestamp"].dtype == "datetime64[ns]"
    per_pair = tx.groupby(["customer_id", "product_id"])["basket_id"].nunique()
    assert (per_pair >= 3).mean() > 0.2  # favourites come back


def test_synthetic_shop_is_deterministic() -> None:
    pd.testing.assert_frame_equal(synthetic_transactions(seed=3), synthetic_transactions(seed=3))
