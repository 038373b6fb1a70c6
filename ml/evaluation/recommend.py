"""Time-based holdout evaluation of the recommenders.

The last ``holdout_days`` days are hidden; every model is fitted on the days before. A customer is evaluated
when they bought in both periods; the relevant items are the distinct products they bought in the holdout
(re-purchases included: a product they already bought counts if they bought it again).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ml.data.schema import Dataset
from ml.errors import DataValidationError
from ml.evaluation.bootstrap import paired_difference
from ml.evaluation.progress import progress
from ml.evaluation.ranking import hit_rate_at_k, ndcg_at_k, recall_at_k
from ml.models.recommend import BaseRecommender, Recommender
from ml.models.recommend_baselines import PopularityRecommender
from ml.models.recommend_ranker import LearnedRanker
from ml.models.recommend_peers import (
    ImplicitALSRecommender,
    ImplicitBM25Recommender,
    RecentOwnHistoryRecommender,
    TIFUKNNRecommender,
    implicit_available,
)

__all__ = ["HoldoutSplit", "holdout_split", "score_recommender", "evaluate_recommend", "default_baselines",
           "shipped_model", "CANDIDATES", "SHIPPED"]

#: every recommender in the comparison, tuned with the same budget on the validation window
CANDIDATES: tuple[type[BaseRecommender], ...] = (
    LearnedRanker, Recommender, RecentOwnHistoryRecommender, TIFUKNNRecommender, ImplicitBM25Recommender,
    ImplicitALSRecommender)
#: the one trained and served: the best of CANDIDATES on the validation window (ml.evaluation.tuning)
SHIPPED: type[BaseRecommender] = LearnedRanker


@dataclass(frozen=True)
class HoldoutSplit:
    train: pd.DataFrame
    relevant: dict[str, set[str]]  # customer_id -> products bought in the holdout (customers seen in train only)
    holdout_start: pd.Timestamp  # first hidden day
    holdout_end: pd.Timestamp  # last hidden day


def holdout_split(transactions: pd.DataFrame, holdout_days: int) -> HoldoutSplit:
    """Hide the last ``holdout_days`` calendar days of ``transactions``."""
    if holdout_days < 1:
        raise ValueError(f"holdout_days must be >= 1, got {holdout_days}")
    transactions = transactions[transactions["customer_id"].notna()]  # anonymous tickets: nobody to score
    stamps = pd.to_datetime(transactions["timestamp"])
    last_day = stamps.max().normalize()
    start = last_day - pd.Timedelta(days=holdout_days - 1)
    hidden = stamps >= start
    train = transactions.loc[~hidden]
    if train.empty:
        raise DataValidationError(f"no transactions before the {holdout_days}-day holdout")
    test = transactions.loc[hidden]
    known = set(train["customer_id"].astype(str).unique())
    test = test.assign(customer_id=test["customer_id"].astype(str), product_id=test["product_id"].astype(str))
    test = test[test["customer_id"].isin(known)]
    relevant = {c: set(g) for c, g in test.groupby("customer_id", sort=True)["product_id"]}
    return HoldoutSplit(train=train, relevant=relevant, holdout_start=start, holdout_end=last_day)


def score_recommender(model: BaseRecommender, train: pd.DataFrame, relevant: Mapping[str, set[str]],
                      k: int) -> dict[str, float]:
    """Fit ``model`` on ``train`` and average the ranking metrics over the customers of ``relevant``."""
    return _score_recommender(model, train, relevant, k)[0]


def _score_recommender(model: BaseRecommender, train: pd.DataFrame, relevant: Mapping[str, set[str]],
                       k: int) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """The averaged metrics and, per metric paired over customers, each sorted customer's value."""
    started = time.perf_counter()
    model.fit(train)
    fit_seconds = time.perf_counter() - started
    customers = sorted(relevant)
    started = time.perf_counter()
    recommended = model.recommend_batch(customers, n=k)
    recommend_seconds = time.perf_counter() - started
    recalls = [recall_at_k(recommended[c], relevant[c], k) for c in customers]
    ndcgs = [ndcg_at_k(recommended[c], relevant[c], k) for c in customers]
    hits = [hit_rate_at_k(recommended[c], relevant[c], k) for c in customers]
    shown = {p for c in customers for p in recommended[c]}
    per_customer = {f"recall@{k}": np.asarray(recalls, dtype="float64"),
                    f"ndcg@{k}": np.asarray(ndcgs, dtype="float64")}
    return {
        f"recall@{k}": float(np.mean(recalls)) if recalls else 0.0,
        f"ndcg@{k}": float(np.mean(ndcgs)) if ndcgs else 0.0,
        f"hit_rate@{k}": float(np.mean(hits)) if hits else 0.0,
        "coverage": len(shown) / max(1, len(model.products_)),
        "fit_seconds": round(fit_seconds, 3),
        "recommend_ms_per_customer": round(1000 * recommend_seconds / max(1, len(customers)), 3),
    }, per_customer


