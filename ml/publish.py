"""Publishing a model set's forecasts into the database, as a run the service reads (``ml.forecast_sources``).

After ``ml.train`` (and the bot's nightly refresh, which calls it) has sealed and served a model set, its stored
forecasts are written into DATABASE_URL's results tables (``ml.data.results_store``) under a new run:

    forecasts            every store x product series over the horizon (forecasts.parquet)
    forecast_aggregates  region and chain sums, intervals computed for each sum (aggregates.parquet)
    orders               each series' order proposal for the first forecast day, on the set's stock

in bulk (COPY on PostgreSQL), then the run is flipped complete last: until then the service keeps reading the
previous run (or the model set). A failed publication is logged, its rows are removed, and it never fails
the training nor the bot: the set is served from its own files meanwhile. The ``keep`` latest runs of the
data are kept, older ones deleted.

    python -m ml.publish [--model-dir DIR] [--database-url URL]   # publish the served set again (by hand)
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pandas as pd

from ml import modelsets, precomputed, registry
from ml.data import results_store
from ml.snapshot import Snapshot

log = logging.getLogger(__name__)

CHUNK_ROWS = 500_000


def _chunks(frame: pd.DataFrame, size: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    for lo in range(0, len(frame), size):
        yield frame.iloc[lo:lo + size]


def set_orders(forecasts: pd.DataFrame, snapshot: Snapshot, level: int) -> pd.DataFrame:
    """Each series' order for the first forecast day on the set's stock (``ml.orders.policy``); empty
    without order parameters."""
    from ml.orders.policy import compute_orders

    columns = list(results_store.ORDER_FIELDS)
    if snapshot.order_parameters is None or forecasts.empty:
        return pd.DataFrame(columns=columns)
    stock = None if snapshot.stock is None else snapshot.stock.astype({"store_id": str, "product_id": str})
    frame = forecasts.astype({"store_id": str, "product_id": str})
    return compute_orders(frame, snapshot.order_parameters, stock, level=level)[columns]


def publish_set(database_url: str, folder: Path, *, keep: int = modelsets.DEFAULT_KEEP) -> str | None:
    """Write the set in ``folder`` as a complete run of DATABASE_URL; its run id, or None when it failed
    (logged; the previous run stays served). Never raises."""
    started = time.perf_counter()
    try:
        run_id = _publish(database_url, Path(folder), keep)
    except Exception as exc:  # noqa: BLE001 - publishing must never break the training nor the bot
        log.error("forecasts of model set %s not published to DATABASE_URL (%s: %s); the service reads the "
                  "previous run, or the model set's files", Path(folder).name, type(exc).__name__,
                  str(exc).splitlines()[0][:200] if str(exc) else "")
        return None
    log.info("forecasts of model set %s published to the database as run %s in %.1f s", Path(folder).name,
             run_id, time.perf_counter() - started)
    return run_id


def _publish(url: str, folder: Path, keep: int) -> str:
    snapshot: Snapshot = registry.load(registry.CATALOG, folder, expected=Snapshot)
    model, level = precomputed.model_card(folder)
    forecasts = registry.load_table(precomputed.FORECASTS, folder)
    aggregates = registry.load_table(precomputed.AGGREGATES, folder)
    orders = set_orders(forecasts, snapshot, level)
    horizon = int(forecasts["date"].nunique()) if len(forecasts) else 0
    run_id = results_store.start_run(
        url, snapshot.as_of + timedelta(days=1), folder.name, data_name=snapshot.data_name, model_set=folder.name,
        model=model, interval_level=level, horizon_days=horizon, source="training")
    try:
        results_store.write_rows(url, run_id, "forecasts", _chunks(forecasts))
        results_store.write_rows(url, run_id, "aggregates", _chunks(aggregates))
        results_store.write_rows(url, run_id, "orders", _chunks(orders))
        results_store.complete_run(url, run_id)
    except BaseException:
        try:
            results_store.discard_run(url, run_id)
        except Exception as exc:  # noqa: BLE001 - the database may be what failed: the run stays 'running', unread
            log.warning("run %s left unfinished in the database (never served): %s", run_id, type(exc).__name__)
        raise
    results_store.prune_runs(url, snapshot.data_name, keep)
    return run_id


def main(argv: list[str] | None = None) -> int:
    from ml.errors import CaddieError
    from ml.settings import MLSettings

    parser = argparse.ArgumentParser(prog="python -m ml.publish", description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, default=None, help="default MODEL_DIR")
    parser.add_argument("--database-url", default=None, help="default DATABASE_URL")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = MLSettings()
    try:
        served = modelsets.resolve(Path(args.model_dir or settings.model_dir))
    except CaddieError as exc:
        print(f"error: {exc} (train first: python -m ml.train)", file=sys.stderr)
        return 2
    run_id = publish_set(args.database_url or settings.database_url, served.path, keep=settings.model_sets_keep)
    if run_id is None:
        return 1
    print(f"model set {served.name} published as run {run_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
