"""A customer's card: visits, basket, favourite categories and products, a monthly purchase timeline.

Read from the transactions stored in ``DATABASE_URL`` by training (:mod:`ml.data.store`): one customer's
lines only. A visit is a basket (``basket_id``; without one, a customer's day in a store). Anonymous tickets
belong to nobody and never appear.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
import sqlalchemy as sa

from ml.data.store import products_table, transactions_table
from ml.results import Product

TIMELINE_MONTHS = 12
TOP_CATEGORIES = 3
TOP_PRODUCTS = 3


@dataclass(frozen=True, slots=True)
class CategoryShare:
    category: str
    share: float  # of the customer's spend (of items when prices are unknown), 0..1


@dataclass(frozen=True, slots=True)
class MonthPoint:
    month: date  # first day of the month
    visits: int
    spend: float


@dataclass(frozen=True, slots=True)
class CustomerCard:
    customer_id: str
    as_of: date
    first_visit: date
    last_visit: date
    visits: int  # ever
    visits_90: int  # in the 90 days up to as_of
    mean_basket: float | None  # spend per visit; None when prices are unknown
    mean_items: float  # units per visit
    categories: tuple[CategoryShare, ...]
    products: tuple[Product, ...]  # bought in the most visits
    timeline: tuple[MonthPoint, ...]  # the last TIMELINE_MONTHS months up to as_of, oldest first

    @property
    def days_since_last_visit(self) -> int:
        return (self.as_of - self.last_visit).days


def build_card(lines: pd.DataFrame, products: pd.DataFrame, customer_id: str, as_of: date) -> CustomerCard:
    """The card from one customer's ``lines`` (TRANSACTION_COLUMNS) up to ``as_of``; ``products``: PRODUCT_COLUMNS."""
    tx = lines[pd.to_datetime(lines["timestamp"]) < pd.Timestamp(as_of + timedelta(days=1))].copy()
    tx["timestamp"] = pd.to_datetime(tx["timestamp"])
    tx["day"] = tx["timestamp"].dt.normalize()
    day_key = tx["store_id"].astype(str) + "|" + tx["day"].dt.strftime("%Y-%m-%d")
    tx["visit"] = tx["basket_id"].astype("string").fillna(day_key) if "basket_id" in tx else day_key
    priced = tx["price"].notna().any()
    tx["spend"] = tx["quantity"] * tx["price"].astype(float).fillna(0.0)
    visits = tx.groupby("visit").agg(day=("day", "min"), spend=("spend", "sum"), items=("quantity", "sum"))
    recent = visits["day"] >= pd.Timestamp(as_of - timedelta(days=89))
    names = products.set_index("product_id")
    return CustomerCard(
        customer_id=customer_id, as_of=as_of, first_visit=visits["day"].min().date(),
        last_visit=visits["day"].max().date(), visits=len(visits), visits_90=int(recent.sum()),
        mean_basket=float(visits["spend"].mean()) if priced else None, mean_items=float(visits["items"].mean()),
        categories=_categories(tx, names, priced), products=_products(tx, names),
        timeline=_timeline(visits, as_of),
    )


def _categories(tx: pd.DataFrame, names: pd.DataFrame, priced: bool) -> tuple[CategoryShare, ...]:
    category = tx["product_id"].map(names["category"]).fillna("?") if "category" in names else None
    if category is None:
        return ()
    weight = tx["spend"] if priced else tx["quantity"]
    totals = weight.groupby(category).sum().sort_values(ascending=False, kind="stable")
    total = float(totals.sum())
    if total <= 0:
        return ()
    return tuple(CategoryShare(str(c), float(v) / total) for c, v in totals.head(TOP_CATEGORIES).items())


def _products(tx: pd.DataFrame, names: pd.DataFrame) -> tuple[Product, ...]:
    counts = tx.groupby("product_id")["visit"].nunique().sort_values(ascending=False, kind="stable")
    out = []
    for pid in counts.head(TOP_PRODUCTS).index:
        row = names.loc[pid] if pid in names.index else None
        name = str(row["name"]) if row is not None else str(pid)
        category = row["category"] if row is not None and pd.notna(row.get("category")) else None
        out.append(Product(str(pid), name, category))
    return tuple(out)


def _timeline(visits: pd.DataFrame, as_of: date) -> tuple[MonthPoint, ...]:
    last = pd.Timestamp(as_of).to_period("M")
    months = pd.period_range(last - (TIMELINE_MONTHS - 1), last, freq="M")
    by_month = visits.groupby(visits["day"].dt.to_period("M")).agg(visits=("spend", "size"), spend=("spend", "sum"))
    by_month = by_month.reindex(months, fill_value=0)
    return tuple(MonthPoint(p.start_time.date(), int(r.visits), float(r.spend)) for p, r in by_month.iterrows())


def customer_lines(engine: sa.Engine, dataset: str, customer_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One customer's transactions of ``dataset`` and the products they bought."""
    tx_cols = [transactions_table.c[c] for c in
               ("customer_id", "product_id", "timestamp", "quantity", "price", "store_id", "basket_id")]
    query = sa.select(*tx_cols).where(transactions_table.c.dataset == dataset,
                                      transactions_table.c.customer_id == customer_id)
    with engine.connect() as conn:
        lines = pd.read_sql(query, conn)
        ids = sorted(set(lines["product_id"].astype(str)))
        products = pd.read_sql(
            sa.select(products_table.c.product_id, products_table.c.name, products_table.c.category)
            .where(products_table.c.dataset == dataset, products_table.c.product_id.in_(ids)), conn) if ids else \
            pd.DataFrame(columns=["product_id", "name", "category"])
    return lines, products
