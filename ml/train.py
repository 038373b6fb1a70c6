"""Train the three models on the configured data and save them: ``python -m ml.train``.

    python -m ml.train                                  # simulator (default)
    python -m ml.train --data online_retail             # ../shared/data/online_retail.csv.xz
    python -m ml.train --data path/to/log.csv --columns "customer_id=Client,product_id=EAN,..."

Each run fits the models, evaluates each one and its baselines on a time-based holdout, and writes
``<task>.joblib`` plus ``<task>.json`` (versions, data window, metrics), the catalogue and the stored
forecasts into a new model set (MODEL_DIR/sets/<name>, ``ml.modelsets``); once the set is sealed and
verified, the data is imported into the database (DATABASE_URL) and MODEL_DIR/current points to it; then the
set's forecasts are published into the database as a run (``ml.publish``), which the service reads.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from ml import modelsets, precomputed, registry
from ml.precomputed import CHAIN_SCOPE
from ml.results import ScopeLevel
from ml.data import BUILTIN_SOURCES, load_dataset
from ml.data.aggregate import daily_demand, with_signals
from ml.data.schema import Dataset
from ml.data.store import save_dataset
from ml.errors import CaddieError
from ml.permissions import owner_only_files
from ml.publish import publish_set
from ml.settings import MLSettings
from ml.snapshot import HISTORY_DAYS, build_snapshot, forecastable_series, stores_table

log = logging.getLogger(__name__)


@dataclass
class TrainReport:
    model_dir: Path
    data_name: str
    seconds: dict[str, float]
    evaluation: dict[str, dict[str, Any]]
    n_series: int = 0  # store x product series forecast
    set_dir: Path | None = None  # the model set written (MODEL_DIR/sets/<name>)
    tasks: tuple[str, ...] = ()


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def _params(model: Any) -> dict[str, Any]:
    get_params = getattr(model, "get_params", None)
    if get_params is None:
        return {}
    return {k: v for k, v in get_params(deep=False).items() if isinstance(v, (int, float, str, bool, type(None)))}


def customer_dataset(dataset: Dataset) -> Dataset:
    """The dataset restricted to identified customers' lines (anonymous <NA> tickets cannot be personalised)."""
    tx = dataset.transactions
    known = tx["customer_id"].notna()
    return dataset if bool(known.all()) else replace(dataset, transactions=tx[known].reset_index(drop=True))


def _fitters(settings: MLSettings, dataset: Dataset, daily: pd.DataFrame) -> dict[str, Callable[[], Any]]:
    from ml.evaluation.propensity import shipped_model as shipped_propensity
    from ml.evaluation.recommend import shipped_model as shipped_recommender
    from ml.models.forecast import DemandForecaster

    fitters: dict[str, Callable[[], Any]] = {
        "forecast": lambda: DemandForecaster(country=dataset.country,
                                             horizon=max(28, settings.forecast_horizon_days)).fit(daily)}
    if dataset.has_customers:
        known = customer_dataset(dataset).transactions
        horizon = settings.propensity_horizon_days
        fitters["recommend"] = lambda: shipped_recommender().fit(known)  # the best on the validation window
        fitters["propensity"] = lambda: shipped_propensity(horizon).fit(known)  # LR + GBM stacked on the inner window
    return fitters


def _evaluators(settings: MLSettings, dataset: Dataset) -> dict[str, Callable[[], dict[str, Any]]]:
    from ml.evaluation import evaluate_forecast, evaluate_propensity, evaluate_recommend

    customers = customer_dataset(dataset)
    return {
        "forecast": lambda: evaluate_forecast(dataset),
        "recommend": lambda: evaluate_recommend(customers),
        "propensity": lambda: evaluate_propensity(customers, horizon_days=settings.propensity_horizon_days),
    }


def train_all(settings: MLSettings, *, evaluate: bool = True, dataset: Dataset | None = None) -> TrainReport:
    """Train a new model set and serve it: fit, evaluate and save every model, store the forecasts of every
    series, seal the set (checksums), import the dataset into the database, then switch the pointer.

    Nothing is served or imported until every step succeeded: a failure (or a kill) leaves the previous set
    served and the database as it was. Customers erased (``ml.privacy``) are left out first. A sales log (no
    customers) trains the forecaster only. Returns what was done, with timings.
    """
    from ml import privacy

    root = Path(settings.model_dir)
    if dataset is None:
        dataset = load_dataset(settings)
    dataset = privacy.without_erased(dataset, root)
    log.info("data %s: %d transactions, %s..%s", dataset.name, len(dataset.transactions), dataset.start, dataset.end)
    with modelsets.training_lock(root):
        folder = modelsets.new_set(root)
        log.info("training model set %s", folder.name)
        report = _train_set(settings, dataset, folder, evaluate)
        modelsets.seal(folder, data_name=dataset.name, tasks=report.tasks, source=data_source(settings))
        _, report.seconds["import"] = _timed(lambda: save_dataset(settings.database_url, dataset))
        log.info("imported into the database in %.1fs", report.seconds["import"])
        modelsets.publish(root, folder)
        removed = modelsets.prune(root, settings.model_sets_keep)
        # the set's forecasts into DATABASE_URL as a run the service reads (never raises: ml.publish)
        _, report.seconds["publish"] = _timed(lambda: publish_set(settings.database_url, folder,
                                                                  keep=settings.model_sets_keep))
    log.info("serving model set %s (%d older set(s) pruned)", folder.name, len(removed))
    return report


