"""The canonical shape of caddie's data. Every loader produces it; every model consumes it.

transactions (one row per product line of a basket):
    customer_id  str              non-empty
    product_id   str              non-empty, present in products
    timestamp    datetime64[ns]   naive local time
    quantity     float64          > 0 (returns and cancellations are removed by loaders)
    price        float64          >= 0, unit price
    store_id     str | <NA>       optional
    basket_id    str | <NA>       optional (derived as customer_id + day when absent)

products:
    product_id   str   unique
    name         str   display name
    category     str | <NA>
    aliases      str   "|"-separated other names, FR/EN (may be "")
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

TRANSACTION_COLUMNS: tuple[str, ...] = (
    "customer_id", "product_id", "timestamp", "quantity", "price", "store_id", "basket_id",
)
REQUIRED_TRANSACTION_COLUMNS: tuple[str, ...] = ("customer_id", "product_id", "timestamp", "quantity", "price")
PRODUCT_COLUMNS: tuple[str, ...] = ("product_id", "name", "category", "aliases")


@dataclass(frozen=True)
class Dataset:
    """A validated transaction log and its product table."""

    name: str
    transactions: pd.DataFrame
    products: pd.DataFrame
    country: str = "FR"  # ISO code of the country whose public holidays shape demand (``holidays`` package)

    @property
    def start(self) -> date:
        return self.transactions["timestamp"].min().date()

    @property
    def end(self) -> date:
        return self.transactions["timestamp"].max().date()
