"""What the service needs of the data besides the models: products, popularity, recent history.

Built once at training time and saved beside the models, so the bot starts without
reading the whole transaction log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from ml.data.aggregate import daily_demand
from ml.data.schema import Dataset

HISTORY_DAYS = 120
POPULARITY_DAYS = 90


@dataclass(frozen=True)
class Snapshot:
    data_name: str
    as_of: date  # last day with observed data
    products: pd.DataFrame  # product_id, name, category, aliases
    popularity: pd.Series  # product_id -> distinct customers over the last POPULARITY_DAYS, descending
    history: pd.DataFrame  # product_id, date, quantity: the last HISTORY_DAYS of daily demand, forecastable products
    customers: tuple[str, ...]  # every customer seen, sorted


def forecastable_products(transactions: pd.DataFrame, as_of: date, max_products: int,
                          min_active_days: int = 8) -> list[str]:
    """Products sold on at least ``min_active_days`` of the last 90 days, best sellers first."""
    recent = transactions[transactions["timestamp"] >= pd.Timestamp(as_of - timedelta(days=89))]
    per_product = recent.groupby("product_id").agg(
        quantity=("quantity", "sum"), days=("timestamp", lambda s: s.dt.normalize().nunique())
    )
    eligible = per_product[per_product["days"] >= min_active_days].sort_values("quantity", ascending=False)
    return eligible.index[:max_products].astype(str).tolist()


def build_snapshot(dataset: Dataset, forecast_products: list[str]) -> Snapshot:
    tx = dataset.transactions
    as_of = dataset.end
    recent = tx[tx["timestamp"] >= pd.Timestamp(as_of - timedelta(days=POPULARITY_DAYS - 1))]
    popularity = recent.groupby("product_id")["customer_id"].nunique().sort_values(ascending=False, kind="stable")
    all_products = dataset.products["product_id"].astype(str)
    popularity = popularity.reindex(
        popularity.index.append(pd.Index(sorted(set(all_products) - set(popularity.index)))), fill_value=0
    )
    per_store = daily_demand(tx, product_ids=forecast_products,
                             start=pd.Timestamp(as_of - timedelta(days=HISTORY_DAYS - 1)), end=pd.Timestamp(as_of))
    history = per_store.groupby(["product_id", "date"], as_index=False)["quantity"].sum()  # chain totals
    return Snapshot(
        data_name=dataset.name,
        as_of=as_of,
        products=dataset.products.reset_index(drop=True),
        popularity=popularity.astype(float),
        history=history.reset_index(drop=True),
        customers=tuple(sorted(tx["customer_id"].astype(str).unique())),
    )
