"""Train the three models on the configured data and save them: ``python -m ml.train``.

    python -m ml.train                                  # simulator (default)
    python -m ml.train --data online_retail             # ../shared/data/online_retail.csv.xz
    python -m ml.train --data path/to/log.csv --columns "customer_id=Client,product_id=EAN,..."

Each run imports the data into the database (DATABASE_URL), fits the models, evaluates
each one and its baselines on a time-based holdout, and writes ``<task>.joblib`` plus
``<task>.json`` (versions, data window, metrics) into MODEL_DIR.
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

from ml import precomputed, registry
from ml.precomputed import CHAIN_SCOPE
from ml.results import ScopeLevel
from ml.data import load_dataset
from ml.data.aggregate import daily_demand, with_signals
from ml.data.schema import Dataset
from ml.data.store import save_dataset
from ml.errors import CaddieError
from ml.permissions import owner_only_files
from ml.settings import MLSettings
from ml.snapshot import HISTORY_DAYS, build_snapshot, forecastable_series, stores_table

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainReport:
    model_dir: Path
    data_name: str
    seconds: dict[str, float]
    evaluation: dict[str, dict[str, Any]]
    n_series: int = 0  # store x product series forecast


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
    from ml.models.forecast import DemandForecaster
    from ml.models.propensity import PropensityModel
    from ml.models.recommend import Recommender

    fitters: dict[str, Callable[[], Any]] = {
        "forecast": lambda: DemandForecaster(country=dataset.country,
                                             horizon=max(28, settings.forecast_horizon_days)).fit(daily)}
    if dataset.has_customers:
        known = customer_dataset(dataset).transactions
        horizon = settings.propensity_horizon_days
        fitters["recommend"] = lambda: Recommender().fit(known)
        fitters["propensity"] = lambda: PropensityModel(horizon_days=horizon).fit(known)
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
    """Fit, evaluate and save every model, then store the forecasts of every series for the whole horizon.

    A sales log (no customers) trains the forecaster only. Returns what was done, with timings.
    """
    if dataset is None:
        dataset = load_dataset(settings)
    tx = dataset.transactions
    log.info("data %s: %d transactions, %s..%s", dataset.name, len(tx), dataset.start, dataset.end)
    _, import_s = _timed(lambda: save_dataset(settings.database_url, dataset))
    log.info("imported into the database in %.1fs", import_s)

    model_dir = Path(settings.model_dir)
    series = forecastable_series(tx, dataset.end, settings.forecast_max_series)
    daily = with_signals(daily_demand(tx, series=list(series.itertuples(index=False, name=None))), dataset.signals)
    log.info("forecasting %d store x product series", len(series))
    seconds: dict[str, float] = {"import": import_s}
    evaluation: dict[str, dict[str, Any]] = {}
    evaluators = _evaluators(settings, dataset)
    models: dict[str, Any] = {}
    for task, fit in _fitters(settings, dataset, daily).items():
        models[task], seconds[task] = _timed(fit)
        log.info("%s: %s fitted in %.1fs", task, type(models[task]).__name__, seconds[task])
        if evaluate:
            evaluation[task], seconds[f"{task}_evaluation"] = _timed(evaluators[task])
        meta = registry.ModelMetadata(
            task=task, model=type(models[task]).__name__, data_name=dataset.name,
            data_start=dataset.start.isoformat(), data_end=dataset.end.isoformat(),
            n_transactions=int(len(tx)), params=_params(models[task]), evaluation=evaluation.get(task, {}),
            train_seconds=round(seconds[task], 3),
        )
        registry.save(models[task], task, model_dir, meta)
    registry.save(build_snapshot(dataset, _stock(settings, dataset), _order_parameters(settings, dataset)),
                  registry.CATALOG, model_dir)
    _, seconds["stored_forecasts"] = _timed(lambda: store_forecasts(  # last: its manifest marks the folder done
        models["forecast"], dataset, daily, settings.forecast_horizon_days, model_dir, tuple(models)))
    return TrainReport(model_dir=model_dir, data_name=dataset.name, seconds=seconds, evaluation=evaluation,
                       n_series=len(series))


def store_forecasts(model: Any, dataset: Dataset, daily: pd.DataFrame, horizon: int, model_dir: Path,
                    tasks: tuple[str, ...]) -> None:
    """Forecast every series for the whole horizon, sum them per region and for the chain, and write the
    tables the service reads at start-up (``ml.precomputed``)."""
    horizon = min(int(horizon), int(getattr(model, "horizon", horizon)))
    forecasts = model.predict(horizon, signals=dataset.signals)
    stores = stores_table(dataset)
    aggregates = aggregate_levels(model, forecasts, stores)
    history = history_frame(dataset, daily, stores)
    precomputed.save(model_dir, forecasts, aggregates, history, tasks=tasks, model=type(model).__name__,
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
    """True when training finished in ``model_dir``: the stored forecasts' manifest (written last) names
    the tasks trained, and each of them, the catalogue and the tables are on disk."""
    tasks = precomputed.trained_tasks(model_dir)
    return bool(tasks) and registry.is_complete(model_dir, tasks) and precomputed.is_stored(model_dir)


def ensure_trained(settings: MLSettings | None = None) -> Path:
    """The model folder, training first when it lacks any model (first start on a fresh machine)."""
    settings = settings or MLSettings()
    model_dir = Path(settings.model_dir)
    if not is_trained(model_dir):
        log.info("no trained models in %s: training on %s (one-off)", model_dir, settings.data_source)
        train_all(settings)
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
    print(f"trained on {report.data_name}; {report.n_series} store x product series; models in {report.model_dir}")
    for step, s in report.seconds.items():
        print(f"  {step:<24} {s:8.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
