"""Reading one store x product answer from the results tables: p50/p99 latency on a loaded database.

    python -m ml.benchmark served --database-url postgresql+psycopg://... [--series 1000000] [--runs 2000]

Writes one complete run of ``series`` x 14 days of synthetic forecasts (bulk: COPY on PostgreSQL), then times
:meth:`ml.forecast_sources.DatabaseForecasts.series` — the bot's and the API's own reader, found the way
:func:`ml.forecast_sources.open_forecasts` finds it — for random series (wall clock, one connection from the pool).
"""

from __future__ import annotations

import time
from datetime import date, timedelta

import numpy as np
import pandas as pd

from ml.data import results_store as rs
from ml.forecast_sources import DatabaseForecasts, latest_served_run
from ml.results import ScopeLevel

DAY = date(2025, 7, 1)
DAYS = 14
DATA_NAME = "benchmark"
CHUNK_SERIES = 50_000


def _chunks(n_series: int, stores: int):
    days = pd.date_range(DAY, periods=DAYS, freq="D")
    rng = np.random.default_rng(0)
    for lo in range(0, n_series, CHUNK_SERIES):
        ids = np.arange(lo, min(lo + CHUNK_SERIES, n_series))
        mean = rng.gamma(2.0, 3.0, size=len(ids) * DAYS)
        yield pd.DataFrame({
            "store_id": np.repeat((ids % stores).astype(str), DAYS),
            "product_id": np.repeat(np.char.add("P", (ids // stores).astype(str)), DAYS),
            "date": np.tile(days.to_numpy(), len(ids)), "mean": mean, "lower": mean * 0.5, "upper": mean * 1.6})


def run(url: str, n_series: int = 1_000_000, runs: int = 2000, stores: int = 1000) -> None:
    started = time.perf_counter()
    version = f"benchmark-{n_series}-{stores}"
    engine, served_run = latest_served_run(url, DATA_NAME, DAY - timedelta(days=1))
    if served_run is None or served_run["model_version"] != version:  # else loaded by an earlier run: read only
        run_id = rs.start_run(url, DAY, version, data_name=DATA_NAME, model="benchmark", interval_level=80,
                              horizon_days=DAYS, source="benchmark")
        rows = rs.write_rows(url, run_id, "forecasts", _chunks(n_series, stores))
        rs.complete_run(url, run_id)
        print(f"wrote {rows:,} forecast rows ({n_series:,} series x {DAYS} days) in "
              f"{time.perf_counter() - started:.1f} s")
        engine, served_run = latest_served_run(url, DATA_NAME, DAY - timedelta(days=1))
    served = DatabaseForecasts(engine, served_run)
    store_level = ScopeLevel.STORE.value
    rng = np.random.default_rng(1)
    picks = rng.integers(0, n_series, size=runs)
    timings = []
    for i in picks:
        t = time.perf_counter()
        answer = served.series(store_level, str(i % stores), f"P{i // stores}")
        timings.append((time.perf_counter() - t) * 1000)
        assert answer is not None and len(answer.days) == DAYS
    p50, p99 = np.percentile(timings, [50, 99])
    print(f"one store x product answer ({runs} random series): p50 {p50:.2f} ms, p99 {p99:.2f} ms")
