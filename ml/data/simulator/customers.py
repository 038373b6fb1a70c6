"""Loyalty-card customers: who they are, which store is theirs, and what they put in their baskets.

Customer segments (families, seniors, students, gourmets) have their own visit frequency, basket
size, quantities and product affinities; each customer has personal favourites bought again and
again, a home store (drawn in proportion to the stores' size) where 92 % of the visits happen; some
join late, some leave. A basket only holds products the visited store sells, at that store's price
of the day (promotions included).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ml.data.simulator.chain import PROXIMITY, Chain


@dataclass(frozen=True)
class Segment:
    name: str
    share: float  # of customers
    visits_per_week: float
    basket_size: float  # expected distinct products per visit (besides favourites)
    quantity_factor: float  # scales extra units per line


SEGMENTS: tuple[Segment, ...] = (
    Segment("families", 0.35, 1.5, 8.0, 1.6),
    Segment("seniors", 0.25, 2.2, 4.0, 0.9),
    Segment("students", 0.20, 1.3, 3.5, 1.0),
    Segment("gourmets", 0.20, 1.2, 6.0, 1.1),
)
AWAY_SHARE = 0.08  # visits to another store than the home store
_REGULAR_SEASONS = ("flat", "summer_mild", "winter_mild", "summer", "winter")


@dataclass(frozen=True)
class Customers:
    segment: np.ndarray
    visits_per_week: np.ndarray
    basket_size: np.ndarray
    quantity_factor: np.ndarray
    home: np.ndarray  # home store index
    first_day: np.ndarray
    last_day: np.ndarray


def draw_customers(n: int, chain: Chain, days: int, rng: np.random.Generator) -> Customers:
    shares = np.array([s.share for s in SEGMENTS])
    segment = rng.choice(len(SEGMENTS), size=n, p=shares / shares.sum())
    visits = np.array([s.visits_per_week for s in SEGMENTS])[segment] * rng.lognormal(0, 0.35, n)
    basket = np.array([s.basket_size for s in SEGMENTS])[segment] * rng.lognormal(0, 0.25, n)
    quantity = np.array([s.quantity_factor for s in SEGMENTS])[segment]
    home = rng.choice(len(chain), size=n, p=chain.scale / chain.scale.sum())
    first = np.where(rng.random(n) < 0.12, rng.integers(0, max(1, int(days * 0.8)), n), 0)
    last = np.where(rng.random(n) < 0.10, rng.integers(int(days * 0.5), days, n), days - 1)
    last = np.maximum(last, np.minimum(first + 30, days - 1))
    return Customers(segment, visits, basket, quantity, home, first, last)


def _preferences(customers: Customers, catalog: pd.DataFrame, rng: np.random.Generator):
    """(share of each product in a customer's baskets, probability of a favourite on a visit)."""
    n, n_products = len(customers.segment), len(catalog)
    affinity = np.array(catalog["affinity"].tolist())[:, customers.segment].T
    taste = rng.gamma(1.2, 1 / 1.2, size=(n, n_products))
    preference = affinity * catalog["weight"].to_numpy() * taste
    share = preference / preference.sum(axis=1, keepdims=True)
    n_favourites = rng.integers(2, 7, n)
    regular = (catalog["season"].isin(_REGULAR_SEASONS) & catalog["weight"].ge(2)).to_numpy()
    keys = rng.random((n, n_products)) ** (1 / np.where(regular, preference, 1e-9))  # weighted sampling
    rank = np.argsort(np.argsort(-keys, axis=1), axis=1)
    favourite = np.where(rank < n_favourites[:, None], rng.uniform(0.3, 0.75, (n, n_products)), 0.0)
    return share, favourite


def _visit_minutes(rng: np.random.Generator, sunday: np.ndarray, proximity: np.ndarray) -> np.ndarray:
    """Minutes after midnight: morning, lunch and after-work peaks (proximity: lunch and evening); Sunday 9:00-12:45."""
    n = len(sunday)
    u = rng.random(n)
    cut = np.where(proximity, [[0.2], [0.55]], [[0.35], [0.60]])
    peak = (u >= cut[0]).astype(int) + (u >= cut[1]).astype(int)
    centre = np.array([10.5, 12.5, 18.0])[peak] * 60 + np.where(proximity & (peak == 2), 45, 0)
    spread = np.array([75.0, 40.0, 70.0])[peak]
    minutes = np.clip(rng.normal(centre, spread), 8.5 * 60, 20.9 * 60)
    return np.where(sunday, rng.uniform(9 * 60, 12.75 * 60, size=n), minutes).round()


def _visits(customers: Customers, traffic: np.ndarray, weekday_mean: np.ndarray, rng: np.random.Generator):
    n, days = len(customers.segment), traffic.shape[1]
    home_traffic = traffic[customers.home] / weekday_mean[customers.home, None]
    p_visit = np.clip(customers.visits_per_week[:, None] / 7 * home_traffic, 0, 0.95)
    day = np.arange(days)
    active = (day[None, :] >= customers.first_day[:, None]) & (day[None, :] <= customers.last_day[:, None])
    return np.nonzero((rng.random((n, days)) < p_visit) & active)


def _basket_ids(numbers: np.ndarray) -> np.ndarray:
    """"B0000042"-style basket ids."""
    if len(numbers) == 0:
        return np.array([], dtype=object)
    return np.char.add("B", np.char.zfill(numbers.astype(str), 7)).astype(object)


def loyalty_lines(customers: Customers, chain: Chain, catalog: pd.DataFrame, history: pd.DatetimeIndex,
                  traffic: np.ndarray, basket_day: np.ndarray, demand: np.ndarray, price: np.ndarray,
                  rng: np.random.Generator) -> pd.DataFrame:
    """Basket lines of the loyalty customers (ids "1".."n").

    ``traffic`` is (stores, days); ``demand`` and ``price`` are (stores, days, products): the demand
    multiplier (0 where the store does not sell the product) and the shelf price of the day.
    """
    share, favourite = _preferences(customers, catalog, rng)
    visit_c, visit_d = _visits(customers, traffic, chain.weekday.mean(axis=1), rng)
    n_visits = len(visit_c)
    away = rng.random(n_visits) < AWAY_SHARE
    store = np.where(away, rng.choice(len(chain), size=n_visits, p=chain.scale / chain.scale.sum()),
                     customers.home[visit_c])
    wanted = demand[store, visit_d]  # (visits, products)
    p_line = customers.basket_size[visit_c, None] * basket_day[visit_d, None] * share[visit_c] * wanted
    p_fav = favourite[visit_c] * np.minimum(wanted, 1.5)
    p_line = np.clip(np.maximum(p_line, p_fav), 0, 0.95)
    line_v, line_p = np.nonzero(rng.random(p_line.shape) < p_line)
    extra = catalog["extra_units"].to_numpy()[line_p] * customers.quantity_factor[visit_c[line_v]]
    quantity = 1.0 + rng.poisson(extra)

    proximity = chain.formats()[store] == PROXIMITY
    minutes = _visit_minutes(rng, history.dayofweek.to_numpy()[visit_d] == 6, proximity)
    visit_time = history.to_numpy()[visit_d] + (minutes * 60).astype("timedelta64[s]")
    order = np.lexsort((visit_c, visit_time))
    basket_number = np.empty(n_visits, dtype=np.int64)
    basket_number[order] = np.arange(1, n_visits + 1)
    return pd.DataFrame({
        "customer_id": (visit_c[line_v] + 1).astype(str).astype(object),
        "product_id": catalog["product_id"].to_numpy()[line_p].astype(object),
        "timestamp": visit_time[line_v].astype("datetime64[ns]"),
        "quantity": quantity.astype("float64"),
        "price": np.round(price[store[line_v], visit_d[line_v], line_p], 2),
        "store": store[line_v],
        "basket_id": _basket_ids(basket_number[line_v]),
    })
