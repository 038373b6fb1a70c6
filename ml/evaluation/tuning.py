"""Random search of every recommender and propensity model on the validation window, same budget for all.

    python -m ml.evaluation.tuning --data online_retail --task recommend --trials 8 --windows 4

The validation window is the one just before the ``--windows`` test windows of ``ml.evaluate --windows``
(:func:`ml.evaluation.windows.window_plan`), so no test day is ever looked at. Each model and each peer gets
``--trials`` settings: its current defaults, then draws from its ``search_space`` (fixed seed). Scored by
NDCG@10 (recommend) and PR AUC (propensity); the best settings become the classes' defaults by hand, and the
printed JSON is kept with the figures.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import average_precision_score

from ml.evaluation.progress import progress
from ml.evaluation.windows import drop_partial_last_day, window_plan

__all__ = ["draw_settings", "random_search", "main"]


def draw_settings(space: dict[str, list[Any]], n_trials: int, seed: int = 0) -> list[dict[str, Any]]:
    """``n_trials`` settings: ``{}`` (the defaults) first, then distinct random draws from ``space``."""
    rng = np.random.default_rng(seed)
    out: list[dict[str, Any]] = [{}]
    n_combinations = int(np.prod([len(v) for v in space.values()])) if space else 1
    seen: set[tuple] = set()
    while len(out) < n_trials and len(seen) < n_combinations:
        pick = {name: values[int(rng.integers(len(values)))] for name, values in space.items()}
        key = tuple(sorted((k, repr(v)) for k, v in pick.items()))
        if key not in seen:
            seen.add(key)
            out.append(pick)
    return out


def random_search(estimator: Any, score: Callable[[Any], float], n_trials: int,
                  seed: int = 0) -> dict[str, Any]:
    """Try ``n_trials`` settings of ``estimator`` (see :func:`draw_settings`); higher ``score`` is better."""
    trials = []
    for settings in progress(draw_settings(getattr(estimator, "search_space", {}), n_trials, seed),
                             f"tune {estimator.display_name}"):
        value = float(score(clone(estimator).set_params(**settings)))
        trials.append({"params": settings, "score": value})
    best = max(trials, key=lambda t: t["score"])
    return {"best_params": best["params"], "best_score": best["score"], "default_score": trials[0]["score"],
            "trials": trials}


def _recommend_scorer(transactions: pd.DataFrame) -> Callable[[Any], float]:
    from ml.evaluation.recommend import holdout_split, score_recommender

    split = holdout_split(transactions, 28)
    return lambda model: score_recommender(model, split.train, split.relevant, 10)["ndcg@10"]


def _propensity_scorer(transactions: pd.DataFrame, horizon_days: int) -> Callable[[Any], float]:
    from ml.evaluation.propensity import holdout_pairs

    holdout = holdout_pairs(transactions[transactions["customer_id"].notna()], horizon_days)

    def score(model: Any) -> float:
        model.fit(transactions, as_of=holdout.cutoff)
        return float(average_precision_score(holdout.labels, model.predict_pairs(holdout.pairs)))
    return score


def candidates(task: str, horizon_days: int) -> list[Any]:
    if task == "recommend":
        from ml.evaluation.recommend import CANDIDATES
        from ml.models.recommend_peers import implicit_available

        return [cls() for cls in CANDIDATES if implicit_available() or not cls.__name__.startswith("Implicit")]
    from ml.evaluation.propensity import default_baselines as propensity_peers, shipped_model

    return [shipped_model(horizon_days),
            *(m for m in propensity_peers(horizon_days).values() if hasattr(m, "search_space"))]


def main(argv: list[str] | None = None) -> int:
    from ml.data import load_dataset
    from ml.evaluate import resolve_source
    from ml.settings import MLSettings

    parser = argparse.ArgumentParser(prog="python -m ml.evaluation.tuning", description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None)
    parser.add_argument("--task", choices=("recommend", "propensity"), required=True)
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--windows", type=int, default=4)
    parser.add_argument("--only", action="append", help="tune only this model name (repeatable)")
    args = parser.parse_args(argv)
    settings = MLSettings(**(resolve_source(args.data) if args.data else {}))
    dataset = load_dataset(settings)
    tx = drop_partial_last_day(dataset.transactions)
    end = pd.Timestamp(tx["timestamp"].max()).date()
    plan = window_plan(end, args.windows)
    tx = tx[tx["timestamp"] < pd.Timestamp(plan.validation_end + timedelta(days=1))]
    horizon = settings.propensity_horizon_days
    score = _recommend_scorer(tx) if args.task == "recommend" else _propensity_scorer(tx, horizon)
    out: dict[str, Any] = {"data": dataset.name, "validation_end": str(plan.validation_end),
                           "first_test_day": str(plan.earliest_test_start), "trials": args.trials, "models": {}}
    for estimator in candidates(args.task, horizon):
        if args.only and estimator.display_name not in args.only:
            continue
        out["models"][estimator.display_name] = random_search(estimator, score, args.trials)
        print(json.dumps({estimator.display_name: out["models"][estimator.display_name]}, default=str), file=sys.stderr, flush=True)
    print(json.dumps(out, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
