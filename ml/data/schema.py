"""The canonical shape of caddie's data. Every loader produces it; every model consumes it.

transactions (one row per product line of a basket, or one row per store x product x day of a sales log):
    customer_id  str | <NA>       non-empty in a transaction log; all <NA> in a sales log (no customers)
    product_id   str              non-empty, present in products
    timestamp    datetime64[ns]   naive local time
    quantity     float64          > 0 (returns and cancellations are removed by loaders)
    price        float64          >= 0, unit price
    store_id     str              a log without stores is one store, DEFAULT_STORE_ID
    basket_id    str | <NA>       optional (derived as customer_id + day when absent)

products:
    product_id   str   unique
    name         str   display name
    category     str | <NA>
    aliases      str   "|"-separated other names, FR/EN (may be "")

stores (one row per store; derived from the store ids when no table is given):
    store_id     str   unique
    name         str   display name ("Lyon Part-Dieu"); the id when unknown
    city         str | <NA>
    region       str | <NA>
    format       str | <NA>   e.g. "proximite" (urban proximity), "supermarche" (suburban supermarket)
    zone         str | <NA>   French school-holiday zone "A" | "B" | "C"

signals (optional; daily drivers of demand per store x product, known ahead for promotions):
    store_id, product_id  str
    date            datetime64[ns]  midnight
    promo           float   1.0 on a promotion day, else 0.0
    discount        float   price ratio (1.0 = full price, 0.7 = 30 % off)
    stockout_hours  float   hours out of stock that day (NaN when unknown): sales understate demand

stock (one row per store x product, the position at ``as_of``):
    store_id, product_id  str
    on_hand     float >= 0   units on the shelf and in the back room
    on_order    float >= 0   units ordered, not yet received
    as_of       datetime64[ns]  when the position was counted
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

TRANSACTION_COLUMNS: tuple[str, ...] = (
    "customer_id", "product_id", "timestamp", "quantity", "price", "store_id", "basket_id",
)
REQUIRED_TRANSACTION_COLUMNS: tuple[str, ...] = ("customer_id", "product_id", "timestamp", "quantity", "price")
# a sales log (daily sales per store and product, no customers) needs only these
REQUIRED_SALES_COLUMNS: tuple[str, ...] = ("product_id", "timestamp", "quantity")
PRODUCT_COLUMNS: tuple[str, ...] = ("product_id", "name", "category", "aliases")
STORE_COLUMNS: tuple[str, ...] = ("store_id", "name", "city", "region", "format", "zone")
SIGNAL_COLUMNS: tuple[str, ...] = ("store_id", "product_id", "date", "promo", "discount", "stockout_hours")
STOCK_COLUMNS: tuple[str, ...] = ("store_id", "product_id", "on_hand", "on_order", "as_of")
DEFAULT_STORE_ID = "1"  # the one store of a log without stores


@dataclass(frozen=True)
class Dataset:
    """A validated transaction log and its product table."""

    name: str
    transactions: pd.DataFrame
    products: pd.DataFrame
    country: str = "FR"  # ISO code of the country whose public holidays shape demand (``holidays`` package)
    stores: pd.DataFrame | None = None  # STORE_COLUMNS; None: derived from the transactions' store ids
    signals: pd.DataFrame | None = None  # SIGNAL_COLUMNS; None: no promotions, discounts or stock-outs known
    stock: pd.DataFrame | None = None  # STOCK_COLUMNS; None: no stock position known
    duplicates_dropped: int = 0  # exact duplicate rows dropped on import (DUPLICATE_ROWS=drop)

    @property
    def has_customers(self) -> bool:
        """False for a sales log (daily sales per store and product): no customer commands on it."""
        return bool(self.transactions["customer_id"].notna().any())

    @property
    def start(self) -> date:
        return self.transactions["timestamp"].min().date()

    @property
    def end(self) -> date:
        return self.transactions["timestamp"].max().date()