def shipped_model() -> BaseRecommender:
    """The recommender trained and served (``ml.train``), the model of :func:`evaluate_recommend`."""
    return SHIPPED()


def default_baselines() -> dict[str, BaseRecommender]:
    """The peers the shipped model is compared with: every other candidate of :data:`CANDIDATES` (the
    ``implicit`` ones with the ``bench`` extra installed), plain popularity last as the floor."""
    peers = [cls() for cls in CANDIDATES if cls is not SHIPPED]
    if not implicit_available():
        peers = [m for m in peers if not isinstance(m, (ImplicitBM25Recommender, ImplicitALSRecommender))]
    return {m.display_name: m for m in (*peers, PopularityRecommender())}


def evaluate_recommend(dataset: Dataset, holdout_days: int = 28, k: int = 10,
                       model: BaseRecommender | None = None,
                       baselines: Sequence[BaseRecommender] | None = None) -> dict:
    """Fit the recommender and its baselines before the holdout and score their top-``k`` lists.

    Returns ``{"setup": {...}, "model": {"name", "recall@k", "ndcg@k", "hit_rate@k", "coverage", ...},
    "baselines": {name: {...}}, "versus": {name: {"recall@k": {"diff", "low", "high"}, "ndcg@k": ...}}}``
    (plain JSON-able values); ``versus`` holds model minus baseline over the same customers with a 95 %
    paired bootstrap interval.
    """
    split = holdout_split(dataset.transactions, holdout_days)
    if not split.relevant:
        raise DataValidationError("no customer bought both before and during the holdout window")
    model = model if model is not None else shipped_model()
    others = list(baselines) if baselines is not None else list(default_baselines().values())
    stamps = pd.to_datetime(split.train["timestamp"])
    scored = {id(m): _score_recommender(m, split.train, split.relevant, k)
              for m in progress([model, *others], f"recommend {split.holdout_end.date()}")}
    model_scores, model_per_customer = scored[id(model)]
    baseline_scores: dict[str, dict[str, float]] = {}
    versus: dict[str, dict[str, dict[str, float]]] = {}
    for baseline in others:
        baseline_scores[baseline.display_name], per_customer = scored[id(baseline)]
        versus[baseline.display_name] = {metric: paired_difference(values, per_customer[metric])
                                 for metric, values in model_per_customer.items()}
    result = {
        "setup": {
            "dataset": dataset.name,
            "train_start": str(stamps.min().date()),
            "train_end": str(stamps.max().date()),
            "holdout_start": str(split.holdout_start.date()),
            "holdout_end": str(split.holdout_end.date()),
            "holdout_days": holdout_days,
            "k": k,
            "n_customers": len(split.relevant),
            "mean_relevant_items": float(np.mean([len(v) for v in split.relevant.values()])),
        },
        "model": {"name": model.display_name, **model_scores},
        "baselines": baseline_scores,
        "versus": versus,
    }
    result["setup"]["n_products"] = len(model.products_)
    return result
