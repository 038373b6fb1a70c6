"""Random search of the forecaster and each forecast peer on the validation window, same budget for all.

    python -m ml.evaluation.forecast_tuning --data ../shared/data/online_retail.csv.xz --trials 4 --windows 4
    DATA_DIR=../shared/data python -m ml.evaluation.forecast_tuning --data freshretailnet --windows 4 --max-series 5000

The validation window is the 28 days just before the ``--windows`` test windows of ``ml.evaluate --windows``
(:func:`ml.evaluation.windows.window_plan`): the data is cut at its last day, so no test day is ever seen.
Every candidate gets ``--trials`` settings (its current defaults first, then draws from its ``search_space``
with :func:`ml.evaluation.tuning.draw_settings`, fixed seed) and is scored per store x product series of the
50 best sellers, as ``ml.evaluate`` scores the test windows. Selection: the lowest scaled pinball loss (SPL,
quantiles 0.1 ... 0.9, stock-out-free days); MASE on the median, RMSSE and coverage are printed alongside.
Peers without a parameter to tune (CrostonSBA; MedianEnsemble, whose members are tuned) get no trial.
The chosen settings become the classes' defaults by hand; the printed JSON is kept with the figures.
``--data freshretailnet``: the validation window is the ``--window-days`` (7) days before the ``--windows``
test windows of ``ml.evaluate --data freshretailnet --windows N``, on the same series sample (``--max-series``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pandas as pd
from sklearn.base import clone

from ml.evaluation.progress import progress
from ml.evaluation.tuning import draw_settings
from ml.evaluation.windows import drop_partial_last_day, window_plan

__all__ = ["candidates", "search", "main"]

SELECTED_ON = "SPL"


def candidates(level: int, country: str | None, horizon: int, max_rows: int = 60_000) -> dict[str, Any]:
    """The forecaster and each peer with something to tune, by display name (unfitted estimators)."""
    from ml.models.forecast import DemandForecaster
    from ml.models.forecast_peers import LightGBMPeer, StatsPeer

    return {"DemandForecaster": DemandForecaster(level=level, country=country, horizon=horizon, max_rows=max_rows),
            "LightGBM (mlforecast)": LightGBMPeer(level=level, horizon=horizon),
            "AutoTheta": StatsPeer("AutoTheta", level=level, horizon=horizon),
            "TSB": StatsPeer("TSB", level=level, horizon=horizon)}


def search(name: str, estimator: Any, daily: pd.DataFrame, holdout_days: int, n_trials: int, level: int,
           country: str | None, seed: int = 0) -> dict[str, Any]:
    """``n_trials`` settings of ``estimator`` scored on ``daily``'s last ``holdout_days`` days; lowest SPL wins."""
    from ml.evaluation.forecast import evaluate_daily

    trials = []
    for params in progress(draw_settings(getattr(estimator, "search_space", {}), n_trials, seed), f"tune {name}"):
        make: Callable[[], Any] = lambda p=params: clone(estimator).set_params(**p)  # noqa: E731
        report = evaluate_daily(daily, holdout_days, level, {name: make}, country=country)
        scores = report["model"]
        trials.append({"params": params, **{m: scores[m] for m in ("SPL", "MASE", "RMSSE", "WAPE", "coverage")},
                       "fit_seconds": scores["fit_seconds"]})
    best = min(trials, key=lambda t: t[SELECTED_ON])
    return {"best_params": best["params"], f"best_{SELECTED_ON}": best[SELECTED_ON],
            f"default_{SELECTED_ON}": trials[0][SELECTED_ON], "trials": trials}


def validation_daily(dataset: Any, n_windows: int, holdout_days: int = 28,
                     n_products: int = 50) -> tuple[pd.DataFrame, str]:
    """The evaluation frame of the validation window (data cut at its last day) and that day."""
    from ml.data.aggregate import daily_demand, with_signals
    from ml.evaluate import truncate
    from ml.evaluation.forecast import top_products

    dataset = replace(dataset, transactions=drop_partial_last_day(dataset.transactions))
    plan = window_plan(dataset.end, n_windows)
    cut = truncate(dataset, plan.validation_end)
    end = pd.Timestamp(plan.validation_end)
    holdout_start = end - pd.Timedelta(days=holdout_days - 1)
    tx = cut.transactions
    products = top_products(tx[tx["timestamp"] < holdout_start], n_products)
    daily = daily_demand(tx, products, start=pd.Timestamp(cut.start), end=end)
    return with_signals(daily, cut.signals), str(plan.validation_end)


def _validation_frame(args: argparse.Namespace) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The validation frame of ``--data`` and how to score it (name, holdout days, holidays, rows cap)."""
    from ml.data import load_dataset
    from ml.evaluate import FRESHRETAILNET, resolve_source
    from ml.settings import MLSettings

    if args.data == FRESHRETAILNET:  # as ``ml.evaluate --data freshretailnet --windows N``: same sample, windows
        from ml.evaluation.freshretail_frame import freshretail_daily, validation_frame

        days = args.window_days or 7
        daily, end = validation_frame(freshretail_daily(MLSettings().data_dir), args.windows, days, args.max_series)
        return daily, {"data": FRESHRETAILNET, "validation_end": end, "holdout": days, "country": "",
                       "max_rows": 300_000}
    settings = MLSettings(**(resolve_source(args.data) if args.data else {}))
    dataset = load_dataset(settings)
    daily, end = validation_daily(dataset, args.windows)
    return daily, {"data": dataset.name, "validation_end": end, "holdout": 28, "country": dataset.country,
                   "max_rows": 60_000}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ml.evaluation.forecast_tuning",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None,
                        help="simulator | online_retail | freshretailnet | PATH (as ml.evaluate)")
    parser.add_argument("--trials", type=int, default=4)
    parser.add_argument("--windows", type=int, default=4)
    parser.add_argument("--only", action="append", help="tune only this model name (repeatable)")
    parser.add_argument("--max-series", type=int, default=None, help="freshretailnet: stratified sample of series")
    parser.add_argument("--window-days", type=int, default=None, help="freshretailnet: days per window (7)")
    args = parser.parse_args(argv)
    daily, how = _validation_frame(args)
    out: dict[str, Any] = {"data": how["data"], "validation_end": how["validation_end"], "trials": args.trials,
                           "selected_on": SELECTED_ON, "models": {}}
    for name, estimator in candidates(80, how["country"], how["holdout"], how["max_rows"]).items():
        if args.only and name not in args.only:
            continue
        out["models"][name] = search(name, estimator, daily, how["holdout"], args.trials, 80, how["country"])
        print(json.dumps({name: out["models"][name]}, default=str), file=sys.stderr, flush=True)
    print(json.dumps(out, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