def _train_set(settings: MLSettings, dataset: Dataset, folder: Path, evaluate: bool) -> TrainReport:
    """Fit, evaluate and save every model, the catalogue and the stored forecasts into ``folder``."""
    tx = dataset.transactions
    series = forecastable_series(tx, dataset.end, settings.forecast_max_series,
                                 season_days=settings.forecast_horizon_days)
    daily = with_signals(daily_demand(tx, series=list(series.itertuples(index=False, name=None))), dataset.signals)
    log.info("forecasting %d store x product series", len(series))
    seconds: dict[str, float] = {}
    evaluation: dict[str, dict[str, Any]] = {}
    evaluators = _evaluators(settings, dataset)
    models: dict[str, Any] = {}
    for task, fit in _fitters(settings, dataset, daily).items():
        models[task], seconds[task] = _timed(fit)
        log.info("%s: %s fitted in %.1fs", task, registry.display_name(models[task]), seconds[task])
        if evaluate:
            evaluation[task], seconds[f"{task}_evaluation"] = _timed(evaluators[task])
        meta = registry.ModelMetadata(
            task=task, model=registry.display_name(models[task]), data_name=dataset.name,
            data_start=dataset.start.isoformat(), data_end=dataset.end.isoformat(),
            n_transactions=int(len(tx)), params=_params(models[task]), evaluation=evaluation.get(task, {}),
            train_seconds=round(seconds[task], 3),
        )
        registry.save(models[task], task, folder, meta)
    registry.save(build_snapshot(dataset, _stock(settings, dataset), _order_parameters(settings, dataset)),
                  registry.CATALOG, folder)
    _, seconds["stored_forecasts"] = _timed(lambda: store_forecasts(
        models["forecast"], dataset, daily, settings.forecast_horizon_days, folder, tuple(models)))
    return TrainReport(model_dir=Path(settings.model_dir), data_name=dataset.name, seconds=seconds,
                       evaluation=evaluation, n_series=len(series), set_dir=folder, tasks=tuple(models))


def data_source(settings: MLSettings) -> modelsets.DataSource:
    """What ``settings`` trains on, absolute, so that the refresh finds the same data from any folder."""
    source = settings.data_source.strip()
    lowered = source.lower()
    path = None if lowered == "simulator" or lowered in BUILTIN_SOURCES else str(Path(source).expanduser().resolve())
    simulator = ({"simulator_customers": settings.simulator_customers, "simulator_days": settings.simulator_days,
                  "simulator_seed": settings.simulator_seed} if lowered == "simulator" else {})
    return modelsets.DataSource(
        data_source=path or lowered, data_columns=settings.data_columns, path=path,
        data_dir=str(Path(settings.data_dir).expanduser().resolve()),
        stores_file=str(Path(settings.stores_file).expanduser().resolve()) if settings.stores_file else None,
        stores_columns=settings.stores_columns, simulator=simulator)


def served_source_settings(settings: MLSettings) -> MLSettings:
    """``settings`` pointed at the data the served set was trained on (the nightly refresh retrains on it,
    not on whatever DATA_SOURCE says); unchanged when nothing is served yet or the folder has no sets."""
    root = Path(settings.model_dir)
    if not modelsets.has_sets(root):
        return settings
    card = modelsets.resolve(root).card
    if card is None:
        return settings
    src = card.source
    update: dict[str, Any] = {"data_source": src.data_source, "data_columns": src.data_columns,
                              "stores_file": Path(src.stores_file) if src.stores_file else None,
                              "stores_columns": src.stores_columns, **src.simulator}
    if src.data_dir:
        update["data_dir"] = Path(src.data_dir)
    return settings.model_copy(update=update)


def store_forecasts(model: Any, dataset: Dataset, daily: pd.DataFrame, horizon: int, model_dir: Path,
                    tasks: tuple[str, ...]) -> None:
    """Forecast every series for the whole horizon, sum them per region and for the chain, and write the
    tables the service reads at start-up (``ml.precomputed``)."""
    horizon = min(int(horizon), int(getattr(model, "horizon", horizon)))
    forecasts = model.predict(horizon, signals=dataset.signals)
    stores = stores_table(dataset)
    aggregates = aggregate_levels(model, forecasts, stores)
    history = history_frame(dataset, daily, stores)
    precomputed.save(model_dir, forecasts, aggregates, history, tasks=tasks, model=registry.display_name(model),
                     level=int(getattr(model, "level", 80)))


