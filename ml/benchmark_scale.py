"""``python -m ml.benchmark scale``: the nightly batch's scoring speed and memory, local engine and Spark.

For each size a chain of ``size / products`` stores x ``products`` products is written by the scale simulator
(``--days`` days), the global model is fitted once on a stratified sample of the smallest chain, and each
engine scores every series (forecasts then orders, partitioned by store). Printed: series per second (wall and
per core used), peak resident memory of this process (the local engine's worker; Spark's Python workers
are measured by their own peak inside each partition task), and the cores a 10 M-series night needs to
score inside a 2-hour window at the measured rate.
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from ml.batch.engine import Engine, SparkEngine
from ml.batch.job import BatchConfig, run_batch
from ml.data.simulator.scale import write_scale_chain

END = date(2025, 6, 30)
NIGHT_SERIES = 10_000_000
WINDOW_HOURS = 2.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _score(engine: Engine, config: BatchConfig, model) -> tuple[int, float]:
    started = time.perf_counter()
    result = run_batch(engine, config, model=model)
    forecasts = engine.to_pandas(result.orders) if engine.name == "local" else result.orders
    n = len(forecasts) if engine.name == "local" else forecasts.count()  # orders: one row per series
    return int(n), time.perf_counter() - started


def run(sizes: list[int], engines: list[str], products: int = 1000, days: int = 120, sample: int = 2000) -> None:
    model = None
    rows = []
    spark = None
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            stores = max(1, size // products)
            write_scale_chain(tmp, stores, products, days, END, seed=5)
            config = BatchConfig(day=END + timedelta(days=1), data=Path(tmp), history_days=91, horizon=14,
                                 sample_size=sample)
            if model is None:
                fitted = time.perf_counter()
                model = run_batch(Engine(), config).scorer.model  # fit once (and score once: warm-up)
                print(f"fit on a stratified sample of {sample} series: {time.perf_counter() - fitted:.1f} s "
                      f"(includes one scoring pass)")
            for name in engines:
                if name == "spark" and spark is None:
                    spark = SparkEngine()
                engine = spark if name == "spark" else Engine()
                n, seconds = _score(engine, config, model)
                cores = 2 if name == "spark" else 1
                rows.append({"engine": name if name == "local" else "spark local[2]", "series": n,
                             "seconds": round(seconds, 1), "series/s": round(n / seconds),
                             "series/s/core": round(n / seconds / cores), "peak RSS MB (driver)": round(_peak_mb())})
                print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
    best = table.loc[table["series"].idxmax()]
    per_core = best["series/s/core"]
    cores = NIGHT_SERIES / (per_core * WINDOW_HOURS * 3600)
    print(f"10 M series in {WINDOW_HOURS:.0f} h at {per_core} series/s/core ({best['engine']}, "
          f"{best['series']} series): {cores:.1f} cores (scoring only; {os.cpu_count()} cores on this machine)")
