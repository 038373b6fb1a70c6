"""A simulated French supermarket chain: stores, customers, promotions and seasons that behave like the real thing.

The default data source, so caddie runs (and its tests pass) without any real data.

    >>> from ml.data.simulator import simulate
    >>> dataset = simulate(n_customers=400, days=365, seed=7)      # 12 stores, ends yesterday

What it builds in (each module documents its part):

* ``chain``: 12 stores in 4 regions (Île-de-France, Auvergne-Rhône-Alpes, Pays de la Loire,
  Hauts-de-France), two formats (urban ``proximite``, suburban ``supermarche``), each with its own
  size, weekday profile and assortment (proximity stores carry a subset of the catalogue).
* ``products``: 63 French products with FR/EN aliases, seasons (Christmas, Easter, Epiphany, summer
  fruit, winter cheese...) and slow, intermittent movers.
* ``calendar``: French public holidays (closed on 1 January, 1 May, 25 December; rush the day
  before) and the official school holidays of zones A, B and C, which move each store's demand.
* ``promotions``: chain-wide and per-store price cuts on a calendar known eight weeks ahead, with
  uplift and a post-promotion dip; prices in the transactions carry the discount.
* ``customers``: loyalty-card customers (segments, favourites, a home store) and their baskets.
* anonymous sales (``anonymous=True``): most of a store's sales are not on a loyalty card; they are
  one row per store x product x day with ``customer_id`` and ``basket_id`` <NA> (timestamp: the day
  at midnight), so that store-level daily series have a real store's volume in few rows.
* ``demand``: occasional stock-outs (1 to 13 hours) cut sales; their hours are in the signals.
* ``stock``: a stock position per store x product sold, counted on the last day.
* ``scale``: the scale CLI (``python -m ml.data.simulator``), a sales log of any size as Parquet.

The returned :class:`~ml.data.schema.Dataset` has ``stores``, ``signals`` and ``stock`` filled.
``signals`` covers every day of the history and ``FUTURE_DAYS`` (56) days beyond its end (the
promotion calendar is known ahead; future stock-out hours are NaN, unknown). Deterministic for a
given (n_customers, days, end, seed, n_stores).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from ml.data.schema import SIGNAL_COLUMNS, TRANSACTION_COLUMNS, Dataset
from ml.data.simulator.chain import Chain, assortment, build_chain
from ml.data.simulator.customers import SEGMENTS, draw_customers, loyalty_lines
from ml.data.simulator.demand import (
    OPEN_HOURS,
    Days,
    base_units,
    draw_sales,
    draw_stockouts,
    family_effect,
    make_days,
    seasons,
    store_traffic,
)
from ml.data.simulator.files import (
    write_signals_csv,
    write_stock_csv,
    write_stores_csv,
    write_transactions_csv,
)
from ml.data.simulator.products import family_products, product_table, season_multipliers, storable_products
from ml.data.simulator.promotions import (
    CHAIN_RATE,
    FUTURE_DAYS,
    STORE_RATE,
    discount_matrix,
    draw_events,
    promotion_effect,
)
from ml.data.simulator.stock import recent_sales, stock_position
from ml.data.validate import canonical_products, validate_dataset

__all__ = [
    "FUTURE_DAYS", "SEGMENTS", "product_table", "season_multipliers", "simulate", "write_signals_csv",
    "write_stock_csv", "write_stores_csv", "write_transactions_csv",
]
DEFAULT_STORES = 12
# Anonymous sales are off by default until every consumer accepts <NA> customers (the database schema,
# the dataset round trip, the customer list of the service); pass anonymous=True for store-level volume.
ANONYMOUS = False
INFLATION = 0.02  # a year


@dataclass(frozen=True)
class _Drivers:
    """Per store (axis 0), per day of history + future (axis 1), per product (axis 2)."""

    carried: np.ndarray  # (stores, products)
    traffic: np.ndarray  # (stores, days)
    demand: np.ndarray  # (stores, days, products) every multiplier but traffic and the base volume
    ratio: np.ndarray  # (stores, days, products) price ratio
    stockout: np.ndarray  # (stores, history days, products) hours out of stock


def _drivers(chain: Chain, catalog: pd.DataFrame, days: Days, rng: np.random.Generator) -> _Drivers:
    n_stores, n_days, n_products = len(chain), len(days.index), len(catalog)
    carried = assortment(chain, catalog["weight"].to_numpy(), rng)
    first_weekday = int(days.index[0].dayofweek)
    chain_events = draw_events(np.arange(n_products), n_days, first_weekday, CHAIN_RATE, rng)
    season, storable, family = seasons(days, catalog), storable_products(catalog), family_products(catalog)
    traffic = np.empty((n_stores, n_days))
    demand = np.empty((n_stores, n_days, n_products))
    ratio = np.empty((n_stores, n_days, n_products))
    stockout = np.empty((n_stores, days.n_history, n_products))
    for s in range(n_stores):
        own = draw_events(np.flatnonzero(carried[s]), n_days, first_weekday, STORE_RATE, rng, store=s)
        ratio[s] = np.where(carried[s], discount_matrix(pd.concat([chain_events, own]), n_days, n_products), 1.0)
        stockout[s] = draw_stockouts(ratio[s, : days.n_history], days.closed[: days.n_history], carried[s], rng)
        traffic[s] = store_traffic(chain, s, days)
        demand[s] = (season * promotion_effect(ratio[s], storable) * family_effect(chain, s, days, family)
                     * carried[s])
        demand[s, : days.n_history] *= 1.0 - stockout[s] / OPEN_HOURS
    return _Drivers(carried, traffic, demand, ratio, stockout)


def _anonymous(chain: Chain, catalog: pd.DataFrame, days: Days, drivers: _Drivers, price: np.ndarray,
               rng: np.random.Generator) -> pd.DataFrame:
    """Sales not on a loyalty card: one row per store x product x day with units sold (no row when none)."""
    taste = rng.lognormal(0, 0.3, drivers.carried.shape)
    frames = []
    weights = catalog["weight"].to_numpy()
    for s in range(len(chain)):
        base = base_units(chain.scale[s], weights, taste[s], drivers.carried[s])
        expected = base * drivers.traffic[s, : days.n_history, None] * drivers.demand[s, : days.n_history]
        day, product = np.nonzero(sold := draw_sales(expected, rng))
        frames.append(pd.DataFrame({"day": day, "product": product, "store": s,
                                    "quantity": sold[day, product].astype("float64"),
                                    "price": np.round(price[s, day, product], 2)}))
    rows = pd.concat(frames, ignore_index=True)
    return pd.DataFrame({
        "customer_id": pd.Series(pd.NA, index=rows.index, dtype=object),
        "product_id": catalog["product_id"].to_numpy()[rows["product"]].astype(object),
        "timestamp": days.history.to_numpy()[rows["day"]].astype("datetime64[ns]"),
        "quantity": rows["quantity"],
        "price": rows["price"],
        "store": rows["store"],
        "basket_id": pd.Series(pd.NA, index=rows.index, dtype=object),
    })


def _signals(chain: Chain, catalog: pd.DataFrame, days: Days, drivers: _Drivers) -> pd.DataFrame:
    """SIGNAL_COLUMNS for every store x product carried x day (history and the known future)."""
    frames = []
    n_days = len(days.index)
    for s in range(len(chain)):
        products = np.flatnonzero(drivers.carried[s])
        ratio = drivers.ratio[s][:, products]
        hours = np.full(ratio.shape, np.nan)
        hours[: days.n_history] = drivers.stockout[s][:, products]
        frames.append(pd.DataFrame({
            "store_id": chain.stores["store_id"].iat[s],
            "product_id": np.tile(catalog["product_id"].to_numpy()[products], n_days),
            "date": np.repeat(days.index.to_numpy(), len(products)),
            "promo": (ratio < 1.0).astype("float64").ravel(),
            "discount": ratio.ravel(),
            "stockout_hours": hours.ravel(),
        }))
    out = pd.concat(frames, ignore_index=True)
    out["store_id"] = out["store_id"].astype(object)
    return out[list(SIGNAL_COLUMNS)]


def simulate(n_customers: int = 400, days: int = 365, end: date | None = None, seed: int = 7, *,
             n_stores: int = DEFAULT_STORES, anonymous: bool = ANONYMOUS) -> Dataset:
    """Simulate ``days`` days of a chain of ``n_stores`` stores and ``n_customers`` loyalty customers.

    Loyalty customers' till receipts (customer ids "1".."n") and, when ``anonymous`` is True, the
    anonymous sales (customer_id <NA>), ending on ``end`` (default: yesterday). Deterministic
    for given arguments. ``signals`` extends FUTURE_DAYS days past ``end``.
    """
    if n_customers < 1 or days < 1:
        raise ValueError("n_customers and days must be positive")
    end = end or (date.today() - timedelta(days=1))
    rng = np.random.default_rng(seed)
    catalog = product_table()
    chain = build_chain(n_stores, rng)
    span = make_days(end, days, FUTURE_DAYS)
    drivers = _drivers(chain, catalog, span, rng)
    inflation = 1 + INFLATION * np.arange(len(span.index)) / 365
    price = catalog["price"].to_numpy()[None, None, :] * drivers.ratio * inflation[None, :, None]
    history = slice(0, days)
    customers = draw_customers(n_customers, chain, days, rng)
    lines = [loyalty_lines(customers, chain, catalog, span.history, drivers.traffic[:, history],
                           span.basket[history], drivers.demand[:, history], price[:, history], rng)]
    if anonymous:
        lines.append(_anonymous(chain, catalog, span, drivers, price, rng))
    return _assemble(pd.concat(lines, ignore_index=True), chain, catalog, span, drivers, end, rng)


def _assemble(lines: pd.DataFrame, chain: Chain, catalog: pd.DataFrame, days: Days, drivers: _Drivers,
              end: date, rng: np.random.Generator) -> Dataset:
    store_ids = chain.stores["store_id"].to_numpy()
    transactions = lines.assign(
        store_id=pd.array(store_ids[lines.pop("store").to_numpy()], dtype="string"),
        basket_id=lines["basket_id"].astype("string"),
    )
    transactions = transactions[list(TRANSACTION_COLUMNS)].sort_values(
        ["timestamp", "store_id", "basket_id", "product_id"], kind="stable", na_position="last").reset_index(drop=True)
    products = canonical_products(catalog[["product_id", "name", "category", "aliases"]])
    # the schema check wants a customer on every line: anonymous sales are checked with a stand-in id
    validate_dataset(Dataset("simulator", transactions.assign(customer_id=transactions["customer_id"].fillna("-")),
                             products))
    stock = stock_position(recent_sales(transactions, end), end, rng)
    return Dataset("simulator", transactions, products, stores=chain.stores.copy(),
                   signals=_signals(chain, catalog, days, drivers), stock=stock)