def aggregate_levels(model: Any, forecasts: pd.DataFrame, stores: pd.DataFrame) -> pd.DataFrame:
    """Region x product and chain x product sums of the store forecasts, intervals computed for each sum
    (``ml.models.hierarchy``): [level, scope, product_id, date, mean, lower, upper]."""
    from ml.models.hierarchy import aggregate_forecast

    region_of = dict(zip(stores["store_id"].astype(str), stores["region"]))
    keys = forecasts[["store_id", "product_id"]].drop_duplicates().astype(str).itertuples(index=False, name=None)
    keys = list(keys)
    by_region = {(s, p): (str(region_of[s]), p) for s, p in keys if pd.notna(region_of.get(s))}
    parts = []
    whole = {(s, p): (CHAIN_SCOPE, p) for s, p in keys}
    for level, groups in ((ScopeLevel.REGION, by_region), (ScopeLevel.CHAIN, whole)):
        if not groups:
            continue
        sums = aggregate_forecast(model, forecasts, groups)
        scope, product = zip(*sums["group"]) if len(sums) else ((), ())
        parts.append(sums.drop(columns="group").assign(level=level.value, scope=list(scope), product_id=list(product)))
    columns = ["level", "scope", "product_id", "date", "mean", "lower", "upper"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def history_frame(dataset: Dataset, daily: pd.DataFrame, stores: pd.DataFrame) -> pd.DataFrame:
    """Recent daily sales (level, scope, product_id, date, quantity) of every forecast product, per store,
    per region and for the chain: each scope's own sales, every store that sold the product counted."""
    end = pd.Timestamp(dataset.end)
    products = daily["product_id"].astype(str).unique().tolist()
    per_store = daily_demand(dataset.transactions, product_ids=products,
                             start=end - timedelta(days=HISTORY_DAYS - 1), end=end)
    return precomputed.history_levels(per_store, stores)


def _stock(settings: MLSettings, dataset: Dataset) -> pd.DataFrame | None:
    """The latest stock position: the dataset's own (simulator), else the table imported by the stock command."""
    if dataset.stock is not None and len(dataset.stock):
        return dataset.stock
    from ml.orders.stock import load_stock

    stock = load_stock(settings.database_url, dataset.name)
    return stock if len(stock) else None


def _order_parameters(settings: MLSettings, dataset: Dataset) -> pd.DataFrame:
    from ml.orders.params import load_parameters, parameters_frame

    return parameters_frame(dataset.products, load_parameters(settings.order_parameters_file))


def is_trained(model_dir: Path) -> bool:
    """True when ``model_dir`` serves a verified model set (or, flat folder, when the stored forecasts'
    manifest names the tasks trained and each of them, the catalogue and the tables are on disk)."""
    if modelsets.has_sets(model_dir):
        try:
            model_dir = modelsets.resolve(model_dir).path
        except modelsets.CorruptSet:
            return False
    tasks = precomputed.trained_tasks(model_dir)
    return bool(tasks) and registry.is_complete(model_dir, tasks) and precomputed.is_stored(model_dir)


def ensure_trained(settings: MLSettings | None = None) -> Path:
    """The model folder, training first when it lacks any model (first start on a fresh machine).

    The first start skips the evaluation against the baselines (minutes of backtesting on 2 cores): the bot
    answers within a minute, and the first nightly refresh (``REFRESH_CRON``) or ``python -m ml.train``
    fills the model cards' accuracy figures.
    """
    settings = settings or MLSettings()
    model_dir = Path(settings.model_dir)
    if not is_trained(model_dir):
        log.info("no trained models in %s: training on %s (one-off, without the evaluation against the "
                 "baselines: the nightly refresh adds it)", model_dir, settings.data_source)
        train_all(settings, evaluate=False)
    return model_dir


def main(argv: list[str] | None = None) -> int:
    owner_only_files()  # the database and model files hold customer data: owner only
    parser = argparse.ArgumentParser(prog="python -m ml.train", description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="simulator | online_retail | completejourney | PATH (default: DATA_SOURCE)")
    parser.add_argument("--columns", help='column mapping for a file, e.g. "customer_id=Client,product_id=EAN"')
    parser.add_argument("--model-dir", type=Path, help="where to save the models (default: MODEL_DIR)")
    parser.add_argument("--skip-eval", action="store_true", help="do not evaluate against the baselines")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    overrides: dict[str, Any] = {}
    if args.data:
        overrides["data_source"] = args.data
    if args.columns:
        overrides["data_columns"] = args.columns
    if args.model_dir:
        overrides["model_dir"] = args.model_dir
    settings = MLSettings(**overrides)
    try:
        report = train_all(settings, evaluate=not args.skip_eval)
    except CaddieError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"trained on {report.data_name}; {report.n_series} store x product series; "
          f"serving model set {report.set_dir} ({report.model_dir / modelsets.POINTER})")
    for step, s in report.seconds.items():
        print(f"  {step:<24} {s:8.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
