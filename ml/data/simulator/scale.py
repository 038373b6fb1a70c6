"""A chain of any size as partitioned Parquet, generated store by store so memory stays flat.

    DIR/stores.parquet                         STORE_COLUMNS
    DIR/products.parquet                       product_id, name, category, aliases, price
    DIR/promotions.parquet                     product_id, store_id (<NA>: chain-wide), first, last, discount
                                               (the calendar runs FUTURE_DAYS past the last day of sales)
    DIR/stock.parquet                          STOCK_COLUMNS, counted on the last day
    DIR/sales/store_id=<id>/part.parquet       product_id, timestamp, quantity, price, discount, stockout_hours

``sales`` is a sales log (daily units per store and product, no customers; days without sales have
no row). Same demand model as :func:`ml.data.simulator.simulate` (weekday profiles, public and
school holidays by zone, seasons, promotions with uplift and dip, stock-outs), with products
derived from the catalogue (:func:`~ml.data.simulator.products.scaled_catalog`). Each store is
drawn from its own random stream (seed, store), products in chunks: the memory a store needs does
not grow with the number of stores, and is bounded by the chunk size x days.
"""

from __future__ import annotations

import resource
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ml.data.schema import STOCK_COLUMNS
from ml.data.simulator.chain import Chain, build_chain, carry_probability
from ml.data.simulator.demand import (
    OPEN_HOURS,
    Days,
    base_units,
    draw_sales,
    draw_stockouts,
    family_effect,
    make_days,
    store_traffic,
)
from ml.data.simulator.products import family_products, scaled_catalog, season_multipliers, storable_products
from ml.data.simulator.promotions import (
    CHAIN_RATE,
    FUTURE_DAYS,
    STORE_RATE,
    discount_matrix,
    draw_events,
    promotion_effect,
)
from ml.data.simulator.stock import RECENT_DAYS, stock_position

PRODUCT_CHUNK = 2000
_SALES_SCHEMA = pa.schema([("product_id", pa.dictionary(pa.int32(), pa.string())), ("timestamp", pa.timestamp("ns")),
                           ("quantity", pa.float64()), ("price", pa.float64()), ("discount", pa.float64()),
                           ("stockout_hours", pa.float64())])
_STOCK_SCHEMA = pa.schema([(c, t) for c, t in zip(STOCK_COLUMNS, (pa.string(), pa.string(), pa.float64(), pa.float64(),
                                                                 pa.timestamp("ns")))])


@dataclass(frozen=True)
class ScaleReport:
    stores: int
    products: int
    days: int
    rows: int
    seconds: float
    peak_rss_mb: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else float("inf")


@dataclass(frozen=True)
class _World:
    chain: Chain
    catalog: pd.DataFrame
    days: Days
    season: np.ndarray  # (days, products) float32
    chain_events: pd.DataFrame
    inflation: np.ndarray  # (days,)
    seed: int


def peak_rss_mb() -> float:
    """Peak resident memory of this process or of its largest worker so far (Linux reports kilobytes)."""
    return max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024


def _store_chunk(world: _World, s: int, p0: int, p1: int, own: pd.DataFrame, carried: np.ndarray,
                 taste: np.ndarray, rng: np.random.Generator) -> tuple[pa.Table, np.ndarray]:
    """Sales of products p0..p1 in store s (an Arrow table) and their mean daily units over the last days."""
    days, catalog = world.days, world.catalog.iloc[p0:p1]
    events = pd.concat([world.chain_events, own])
    events = events[(events["product"] >= p0) & (events["product"] < p1)].assign(product=lambda e: e["product"] - p0)
    n = days.n_history
    ratio = np.where(carried, discount_matrix(events, len(days.index), p1 - p0), 1.0)[:n]
    stockout = draw_stockouts(ratio, days.closed[:n], carried, rng)
    demand = (world.season[:n, p0:p1] * promotion_effect(ratio, storable_products(catalog))
              * family_effect(world.chain, s, days, family_products(catalog))[:n] * (1.0 - stockout / OPEN_HOURS))
    base = base_units(world.chain.scale[s], catalog["weight"].to_numpy(), taste, carried)
    sold = draw_sales(base * store_traffic(world.chain, s, days)[:n, None] * demand, rng)
    day, product = np.nonzero(sold)
    price = catalog["price"].to_numpy()[product] * ratio[day, product] * world.inflation[day]
    table = pa.table({
        "product_id": pa.DictionaryArray.from_arrays(pa.array(product, pa.int32()),
                                                     pa.array(catalog["product_id"].to_numpy(), pa.string())),
        "timestamp": pa.array(days.index.to_numpy()[day], pa.timestamp("ns")),
        "quantity": sold[day, product].astype("float64"),
        "price": np.round(price, 2),
        "discount": ratio[day, product],
        "stockout_hours": stockout[day, product],
    }, schema=_SALES_SCHEMA)
    return table, sold[-RECENT_DAYS:].mean(axis=0)


