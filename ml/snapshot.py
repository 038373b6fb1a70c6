"""What the service needs of the data besides the models: products, stores, what each store sells, stock.

Built once at training time and saved beside the models (``catalog.joblib``), so the bot starts without
reading the transaction log. The forecasts and the recent history live in ``ml.precomputed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from ml.data.schema import STOCK_COLUMNS, STORE_COLUMNS, Dataset

HISTORY_DAYS = 56  # days of recent sales stored per series and shown beside a forecast
POPULARITY_DAYS = 90  # what a store sold over these days is its assortment
RANKING_DAYS = 28  # best sellers are ranked on these last days
MIN_ACTIVE_DAYS = 8  # days of the last 90 a product must sell on (chain-wide) to be forecast
MIN_STORE_DAYS = 2  # ... and a store, to have its own series


@dataclass(frozen=True)
class Snapshot:
    data_name: str
    as_of: date  # last day with observed data
    products: pd.DataFrame  # product_id, name, category, aliases
    popularity: pd.Series  # product_id -> distinct customers (sales log: units) over POPULARITY_DAYS, descending
    customers: tuple[str, ...]  # every identified customer, sorted (empty for a sales log)
    stores: pd.DataFrame  # STORE_COLUMNS, one row per store, sorted by store_id
    # store_id, product_id, quantity (POPULARITY_DAYS), recent (RANKING_DAYS): each store's assortment, best first
    volume: pd.DataFrame
    stock: pd.DataFrame | None = None  # STOCK_COLUMNS, the latest position; None: no stock data
    has_customers: bool = True  # False: a sales log, customer commands cannot answer
    order_parameters: pd.DataFrame | None = None  # product_id + OrderParameters fields (ml.orders.params)


def recent(transactions: pd.DataFrame, as_of: date, days: int) -> pd.DataFrame:
    """Transactions of the ``days`` days up to and including ``as_of``."""
    return transactions[transactions["timestamp"] >= pd.Timestamp(as_of - timedelta(days=days - 1))]


def forecastable_series(transactions: pd.DataFrame, as_of: date, max_series: int,
                        min_active_days: int = MIN_ACTIVE_DAYS,
                        min_store_days: int = MIN_STORE_DAYS, season_days: int = 0) -> pd.DataFrame:
    """The (store_id, product_id) series to forecast, biggest first, at most ``max_series``.

    A series is kept when its product sells regularly in the chain (on at least ``min_active_days`` of the
    last 90 days) and the store sold it on at least ``min_store_days`` of them (it is in its assortment, not
    a one-off listing). A store's slow seller is forecast, intermittent zeros and all: its team still
    wants its figure. With ``season_days`` (the forecast horizon), a series that passes the same rule over
    the coming ``season_days`` *a year ago* is kept too, after the others: the Christmas log that has not sold
    since January is forecast on 25 November for the weeks it sold in last year.
    """
    kept = _eligible(recent(transactions, as_of, POPULARITY_DAYS), min_active_days, min_store_days)
    if season_days > 0:
        start = pd.Timestamp(as_of - timedelta(days=364))
        stamp = transactions["timestamp"]
        last_year = transactions[(stamp >= start) & (stamp < start + pd.Timedelta(days=season_days))]
        seasonal = _eligible(last_year, min_active_days, min_store_days)
        kept = pd.concat([kept, seasonal[~seasonal.index.isin(kept.index)]])
    return kept.head(max_series).reset_index()[["store_id", "product_id"]].reset_index(drop=True)


def _eligible(tx: pd.DataFrame, min_active_days: int, min_store_days: int) -> pd.DataFrame:
    """Series of ``tx`` whose product sold on ``min_active_days`` days and store on ``min_store_days``,
    indexed by (store_id, product_id), biggest first."""
    tx = tx.assign(day=tx["timestamp"].dt.normalize(), store_id=tx["store_id"].astype(str),
                   product_id=tx["product_id"].astype(str))
    regular = tx.groupby("product_id")["day"].nunique()
    regular = regular.index[regular >= min_active_days]
    per_series = tx[tx["product_id"].isin(regular)].groupby(["store_id", "product_id"]).agg(
        quantity=("quantity", "sum"), days=("day", "nunique"))
    eligible = per_series[per_series["days"] >= min_store_days]
    return eligible.sort_values("quantity", ascending=False, kind="stable")


def stores_table(dataset: Dataset) -> pd.DataFrame:
    """The dataset's stores table, or one row per store id of the transactions (named by its id)."""
    if dataset.stores is not None and len(dataset.stores):
        table = dataset.stores.copy()
    else:
        ids = sorted(dataset.transactions["store_id"].astype(str).unique())
        table = pd.DataFrame({"store_id": ids, "name": ids})
    for column in STORE_COLUMNS:
        if column not in table.columns:
            table[column] = pd.NA
    table = table[list(STORE_COLUMNS)].astype({"store_id": str, "name": str})
    return table.sort_values("store_id", kind="stable").reset_index(drop=True)


def _popularity(dataset: Dataset, tx: pd.DataFrame) -> pd.Series:
    if dataset.has_customers:
        score = tx.groupby("product_id")["customer_id"].nunique()
    else:
        score = tx.groupby("product_id")["quantity"].sum()
    score = score.sort_values(ascending=False, kind="stable")
    all_products = dataset.products["product_id"].astype(str)
    missing = pd.Index(sorted(set(all_products) - set(score.index)))
    return score.reindex(score.index.append(missing), fill_value=0).astype(float)


def _latest_stock(stock: pd.DataFrame | None) -> pd.DataFrame | None:
    if stock is None or stock.empty:
        return None
    latest = stock.sort_values("as_of", kind="stable").drop_duplicates(["store_id", "product_id"], keep="last")
    return latest[list(STOCK_COLUMNS)].astype({"store_id": str, "product_id": str}).reset_index(drop=True)


def compact(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    """Store and product ids as categories: a 200,000-row frame pickles and loads in milliseconds."""
    if frame is None:
        return None
    return frame.astype({c: "category" for c in ("store_id", "product_id") if c in frame.columns})


def build_snapshot(dataset: Dataset, stock: pd.DataFrame | None = None,
                   order_parameters: pd.DataFrame | None = None) -> Snapshot:
    """Summarise ``dataset`` for the service; ``stock`` (default: ``dataset.stock``) is the latest position,
    ``order_parameters`` one row per product (``ml.orders.params.parameters_frame``)."""
    tx = dataset.transactions
    as_of = dataset.end
    window = recent(tx, as_of, POPULARITY_DAYS)
    last_weeks = recent(window, as_of, RANKING_DAYS)
    keys = ["store_id", "product_id"]
    volume = (window.groupby(keys, observed=True)["quantity"].sum().reset_index()
              .merge(last_weeks.groupby(keys, observed=True)["quantity"].sum().rename("recent").reset_index(),
                     on=keys, how="left")
              .fillna({"recent": 0.0}).astype({"store_id": str, "product_id": str})
              .sort_values(["store_id", "recent", "quantity", "product_id"], ascending=[True, False, False, True],
                           kind="stable"))
    customers = tx["customer_id"].dropna().astype(str).unique()
    return Snapshot(
        data_name=dataset.name,
        as_of=as_of,
        products=dataset.products.reset_index(drop=True),
        popularity=_popularity(dataset, window),
        customers=tuple(sorted(customers)),
        stores=stores_table(dataset),
        volume=compact(volume.reset_index(drop=True)),
        stock=compact(_latest_stock(stock if stock is not None else dataset.stock)),
        has_customers=dataset.has_customers,
        order_parameters=order_parameters,
    )
