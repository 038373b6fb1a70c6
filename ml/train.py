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
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ml import registry
from ml.data import load_dataset
from ml.data.aggregate import daily_demand
from ml.data.schema import Dataset
from ml.data.store import save_dataset
from ml.errors import CaddieError
from ml.permissions import owner_only_files
from ml.settings import MLSettings
from ml.snapshot import build_snapshot, forecastable_products

log = logging.getLogger(__name__)

MAX_FORECAST_PRODUCTS = 200


@dataclass(frozen=True)
class TrainReport:
    model_dir: Path
    data_name: str
    seconds: dict[str, float]
    evaluation: dict[str, dict[str, Any]]


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def _params(model: Any) -> dict[str, Any]:
    get_params = getattr(model, "get_params", None)
    if get_params is None:
        return {}
    return {k: v for k, v in get_params(deep=False).items() if isinstance(v, (int, float, str, bool, type(None)))}


def train_all(settings: MLSettings, *, evaluate: bool = True, dataset: Dataset | None = None) -> TrainReport:
    """Fit, evaluate and save every model. Returns what was done, with timings."""
    from ml.evaluation import evaluate_forecast, evaluate_propensity, evaluate_recommend
    from ml.models.forecast import DemandForecaster
    from ml.models.propensity import PropensityModel
    from ml.models.recommend import Recommender

    if dataset is None:
        dataset = load_dataset(settings)
    tx = dataset.transactions
    log.info("data %s: %d transactions, %s..%s", dataset.name, len(tx), dataset.start, dataset.end)
    _, import_s = _timed(lambda: save_dataset(settings.database_url, dataset))
    log.info("imported into the database in %.1fs", import_s)

    model_dir = Path(settings.model_dir)
    products = forecastable_products(tx, dataset.end, MAX_FORECAST_PRODUCTS)
    daily = daily_demand(tx, product_ids=products)
    horizon = settings.propensity_horizon_days

    fitters: dict[str, Callable[[], Any]] = {
        "forecast": lambda: DemandForecaster(country=dataset.country).fit(daily),
        "recommend": lambda: Recommender().fit(tx),
        "propensity": lambda: PropensityModel(horizon_days=horizon).fit(tx),
    }
    evaluators: dict[str, Callable[[], dict[str, Any]]] = {
        "forecast": lambda: evaluate_forecast(dataset),
        "recommend": lambda: evaluate_recommend(dataset),
        "propensity": lambda: evaluate_propensity(dataset, horizon_days=horizon),
    }
    seconds: dict[str, float] = {"import": import_s}
    evaluation: dict[str, dict[str, Any]] = {}
    for task, fit in fitters.items():
        model, fit_s = _timed(fit)
        seconds[task] = fit_s
        log.info("%s: %s fitted in %.1fs", task, type(model).__name__, fit_s)
        if evaluate:
            evaluation[task], eval_s = _timed(evaluators[task])
            seconds[f"{task}_evaluation"] = eval_s
            log.info("%s: evaluated in %.1fs", task, eval_s)
        meta = registry.ModelMetadata(
            task=task, model=type(model).__name__, data_name=dataset.name,
            data_start=dataset.start.isoformat(), data_end=dataset.end.isoformat(),
            n_transactions=int(len(tx)), params=_params(model), evaluation=evaluation.get(task, {}),
            train_seconds=round(fit_s, 3),
        )
        registry.save(model, task, model_dir, meta)
    registry.save(build_snapshot(dataset, products), registry.CATALOG, model_dir)
    return TrainReport(model_dir=model_dir, data_name=dataset.name, seconds=seconds, evaluation=evaluation)


def ensure_trained(settings: MLSettings | None = None) -> Path:
    """The model folder, training first when it lacks any model (first start on a fresh machine)."""
    settings = settings or MLSettings()
    model_dir = Path(settings.model_dir)
    if not registry.is_complete(model_dir):
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
    print(f"trained on {report.data_name}; models in {report.model_dir}")
    for step, s in report.seconds.items():
        print(f"  {step:<24} {s:8.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