def _store(world: _World, s: int, out: Path) -> tuple[int, pa.Table, pa.Table]:
    """Write store ``s``'s sales partition; return its row count, stock lines and own promotions."""
    store_id = world.chain.stores["store_id"].iat[s]
    rng = np.random.default_rng([world.seed, s + 1])
    weights = world.catalog["weight"].to_numpy()
    carried = rng.random(len(weights)) < carry_probability(world.chain.stores["format"].iat[s], weights)
    taste = rng.lognormal(0, 0.3, len(weights))
    own = draw_events(np.flatnonzero(carried), len(world.days.index), int(world.days.index[0].dayofweek),
                      STORE_RATE, rng, store=s)
    folder = out / "sales" / f"store_id={store_id}"
    folder.mkdir(parents=True, exist_ok=True)
    rows, recent = 0, []
    with pq.ParquetWriter(folder / "part.parquet", _SALES_SCHEMA) as writer:
        for p0 in range(0, len(weights), PRODUCT_CHUNK):
            p1 = min(p0 + PRODUCT_CHUNK, len(weights))
            table, units = _store_chunk(world, s, p0, p1, own, carried[p0:p1], taste[p0:p1], rng)
            writer.write_table(table)
            rows += table.num_rows
            recent.append(units)
    sold = np.flatnonzero(carried)
    daily = pd.DataFrame({"store_id": store_id, "product_id": world.catalog["product_id"].to_numpy()[sold],
                          "units": np.concatenate(recent)[sold]})
    stock = stock_position(daily, world.days.history[-1].date(), rng)
    return rows, pa.Table.from_pandas(stock, schema=_STOCK_SCHEMA, preserve_index=False), _promotions_table(own, world)


_worker: dict[str, object] = {}


def _start_worker(sizes: tuple[int, int, int, date, int], out: Path) -> None:
    _worker["world"], _worker["out"] = _make_world(*sizes), out


def _worker_store(s: int) -> tuple[int, pa.Table, pa.Table]:
    return _store(_worker["world"], s, _worker["out"])  # type: ignore[arg-type]


def _promotions_table(events: pd.DataFrame, world: _World) -> pa.Table:
    first = world.days.index[0] + pd.to_timedelta(events["start"].to_numpy(), unit="D")
    store = events["store"].to_numpy()
    store_ids = world.chain.stores["store_id"].to_numpy()
    return pa.table({
        "product_id": pa.array(world.catalog["product_id"].to_numpy()[events["product"].to_numpy()], pa.string()),
        "store_id": pa.array([store_ids[i] if i >= 0 else None for i in store], pa.string()),
        "first": pa.array(first.to_numpy(), pa.timestamp("ns")),
        "last": pa.array((first + pd.to_timedelta(events["days"].to_numpy() - 1, unit="D")).to_numpy(),
                         pa.timestamp("ns")),
        "discount": pa.array(events["discount"].to_numpy(), pa.float64()),
    })


def _make_world(n_stores: int, n_products: int, days: int, end: date, seed: int) -> _World:
    rng = np.random.default_rng(seed)
    catalog = scaled_catalog(n_products, seed)
    chain = build_chain(n_stores, rng)
    span = make_days(end, days, FUTURE_DAYS)
    chain_events = draw_events(np.arange(n_products), len(span.index), int(span.index[0].dayofweek), CHAIN_RATE, rng)
    season = season_multipliers(span.index, catalog["season"].tolist()).astype(np.float32)
    return _World(chain, catalog, span, season, chain_events, 1 + 0.02 * np.arange(days) / 365, seed)


def write_scale_chain(out: str | Path, n_stores: int, n_products: int, days: int, end: date,
                      seed: int = 7, jobs: int = 1, progress=None) -> ScaleReport:
    """Write a chain of ``n_stores`` x ``n_products`` over ``days`` days ending ``end`` under ``out``.

    ``jobs`` > 1 spreads the stores over that many processes; the files are the same as with one.
    """
    if min(n_stores, n_products, days, jobs) < 1:
        raise ValueError("stores, products, days and jobs must be positive")
    started = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    sizes = (n_stores, n_products, days, end, seed)
    world = _make_world(*sizes)
    chain, catalog, chain_events = world.chain, world.catalog, world.chain_events
    pq.write_table(pa.Table.from_pandas(chain.stores, preserve_index=False), out / "stores.parquet")
    pq.write_table(pa.Table.from_pandas(catalog[["product_id", "name", "category", "aliases", "price"]],
                                        preserve_index=False), out / "products.parquet")
    rows = 0
    with pq.ParquetWriter(out / "stock.parquet", _STOCK_SCHEMA) as stock_writer, \
            pq.ParquetWriter(out / "promotions.parquet", _promotions_table(chain_events, world).schema) as promos:
        promos.write_table(_promotions_table(chain_events, world))
        with _results(world, sizes, out, jobs) as results:
            for s, (store_rows, stock, own) in enumerate(results):
                stock_writer.write_table(stock)
                promos.write_table(own)
                rows += store_rows
                if progress:
                    progress(s + 1, rows)
    return ScaleReport(n_stores, n_products, days, rows, time.perf_counter() - started, peak_rss_mb())


@contextmanager
def _results(world: _World, sizes: tuple[int, int, int, date, int], out: Path, jobs: int):
    """Each store's result in store order, computed here or by ``jobs`` worker processes."""
    if jobs == 1:
        yield (_store(world, s, out) for s in range(len(world.chain)))
        return
    with get_context("spawn").Pool(jobs, initializer=_start_worker, initargs=(sizes, out)) as pool:
        yield pool.imap(_worker_store, range(len(world.chain)))
