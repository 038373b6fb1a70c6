"""Time-based holdout evaluation of the propensity models.

With ``T`` the day after the last transaction and ``h`` the horizon, every model is fitted on the
transactions before ``T - h`` (``fit(..., as_of=T - h)``) and scores the same candidate pairs: every
customer active before ``T - h`` with each product they bought before, plus as many popular products
they never bought (:func:`~ml.models.propensity_features.candidate_pairs`, fixed seed). The label of
a pair is "bought in ``[T - h, T)``". Headline metrics: PR AUC (average precision) and log loss; ROC AUC
and Brier score too. Probabilities are clipped to ``[1e-6, 1 - 1e-6]`` for the log loss.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score

from ml.data.schema import Dataset
from ml.errors import DataValidationError
from ml.evaluation.bootstrap import paired_cluster_difference
from ml.models.propensity import PropensityEstimator, PropensityModel
from ml.evaluation.progress import progress
from ml.models.propensity_peers import LightGBMPropensity, LogisticPropensity, lightgbm_available
from ml.models.propensity_features import candidate_pairs, prepare_history, purchase_labels, summarise
from ml.models.propensity_stacked import StackedPropensity

__all__ = ["HoldoutPairs", "holdout_pairs", "evaluate_propensity", "default_baselines", "shipped_model",
           "RankedScores", "versus_baseline"]

N_POPULAR = 300
SEED = 0
N_BOOT = 200
EPS = 1e-6  # probabilities are clipped to [EPS, 1 - EPS] for the log loss


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


def _score_propensity(model: PropensityEstimator, transactions: pd.DataFrame,
                      holdout: HoldoutPairs) -> tuple[dict[str, object], np.ndarray]:
    """Fit ``model`` on the transactions before the holdout: its metrics and the probability of every holdout pair."""
    started = time.perf_counter()
    model.fit(transactions, as_of=holdout.cutoff)
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    scores = model.predict_pairs(holdout.pairs)
    predict_seconds = time.perf_counter() - started
    y = holdout.labels
    return {
        "name": model.display_name,
        "roc_auc": float(roc_auc_score(y, scores)),
        "pr_auc": float(average_precision_score(y, scores)),
        "brier": float(brier_score_loss(y, scores)),
        "log_loss": float(log_loss(y, np.clip(scores, EPS, 1 - EPS), labels=[0, 1])),
        "mean_predicted": float(np.mean(scores)),
        "fit_seconds": round(fit_seconds, 2),
        "predict_seconds": round(predict_seconds, 3),
    }, np.asarray(scores, dtype="float64")


class RankedScores:
    """Scores of one model sorted once, so that weighted ROC AUC, PR AUC and Brier cost O(n) each.

    With integer weights the values equal scikit-learn's ``roc_auc_score``, ``average_precision_score``
    and ``brier_score_loss`` given ``sample_weight`` (tied scores form one threshold, as there).
    """

    def __init__(self, labels: np.ndarray, scores: np.ndarray) -> None:
        self.labels = np.asarray(labels, dtype="float64")
        self.scores = np.asarray(scores, dtype="float64")
        self.order = np.argsort(-self.scores, kind="stable")
        _, first = np.unique(-self.scores[self.order], return_index=True)
        self.group = np.zeros(self.scores.size, dtype=np.intp)  # tie group of each sorted row, best first
        self.group[first[1:]] = 1
        self.group = np.cumsum(self.group)
        self.n_groups = first.size
        self.sorted_labels = self.labels[self.order]

    def _counts(self, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        w = weights[self.order]
        tp = np.bincount(self.group, weights=w * self.sorted_labels, minlength=self.n_groups)
        fp = np.bincount(self.group, weights=w * (1 - self.sorted_labels), minlength=self.n_groups)
        return tp, fp

    def roc_auc(self, weights: np.ndarray) -> float:
        tp, fp = self._counts(weights)
        pos, neg = tp.sum(), fp.sum()
        if pos == 0 or neg == 0:
            return float("nan")
        negatives_below = neg - np.cumsum(fp)  # groups sorted best first: negatives scored lower
        return float(np.sum(tp * (negatives_below + fp / 2)) / (pos * neg))

    def pr_auc(self, weights: np.ndarray) -> float:
        tp, fp = self._counts(weights)
        tps, fps = np.cumsum(tp), np.cumsum(fp)
        if tps[-1] == 0:
            return float("nan")
        shown = tps + fps
        precision = np.divide(tps, shown, out=np.zeros_like(tps), where=shown > 0)
        return float(np.sum(tp / tps[-1] * precision))

    def brier(self, weights: np.ndarray) -> float:
        return float(np.sum(weights * (self.labels - self.scores) ** 2) / np.sum(weights))

    def log_loss(self, weights: np.ndarray) -> float:
        p = np.clip(self.scores, EPS, 1 - EPS)
        loss = -(self.labels * np.log(p) + (1 - self.labels) * np.log1p(-p))
        return float(np.sum(weights * loss) / np.sum(weights))


def versus_baseline(model: RankedScores, baseline: RankedScores, customers: np.ndarray, *,
                    n_boot: int = N_BOOT, level: float = 0.95, seed: int = SEED) -> dict[str, dict[str, float]]:
    """Model minus baseline PR AUC, log loss, ROC AUC and Brier, bootstrapped over customers (pairs stay together)."""
    return {
        metric: paired_cluster_difference(
            lambda w, m=metric: getattr(model, m)(w) - getattr(baseline, m)(w),
            customers, n_boot=n_boot, level=level, seed=seed,
        )
        for metric in ("pr_auc", "log_loss", "roc_auc", "brier")
    }


def shipped_model(horizon_days: int) -> PropensityEstimator:
    """The propensity model trained and served: the logistic regression and the gradient boosting stacked on
    the inner window of the data it is fitted on (:class:`StackedPropensity`).

    Neither single learner is the better one everywhere (the boosting on the simulator, the logistic regression
    on Complete Journey, a tie on Online Retail); on every dataset's validation window the stack was ahead of
    both and of LightGBM (figures in the README)."""
    return StackedPropensity(horizon_days=horizon_days)


def default_baselines(horizon_days: int) -> dict[str, PropensityEstimator]:
    """The peers the shipped model is compared with, on the same features and rows: the logistic regression
    (:class:`LogisticPropensity`), the gradient boosting (:class:`PropensityModel`) and (``bench`` extra) LightGBM.

    The first prototype (:class:`RandomForestPrototype`, a random forest on two counts) is no longer a bar the
    model is judged by: it lost to every peer in every Online Retail window; pass it in ``baselines`` to see it.
    """
    peers: list[PropensityEstimator] = [LogisticPropensity(horizon_days=horizon_days),
                                        PropensityModel(horizon_days=horizon_days)]
    if lightgbm_available():
        peers.append(LightGBMPropensity(horizon_days=horizon_days))
    return {peer.display_name: peer for peer in peers}


def evaluate_propensity(dataset: Dataset, horizon_days: int = 14, model: PropensityEstimator | None = None,
                        baselines: Mapping[str, PropensityEstimator] | None = None,
                        n_boot: int = N_BOOT) -> dict[str, object]:
    """Score the propensity model (default: the shipped one, :func:`shipped_model`) and its baselines on the
    last ``horizon_days`` of ``dataset``.

    ``versus`` holds, per baseline, model minus baseline PR AUC, log loss, ROC AUC and Brier (negative log
    loss and Brier: the model is better) with a 95 % bootstrap interval over customers (``n_boot`` replicates).
    """
    transactions = dataset.transactions
    transactions = transactions[transactions["customer_id"].notna()]  # anonymous tickets: nobody to score
    holdout = holdout_pairs(transactions, horizon_days)
    y = holdout.labels
    if y.min() == y.max():
        raise DataValidationError("the propensity holdout holds a single class; use a longer dataset")
    model = model if model is not None else shipped_model(horizon_days)
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
    scored = {id(m): _score_propensity(m, transactions, holdout)
              for m in progress([model, *baselines.values()], f"propensity {setup['holdout_end']}")}
    model_metrics, model_scores = scored[id(model)]
    ranked = RankedScores(y, model_scores)
    customers = holdout.pairs["customer_id"].to_numpy()
    baseline_metrics: dict[str, dict[str, object]] = {}
    versus: dict[str, dict[str, dict[str, float]]] = {}
    for name, baseline in baselines.items():
        baseline_metrics[name], scores = scored[id(baseline)]
        versus[name] = versus_baseline(ranked, RankedScores(y, scores), customers, n_boot=n_boot)
    return {"setup": setup, "model": model_metrics, "baselines": baseline_metrics, "versus": versus}
