"""Answering speed for a chain: ``python -m ml.benchmark chain`` (100 stores x 2,000 products by default).

Training a real model at that size is not needed to measure answering: answers only read what training
stored. So this writes a model folder the way training does (catalogue, stored forecasts of every
store x product series, region and chain aggregates, history, stock, order parameters) from synthetic
figures generated directly, loads it with ``Caddie.load`` and times the commands' calls.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from ml import precomputed, registry
from ml.results import ScopeLevel
from ml.snapshot import HISTORY_DAYS, Snapshot, compact

CATEGORIES = ("Crèmerie", "Boulangerie", "Fruits et légumes", "Boucherie", "Poissonnerie", "Surgelés",
              "Boissons", "Épicerie salée", "Épicerie sucrée", "Hygiène", "Entretien", "Bébé", "Animalerie",
              "Traiteur", "Cave à vins", "Petit déjeuner", "Conserves", "Apéritif", "Bio", "Bazar")
REGIONS = ("Île-de-France", "Auvergne-Rhône-Alpes", "Nouvelle-Aquitaine", "Occitanie", "Hauts-de-France")
CITIES = ("Paris", "Lyon", "Bordeaux", "Toulouse", "Lille", "Nantes", "Rennes", "Grenoble", "Dijon", "Tours")
WEEKDAY = np.array([0.9, 0.85, 0.95, 1.0, 1.15, 1.45, 0.7])
Z80 = 1.2815515655446004


def _tables(n_stores: int, n_products: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    products = pd.DataFrame({
        "product_id": [f"P{i:05d}" for i in range(1, n_products + 1)],
        "name": [f"{CATEGORIES[i % len(CATEGORIES)].split()[0]} article {i:05d}" for i in range(1, n_products + 1)],
        "category": [CATEGORIES[i % len(CATEGORIES)] for i in range(1, n_products + 1)],
        "aliases": "",
    })
    stores = pd.DataFrame({
        "store_id": [f"{i:03d}" for i in range(1, n_stores + 1)],
        "name": [f"{CITIES[i % len(CITIES)]} {i:03d}" for i in range(1, n_stores + 1)],
        "city": [CITIES[i % len(CITIES)] for i in range(1, n_stores + 1)],
        "region": [REGIONS[i % len(REGIONS)] for i in range(1, n_stores + 1)],
        "format": ["proximite" if i % 3 else "supermarche" for i in range(1, n_stores + 1)],
        "zone": "A",
    })
    return products, stores


def _long(stores: np.ndarray, products: np.ndarray, days: pd.DatetimeIndex, pairs: tuple[np.ndarray, np.ndarray],
          values: dict[str, np.ndarray], key: str = "store_id") -> pd.DataFrame:
    """(series, day) arrays -> one long frame sorted by key, product, date (ids as categories)."""
    s, p = pairs
    n, h = len(s), len(days)
    return pd.DataFrame({
        key: pd.Categorical.from_codes(np.repeat(s, h), categories=stores),
        "product_id": pd.Categorical.from_codes(np.repeat(p, h), categories=products),
        "date": np.tile(days.to_numpy(), n),
        **{name: v.ravel() for name, v in values.items()},
    })


def _aggregates(stores: pd.DataFrame, product_ids: np.ndarray, series: tuple[np.ndarray, np.ndarray],
                mean: np.ndarray, sd: np.ndarray, days: pd.DatetimeIndex) -> pd.DataFrame:
    """Region and chain sums of the store means; the aggregate's sd from its own variance (not summed bounds)."""
    s, p = series
    region_codes, regions = pd.factorize(stores["region"])
    parts = []
    for level, group in ((ScopeLevel.REGION.value, region_codes[s]), (ScopeLevel.CHAIN.value, np.zeros_like(s))):
        names = np.asarray(regions if level == ScopeLevel.REGION.value else [precomputed.CHAIN_SCOPE], dtype=object)
        key = group * len(product_ids) + p
        uniq, inverse = np.unique(key, return_inverse=True)
        m = np.zeros((len(uniq), mean.shape[1]))
        v = np.zeros_like(m)
        np.add.at(m, inverse, mean)
        np.add.at(v, inverse, sd ** 2)
        spread = Z80 * np.sqrt(v)
        frame = _long(names, product_ids, days, (uniq // len(product_ids), uniq % len(product_ids)),
                      {"mean": m, "lower": np.maximum(m - spread, 0), "upper": m + spread}, key="scope")
        parts.append(frame.assign(level=level))
    return pd.concat([f.astype({"scope": str, "product_id": str}) for f in parts], ignore_index=True)


def write_chain(model_dir: Path, n_stores: int = 100, n_products: int = 2000, horizon: int = 14,
                as_of: date = date(2024, 6, 30), seed: int = 0) -> tuple[int, list[tuple[str, str]]]:
    """Write a synthetic trained folder for ``n_stores`` x ``n_products``.

    Returns the number of series and 1,000 (store name, product name) pairs the store sells."""
    from ml.orders.params import parameters_frame

    rng = np.random.default_rng(seed)
    products, stores = _tables(n_stores, n_products)
    sells = rng.random((n_stores, n_products)) < 0.85  # each store's assortment
    s, p = np.nonzero(sells)
    rate = rng.lognormal(1.0, 1.0, n_products)[p] * rng.uniform(0.4, 2.0, n_stores)[s]
    future = pd.date_range(as_of + timedelta(days=1), periods=horizon, freq="D")
    past = pd.date_range(end=as_of, periods=HISTORY_DAYS, freq="D")
    mean = rate[:, None] * WEEKDAY[future.dayofweek][None, :]
    sd = np.sqrt(mean)
    sid, pid = stores["store_id"].to_numpy(), products["product_id"].to_numpy()
    forecasts = _long(sid, pid, future, (s, p), {"mean": mean, "lower": np.maximum(mean - Z80 * sd, 0),
                                                "upper": mean + Z80 * sd})
    sold = rng.poisson(rate[:, None] * WEEKDAY[past.dayofweek][None, :]).astype(float)
    store_history = _long(sid, pid, past, (s, p), {"quantity": sold})
    history = precomputed.history_levels(store_history, stores)
    aggregates = _aggregates(stores, pid, (s, p), mean, sd, future)
    volume = pd.DataFrame({"store_id": sid[s], "product_id": pid[p], "quantity": sold.sum(axis=1),
                           "recent": sold[:, -28:].sum(axis=1)})
    volume = volume.sort_values(["store_id", "recent", "product_id"], ascending=[True, False, True])
    stock = pd.DataFrame({"store_id": sid[s], "product_id": pid[p], "on_hand": rng.poisson(rate * 2).astype(float),
                          "on_order": 0.0, "as_of": pd.Timestamp(as_of) + pd.Timedelta(hours=21)})
    popularity = volume.groupby("product_id")["quantity"].sum().sort_values(ascending=False).astype(float)
    snapshot = Snapshot("benchmark-chain", as_of, products, popularity, (), stores,
                        compact(volume.reset_index(drop=True)), compact(stock), has_customers=False,
                        order_parameters=parameters_frame(products))
    registry.save(snapshot, registry.CATALOG, model_dir)
    meta = registry.ModelMetadata(task="forecast", model="synthetic", data_name="benchmark-chain",
                                  data_start=past[0].date().isoformat(), data_end=as_of.isoformat(),
                                  n_transactions=int(len(store_history)))
    registry.save_text(json.dumps(asdict(meta), default=str), "forecast.json", model_dir)
    precomputed.save(model_dir, forecasts, aggregates, history, tasks=("forecast",), model="synthetic", level=80)
    sample = rng.choice(len(s), size=1000)
    return len(s), [(stores["name"].iat[s[i]], products["name"].iat[p[i]]) for i in sample]


def timings(fn: Callable[[], object], runs: int) -> tuple[float, float, float, float]:
    """Wall-clock p50, p99 and CPU-time p50, p99 of ``fn`` in ms (CPU time is what the call itself costs
    when other processes share the machine)."""
    from ml.benchmark import percentiles

    fn()  # warm-up
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return (*percentiles(wall), *percentiles(cpu))


def run(tmp: Path, runs: int, n_stores: int = 100, n_products: int = 2000,
        database_url: str | None = None) -> None:
    """Write the chain, publish it as a run of ``database_url`` (default: a SQLite file in ``tmp``), then for
    each source (the database's run, the model set's files) print start-up time and p50/p99 of each call."""
    from ml.publish import publish_set

    model_dir = tmp / "chain"
    start = time.perf_counter()
    n_series, sold = write_chain(model_dir, n_stores, n_products)
    write_s = time.perf_counter() - start
    url = database_url or f"sqlite:///{tmp / 'chain.db'}"
    start = time.perf_counter()
    published = publish_set(url, model_dir)
    publish_s = time.perf_counter() - start
    files = sum(f.stat().st_size for f in model_dir.iterdir()) / 1e6
    print(f"chain: {n_stores} stores x {n_products} products, {n_series} store x product series; model folder "
          f"{files:.0f} MB (written in {write_s:.1f} s); published to {url.split('://')[0]} in {publish_s:.1f} s")
    for source in ("database", "model_set"):
        if source == "database" and published is None:
            print("database: publication failed (see the log), not measured")
            continue
        _measure(model_dir, url, source, sold, runs)


def _measure(model_dir: Path, url: str, source: str, sold: list[tuple[str, str]], runs: int) -> None:
    from ml.service import Caddie

    start = time.perf_counter()
    caddie = Caddie.load(model_dir, database_url=url, forecasts_source=source)
    load_s = time.perf_counter() - start
    rng = random.Random(0)
    stores = caddie.stores()
    names = [p.name for p in caddie.products()]
    categories = list(CATEGORIES)
    days = [caddie.as_of + timedelta(days=d) for d in range(1, caddie.horizon_days + 1)]

    def forecast_store() -> object:  # a product the store sells (NotSoldInStore is not what is timed)
        store, product = rng.choice(sold)
        return caddie.forecast(product, rng.choice(days), store=store)

    def orders_product() -> object:
        store, product = rng.choice(sold)
        return caddie.orders(store, product, rng.choice(days))

    calls: dict[str, Callable[[], object]] = {
        "forecast (store)": forecast_store,
        "forecast (region)": lambda: caddie.forecast(rng.choice(names), rng.choice(days),
                                                     region=rng.choice(caddie.regions())),
        "forecast (chain)": lambda: caddie.forecast(rng.choice(names), rng.choice(days)),
        "orders (store, product)": orders_product,
        "orders (store, category)": lambda: caddie.orders(rng.choice(stores).name, rng.choice(categories)),
        "orders (store, main)": lambda: caddie.orders(rng.choice(stores).name),
    }
    print()
    print(f"forecasts from {caddie.forecasts_source}")
    print(f"{'start-up (Caddie.load)':<28}{load_s:>10.2f} s")
    caddie.index_history()  # the background thread's work, not timed in the calls below
    print(f"{'call':<28}{'p50 ms':>10}{'p99 ms':>10}{'cpu p50':>10}{'cpu p99':>10}")
    for name, fn in calls.items():
        figures = timings(fn, runs)
        print(f"{name:<28}" + "".join(f"{x:>10.2f}" for x in figures))
