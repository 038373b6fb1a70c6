"""Time-based holdout evaluation of the propensity models.

With ``T`` the day after the last transaction and ``h`` the horizon, every model is fitted on the
transactions before ``T - h`` (``fit(..., as_of=T - h)``) and scores the same candidate pairs: every
customer active before ``T - h`` with each product they bought before, plus as many popular products
they never bought (:func:`~ml.models.propensity_features.candidate_pairs`, fixed seed). The label of
a pair is "bought in ``[T - h, T)``". Metrics: ROC AUC, PR AUC (average precision) and Brier score.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from ml.data.schema import Dataset
from ml.errors import DataValidationError
from ml.models.propensity import PropensityEstimator, PropensityModel
from ml.models.propensity_baselines import RandomForestPrototype
from ml.models.propensity_features import candidate_pairs, prepare_history, purchase_labels, summarise

__all__ = ["HoldoutPairs", "holdout_pairs", "score_propensity", "evaluate_propensity", "default_baselines"]

N_POPULAR = 300
SEED = 0


@dataclass(frozen=True)
class HoldoutPairs:
    """The pairs to score (``pairs[customer_id, product_id]``), their 0/1 labels and the hidden window."""

    pairs: pd.DataFrame
    labels: np.ndarray
    cutoff: pd.Timestamp  # first hidden day
    end: pd.Timestamp  # day after the last hidden day


def _as_timestamp(day: int) -> pd.Timestamp:
    return pd.Timestamp(np.datetime64(int(day), "D"))


def holdout_pairs(transactions: pd.DataFrame, horizon_days: int, n_popular: int = N_POPULAR,
                  seed: int = SEED) -> HoldoutPairs:
    """Candidate pairs at ``T - horizon_days`` and whether each was bought in the last ``horizon_days``."""
    if horizon_days < 1:
        raise ValueError(f"horizon_days must be >= 1, got {horizon_days}")
    history = prepare_history(transactions)
    end = history.last_day + 1
    cutoff = end - horizon_days
    if cutoff <= history.first_day:
        raise DataValidationError(f"no transactions before the {horizon_days}-day holdout")
    summary = summarise(history, cutoff, horizon_days)
    cust, prod = candidate_pairs(summary, n_popular=n_popular, negatives_per_repeat=1.0, seed=seed)
    labels = purchase_labels(history, cutoff, horizon_days, cust, prod)
    pairs = pd.DataFrame({"customer_id": history.customers[cust].astype(str),
                          "product_id": history.products[prod].astype(str)})
    return HoldoutPairs(pairs=pairs, labels=labels, cutoff=_as_timestamp(cutoff), end=_as_timestamp(end))


def score_propensity(model: PropensityEstimator, transactions: pd.DataFrame,
                     holdout: HoldoutPairs) -> dict[str, object]:
    """Fit ``model`` on the transactions before the holdout and score its probabilities of the holdout pairs."""
    started = time.perf_counter()
    model.fit(transactions, as_of=holdout.cutoff)
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    scores = model.predict_pairs(holdout.pairs)
    predict_seconds = time.perf_counter() - started
    y = holdout.labels
    return {
        "name": model.name,
        "roc_auc": float(roc_auc_score(y, scores)),
        "pr_auc": float(average_precision_score(y, scores)),
        "brier": float(brier_score_loss(y, scores)),
        "mean_predicted": float(np.mean(scores)),
        "fit_seconds": round(fit_seconds, 2),
        "predict_seconds": round(predict_seconds, 3),
    }


def default_baselines(horizon_days: int) -> dict[str, PropensityEstimator]:
    return {"RandomForestPrototype": RandomForestPrototype(horizon_days=horizon_days)}


def evaluate_propensity(dataset: Dataset, horizon_days: int = 14, model: PropensityEstimator | None = None,
                        baselines: Mapping[str, PropensityEstimator] | None = None) -> dict[str, object]:
    """Score the propensity model and its baselines on the last ``horizon_days`` of ``dataset``."""
    transactions = dataset.transactions
    holdout = holdout_pairs(transactions, horizon_days)
    y = holdout.labels
    if y.min() == y.max():
        raise DataValidationError("the propensity holdout holds a single class; use a longer dataset")
    model = model if model is not None else PropensityModel(horizon_days=horizon_days)
    baselines = baselines if baselines is not None else default_baselines(horizon_days)
    is_repeat = holdout.pairs.merge(
        transactions.loc[transactions["timestamp"] < holdout.cutoff, ["customer_id", "product_id"]]
        .astype(str).drop_duplicates().assign(_bought=True), on=["customer_id", "product_id"], how="left",
    )["_bought"].notna().to_numpy(bool)
    setup = {
        "dataset": dataset.name,
        "horizon_days": int(horizon_days),
        "train_end": str((holdout.cutoff - pd.Timedelta(days=1)).date()),
        "holdout_start": str(holdout.cutoff.date()),
        "holdout_end": str((holdout.end - pd.Timedelta(days=1)).date()),
        "n_pairs": int(len(y)),
        "n_customers": int(holdout.pairs["customer_id"].nunique()),
        "n_repeat_pairs": int(is_repeat.sum()),
        "base_rate": float(y.mean()),
        "base_rate_repeat": float(y[is_repeat].mean()) if is_repeat.any() else 0.0,
        "base_rate_new": float(y[~is_repeat].mean()) if (~is_repeat).any() else 0.0,
        "candidates": f"bought-before pairs + as many unbought among the {N_POPULAR} most-bought products "
                      f"(seed {SEED})",
    }
    return {
        "setup": setup,
        "model": score_propensity(model, transactions, holdout),
        "baselines": {name: score_propensity(b, transactions, holdout) for name, b in baselines.items()},
    }
