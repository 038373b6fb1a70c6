"""``python -m ml.batch --day YYYY-MM-DD [--engine local|spark] --data DIR``: the nightly run.

Trains the global model on a stratified sample (or loads ``--model`` when that file exists), forecasts
every store x product of ``DIR`` (the scale simulator's layout: ``sales/store_id=*/``, ``products.parquet``,
``stock.parquet``, ``stores.parquet``) for ``--horizon`` days from ``--day``, sums them per region and for
the chain, proposes the orders of ``--day`` and stores them in DATABASE_URL under a new run, flipped complete
last. The bot serves the run when ``--data-name`` is the name of the data its model set was trained on
(``ml.forecast_sources``).
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import sys
import time
from datetime import date
from pathlib import Path

import joblib

from ml import registry
from ml.batch.engine import ENGINES, make_engine
from ml.batch.job import BatchConfig, EmptyWindow, run_batch
from ml.data import results_store
from ml.settings import MLSettings

log = logging.getLogger("ml.batch")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ml.batch", description=__doc__.split("\n\n")[0])
    parser.add_argument("--day", type=date.fromisoformat, required=True, help="first forecast day (YYYY-MM-DD)")
    parser.add_argument("--data", type=Path, required=True, help="folder written by python -m ml.data.simulator --out")
    parser.add_argument("--engine", choices=ENGINES, default="local")
    parser.add_argument("--horizon", type=int, default=None, help="days forecast (default FORECAST_HORIZON_DAYS)")
    parser.add_argument("--history-days", type=int, default=91)
    parser.add_argument("--sample", type=int, default=None, help="series sampled for training (BATCH_SAMPLE_SERIES)")
    parser.add_argument("--model", type=Path, default=None, help="load this fitted model if it exists, else save it")
    parser.add_argument("--database-url", default=None, help="default DATABASE_URL")
    parser.add_argument("--data-name", default=None,
                        help="the data's name for the bot (its model set's data name; default: the folder's name)")
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = _parser().parse_args(argv)
    settings = MLSettings()
    if not (args.data / "sales").is_dir():
        print(f"--data: {args.data} has no sales/ folder (write one with python -m ml.data.simulator --out)",
              file=sys.stderr)
        return 2
    config = BatchConfig(day=args.day, data=args.data, history_days=args.history_days,
                         horizon=args.horizon or settings.forecast_horizon_days,
                         sample_size=args.sample or settings.batch_sample_series)
    url = args.database_url or settings.database_url
    started = time.perf_counter()
    engine = make_engine(args.engine)
    model = joblib.load(args.model) if args.model and args.model.is_file() else None
    try:
        result = run_batch(engine, config, model=model)
    except EmptyWindow as error:
        print(error, file=sys.stderr)
        return 2
    if args.model and model is None:
        joblib.dump(result.scorer.model, args.model)
    version = hashlib.sha256(joblib.hash(result.scorer.model).encode()).hexdigest()[:16]
    model = result.scorer.model
    run_id = results_store.start_run(url, args.day, version, data_name=args.data_name or args.data.resolve().name,
                                     model=registry.display_name(model), interval_level=int(model.level),
                                     horizon_days=config.horizon, source="batch")
    try:
        n_forecasts = n_orders = 0
        for forecasts, orders in result.chunks():  # scored and written store by store: memory stays flat
            n_forecasts += results_store.write_rows(url, run_id, "forecasts", [forecasts])
            n_orders += results_store.write_rows(url, run_id, "orders", [orders])
        results_store.write_rows(url, run_id, "aggregates", [result.aggregates])  # sums of every chunk
        results_store.complete_run(url, run_id)
    except BaseException:
        results_store.discard_run(url, run_id)
        raise
    log.info("run %s (%s engine, model %s, %d sampled series): %d forecast rows, %d orders in %.1f s",
             run_id, engine.name, version, result.n_sampled, n_forecasts, n_orders, time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
