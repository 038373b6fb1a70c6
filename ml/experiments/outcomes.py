"""Outcomes of exposures, from the transactions that followed them.

The unit is the customer (a customer shown recommendations three times is one unit, not three: the test
assumes independent units). For each customer of an experiment:

- ``converted``: bought at least one product recommended to them within ``window_days`` after an exposure
  that showed it (strictly after the exposure time, up to ``at + window_days``);
- ``basket_value``: what they spent (quantity x price) in the ``window_days`` after their first exposure;
- ``exposed_at``: their first exposure.

Anonymous tickets (customer ``<NA>``) cannot be tied to anyone and are ignored.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

OUTCOME_COLUMNS = ("customer_id", "arm", "exposed_at", "exposures", "converted", "basket_value")


def customer_outcomes(exposures: pd.DataFrame, transactions: pd.DataFrame, window_days: int) -> pd.DataFrame:
    """One row per exposed customer (OUTCOME_COLUMNS). ``exposures``: customer_id, arm, items (tuples), at."""
    if exposures.empty:
        return pd.DataFrame(columns=list(OUTCOME_COLUMNS))
    window = pd.Timedelta(timedelta(days=window_days))
    tx = _identified(transactions, set(exposures["customer_id"]))
    shown = exposures[["customer_id", "arm", "items", "at"]].explode("items").rename(columns={"items": "product_id"})
    shown = shown.reset_index(names="exposure")
    hits = shown.merge(tx[["customer_id", "product_id", "timestamp"]], on=["customer_id", "product_id"])
    hits = hits[(hits["timestamp"] > hits["at"]) & (hits["timestamp"] <= hits["at"] + window)]
    first = exposures.sort_values("at", kind="stable").groupby("customer_id", sort=True).agg(
        arm=("arm", "first"), exposed_at=("at", "first"), exposures=("at", "size"))
    first["converted"] = first.index.isin(hits["customer_id"])
    spent = tx.merge(first[["exposed_at"]], left_on="customer_id", right_index=True)
    spent = spent[(spent["timestamp"] > spent["exposed_at"]) & (spent["timestamp"] <= spent["exposed_at"] + window)]
    value = (spent["quantity"] * spent["price"]).groupby(spent["customer_id"]).sum()
    first["basket_value"] = value.reindex(first.index, fill_value=0.0).astype(float)
    return first.reset_index()[list(OUTCOME_COLUMNS)]


def _identified(transactions: pd.DataFrame, customers: set[str]) -> pd.DataFrame:
    """The transactions of ``customers`` (ids as text), anonymous tickets dropped."""
    tx = transactions[transactions["customer_id"].notna()]
    tx = tx.assign(customer_id=tx["customer_id"].astype(str), product_id=tx["product_id"].astype(str),
                   timestamp=pd.to_datetime(tx["timestamp"]), price=tx["price"].astype(float).fillna(0.0))
    return tx[tx["customer_id"].isin(customers)]
