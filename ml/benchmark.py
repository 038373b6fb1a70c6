"""Speed benchmarks: train time, model load time, single-prediction latency p50/p99.

    python -m ml.benchmark                       # simulator
    python -m ml.benchmark --data online_retail  # the real data in DATA_DIR
    python -m ml.benchmark chain                 # answering for 100 stores x 2,000 products (ml.benchmark_chain)
    python -m ml.benchmark scale                 # nightly batch scoring, local and Spark (ml.benchmark_scale)
    python -m ml.benchmark served --database-url URL  # one answer from the results tables (ml.benchmark_served)
    python -m ml.benchmark sample --sizes 250,1000,4000  # batch accuracy against training sample size

Prints a table; nothing here asserts a speed (goals are read, not tested).
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from ml.errors import CaddieError
from ml.evaluate import resolve_source
from ml.permissions import owner_only_files
from ml.settings import MLSettings


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    """p50 and p99 (nearest-rank) of ``samples_ms``."""
    if not samples_ms:
        raise ValueError("no samples")
    ordered = sorted(samples_ms)
    p99 = ordered[max(0, math.ceil(0.99 * len(ordered) - 1e-9) - 1)]
    return statistics.median(ordered), p99


def latency(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    fn()  # warm-up
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return percentiles(samples)


def main(argv: list[str] | None = None) -> int:
    owner_only_files()  # the database and model files hold customer data: owner only
    parser = argparse.ArgumentParser(prog="python -m ml.benchmark", description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="?", choices=("models", "chain", "scale", "served", "sample"), default="models",
                        help="models: train and time every model (default); chain: answering for a large chain; "
                             "scale: nightly batch scoring per engine")
    parser.add_argument("--sizes", default=None,
                        help="scale: series per chain (10000,100000); sample: sample sizes (250,1000,5000)")
    parser.add_argument("--engines", default="local,spark", help="scale: local and/or spark")
    parser.add_argument("--database-url", default=None,
                        help="served: the database to load and read; chain: where the chain's run is published "
                             "(default: a SQLite file in a temporary folder)")
    parser.add_argument("--series", type=int, default=1_000_000, help="served: series stored")
    parser.add_argument("--stores", type=int, default=100, help="chain: number of stores")
    parser.add_argument("--products", type=int, default=2000, help="chain: number of products")
    parser.add_argument("--data", default=None, help="simulator | online_retail | completejourney | PATH; "
                                                     "sample: a folder in the batch layout (default: simulated)")
    parser.add_argument("--runs", type=int, default=200, help="calls per latency measurement")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.what == "scale":
        from ml.benchmark_scale import run as run_scale

        run_scale([int(x) for x in (args.sizes or "10000,100000").split(",")], args.engines.split(","))
        return 0
    if args.what == "sample":
        from ml.benchmark_sample import run as run_sample

        run_sample([int(x) for x in (args.sizes or "250,1000,5000").split(",")], data=args.data)
        return 0
    if args.what == "served":
        from ml.benchmark_served import run as run_served

        if not args.database_url:
            parser.error("served needs --database-url")
        run_served(args.database_url, args.series, args.runs)
        return 0
    if args.what == "chain":
        from ml.benchmark_chain import run

        with tempfile.TemporaryDirectory() as tmp:
            run(Path(tmp), args.runs, args.stores, args.products, args.database_url)
        return 0

    from ml.service import Caddie
    from ml.train import train_all

    with tempfile.TemporaryDirectory() as tmp:
        overrides = resolve_source(args.data) if args.data else {}
        settings = MLSettings(**overrides, model_dir=Path(tmp) / "models",
                              database_url=f"sqlite:///{Path(tmp) / 'bench.db'}")
        try:
            report = train_all(settings, evaluate=False)
        except CaddieError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        start = time.perf_counter()
        caddie = Caddie.load(settings.model_dir)
        load_s = time.perf_counter() - start

        rng = random.Random(0)
        products = [p.product_id for p in caddie.products(50)]
        customers = caddie.customers()
        forecastable = [r.product.product_id for r in caddie.forecast_top(20)]
        calls: dict[str, Callable[[], object]] = {
            "forecast": lambda: caddie.forecast(rng.choice(forecastable)),
            "recommend": lambda: caddie.recommend(rng.choice(customers), 5),
            "propensity (predict)": lambda: caddie.predict(rng.choice(customers), rng.choice(products)),
            "propensity (target)": lambda: caddie.target(rng.choice(products), 10),
        }
        print(f"data: {report.data_name}")
        print(f"{'step':<26}{'seconds':>10}")
        for step, seconds in report.seconds.items():
            print(f"{'train ' + step:<26}{seconds:>10.2f}")
        print(f"{'load all models':<26}{load_s:>10.2f}")
        print()
        print(f"{'single prediction':<26}{'p50 ms':>10}{'p99 ms':>10}")
        for name, fn in calls.items():
            p50, p99 = latency(fn, args.runs)
            print(f"{name:<26}{p50:>10.2f}{p99:>10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
