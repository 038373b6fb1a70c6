"""Price promotions on a calendar: chain-wide and per-store price cuts, their uplift and the dip after.

A promotion is one product at a discount for one or two weeks, starting on a Wednesday (the day
French store leaflets change). About two chain-wide promotions a year per product, plus about one
a year per store and product carried (a store's own offer). The calendar is drawn for the history
and ``FUTURE_DAYS`` beyond its end: promotions are planned ahead, so the signals of a simulated
dataset extend eight weeks past the last day of sales.

Effects on demand: during a promotion sales are multiplied by ``discount ** -ELASTICITY`` (-30 %
roughly doubles them); in the week after it, sales dip (customers stocked up): x0.7 for groceries,
drinks, frozen and household products, x0.9 for fresh products.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FUTURE_DAYS = 56  # the promotion calendar is known eight weeks ahead
CHAIN_RATE = 2.0  # chain-wide promotions per product and year
STORE_RATE = 0.8  # store promotions per store, product carried and year
ELASTICITY = 2.0
DIP_DAYS = 7
DIP = {True: 0.7, False: 0.9}  # storable products dip more
_DISCOUNTS = np.array([0.8, 0.75, 0.7, 0.66, 0.5])
_DISCOUNT_P = np.array([0.25, 0.25, 0.25, 0.15, 0.10])
EVENT_COLUMNS = ("product", "store", "start", "days", "discount")  # store -1: chain-wide


def draw_events(products: np.ndarray, n_days: int, first_weekday: int, rate: float,
                rng: np.random.Generator, store: int = -1) -> pd.DataFrame:
    """Promotions of ``products`` (indices) over day indices 0..n_days-1 whose day 0 is ``first_weekday``."""
    counts = rng.poisson(rate * n_days / 365.0, size=len(products))
    product = np.repeat(products, counts)
    start = rng.integers(-13, n_days, size=len(product))
    start += (2 - (first_weekday + start)) % 7  # to the next Wednesday
    return pd.DataFrame({
        "product": product.astype(np.int64),
        "store": np.full(len(product), store, dtype=np.int64),
        "start": start.astype(np.int64),
        "days": np.where(rng.random(len(product)) < 0.6, 7, 14).astype(np.int64),
        "discount": rng.choice(_DISCOUNTS, size=len(product), p=_DISCOUNT_P),
    })


def discount_matrix(events: pd.DataFrame, n_days: int, n_products: int) -> np.ndarray:
    """(days, products) price ratios: 1.0 at full price, the deepest discount where promotions overlap."""
    ratio = np.ones((n_days, n_products), dtype=np.float64)
    if events.empty:
        return ratio
    length = events["days"].to_numpy()
    offset = np.arange(length.sum()) - np.repeat(np.cumsum(length) - length, length)
    day = np.repeat(events["start"].to_numpy(), length) + offset
    product = np.repeat(events["product"].to_numpy(), length)
    discount = np.repeat(events["discount"].to_numpy(), length)
    inside = (day >= 0) & (day < n_days)
    np.minimum.at(ratio, (day[inside], product[inside]), discount[inside])
    return ratio


def promotion_effect(ratio: np.ndarray, storable: np.ndarray) -> np.ndarray:
    """(days, products) demand multipliers: uplift on promotion days, dip in the week after a promotion."""
    on = ratio < 1.0
    counts = np.cumsum(np.vstack([np.zeros((1, on.shape[1])), on]), axis=0)  # promo days before day t
    lagged = counts[:-1] - counts[np.maximum(np.arange(len(on)) - DIP_DAYS, 0)]
    after = (lagged > 0) & ~on
    dip = np.where(storable, DIP[True], DIP[False])[None, :]
    return np.where(on, ratio ** -ELASTICITY, np.where(after, dip, 1.0))
