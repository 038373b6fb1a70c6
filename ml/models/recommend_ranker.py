"""A learned ranker over candidates: the strongest known approach to next-basket repeat purchases.

:class:`LearnedRanker` ranks, per customer, a candidate set

* the customer's own history (every product they bought),
* the ``n_complements`` products their history points to most (item-item similarity of
  :class:`~ml.models.recommend.Recommender`: "bought by the same customers"),
* the ``n_popular`` products most bought in the last days,

by a classifier of "bought in the next ``horizon_days`` days" over the propensity features
(:mod:`ml.models.propensity_features`: frequency, recency, repeat cycle and due-ness, visits, basket
value, product popularity over the horizon and 90 days, repurchase rate) plus the recommender's own
signals (recency-weighted repurchase, cycle timing, complement strength, recent popularity).

It learns from ``n_cutoffs`` past cutoffs ``T - k * horizon_days`` (``T`` the day after the data), each with
the candidates of the customers who came back in the following ``horizon_days`` days, labelled by what they
bought then: strictly inside the data it is fitted on, so a backtest never lets it see a test day.
``learner="gbm"``: scikit-learn's histogram gradient boosting (pointwise, log loss); ``learner="lambdarank"``:
LightGBM's LambdaRank on the customer groups (``bench`` extra). With too little history for a single training
cutoff (``MIN_HISTORY_DAYS`` before it) it ranks like own history + recent popularity.

Defaults: best of 8 random-search trials (``search_space``, the budget of every peer) on Online Retail's
validation window (2011-07-22..2011-08-18, :mod:`ml.evaluation.tuning`): NDCG@10 0.4095 (first defaults
0.4080; own history + recent popularity 0.3993, :class:`~ml.models.recommend.Recommender` 0.4005). The
complements did not help there (``n_complements=0``); up to 12 cutoffs, each with 56 days of history before it.
LambdaRank scored 0.4038 against 0.4052 for the pointwise boosting with the first defaults.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits

from ml.models.propensity_features import (
    ALL_FEATURES,
    History,
    HistorySummary,
    pair_features,
    prepare_history,
    purchase_labels,
    summarise,
)
from ml.models.recommend import _BATCH_CELLS, BaseRecommender, Recommender
from ml.results import Reason, ReasonCode

__all__ = ["LearnedRanker", "RANKER_FEATURES"]

SIGNAL_FEATURES = ("rec_personal", "rec_due", "rec_cf", "rec_recent", "own_rank", "pair_share", "pair_share_90",
                   "prod_trend")
RANKER_FEATURES = (*ALL_FEATURES, *SIGNAL_FEATURES)
MIN_HISTORY_DAYS = 56  # a training cutoff needs this much history before it


def _day(day: int) -> pd.Timestamp:
    return pd.Timestamp(np.datetime64(int(day), "D"))


def _signals(rec: Recommender, rows: np.ndarray) -> dict[str, np.ndarray]:
    """The recommender's signals of customers ``rows`` (dense, one column per product)."""
    h = rec.decayed_[rows].toarray()
    row_max = h.max(axis=1, keepdims=True)
    row_sum = h.sum(axis=1, keepdims=True)
    weights = np.divide(h, row_sum, out=np.zeros_like(h), where=row_sum > 0)
    return {"rec_personal": np.divide(h, row_max, out=np.zeros_like(h), where=row_max > 0),
            "rec_due": rec.due_[rows].toarray(),
            "rec_cf": (sp.csr_matrix(weights) @ rec.similarity_).toarray(),
            "rec_recent": np.broadcast_to(rec.recent_share_, h.shape)}


def _own_rank(baskets: np.ndarray, recent: np.ndarray) -> np.ndarray:
    """1 for the customer's most-bought product, 2 for the next...: the ranking of own history + recent
    popularity (:class:`~ml.models.recommend_peers.RecentOwnHistoryRecommender`); never-bought products rank
    after every bought one, by recent popularity."""
    score = baskets + (recent / (1.0 + recent.max()))[None, :]
    order = np.argsort(-score, axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(1, score.shape[1] + 1)[None, :], axis=1)
    return rank.astype(np.float64)


def _top_mask(values: np.ndarray, n: int) -> np.ndarray:
    """True on the ``n`` largest positive values of each row."""
    mask = np.zeros(values.shape, dtype=bool)
    n = min(n, values.shape[1])
    if n <= 0:
        return mask
    top = np.argpartition(-values, n - 1, axis=1)[:, :n]
    np.put_along_axis(mask, top, True, axis=1)
    return mask & (values > 0)


class LearnedRanker(BaseRecommender):
    """Gradient-boosted ranking of own history, complements and recent best-sellers (see the module)."""

    display_name = "LearnedRanker"
    search_space = {"n_cutoffs": [4, 8, 12], "n_popular": [20, 50, 100], "n_complements": [0, 20, 50],
                    "learning_rate": [0.03, 0.1], "max_leaf_nodes": [15, 31, 63],
                    "min_samples_leaf": [50, 200, 500]}

    def __init__(self, horizon_days: int = 28, n_cutoffs: int = 12, n_popular: int = 20, n_complements: int = 0,
                 learner: str = "gbm", max_iter: int = 200, learning_rate: float = 0.1,
                 max_leaf_nodes: int = 15, min_samples_leaf: int = 200, random_state: int = 0):
        self.horizon_days = horizon_days
        self.n_cutoffs = n_cutoffs
        self.n_popular = n_popular
        self.n_complements = n_complements
        self.learner = learner
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.random_state = random_state

    # --- fitting ---------------------------------------------------------------------------------
    def fit(self, transactions: pd.DataFrame) -> LearnedRanker:
        tx = transactions[transactions["customer_id"].notna()]
        super().fit(tx)
        history = prepare_history(tx)
        end = history.last_day + 1
        cutoffs = [end - k * self.horizon_days for k in range(1, self.n_cutoffs + 1)]
        cutoffs = [t for t in cutoffs if t - history.first_day >= MIN_HISTORY_DAYS]
        parts = [self._training_rows(tx, history, t) for t in cutoffs]
        parts = [p for p in parts if p is not None]
        y = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0)
        self.ranker_ = None  # too little history to learn from: own history + recent popularity ranks
        if len(y) and y.min() != y.max():
            X = pd.concat([p[0] for p in parts], ignore_index=True)
            self.ranker_ = self._learner()
            with threadpool_limits(1):
                if self.learner == "lambdarank":  # rows come grouped by cutoff, then customer
                    _, sizes = np.unique(np.concatenate([p[2] + (1 << 32) * i for i, p in enumerate(parts)]),
                                         return_counts=True)
                    self.ranker_.fit(X, y, group=sizes)
                else:
                    self.ranker_.fit(X, y)
        self.training_cutoffs_ = [_day(t) for t in cutoffs] if self.ranker_ is not None else []
        self.n_training_rows_ = int(len(y))
        self.summary_ = summarise(history, end, self.horizon_days)
        self.signals_ = Recommender().fit(tx)  # the signals and candidates as of the end of the data
        return self

    def _fit_model(self, lines: pd.DataFrame) -> None:
        pass  # the ranker is fitted by fit(), which needs the transactions (basket values)

    def _learner(self):
        if self.learner == "lambdarank":
            from lightgbm import LGBMRanker

            return LGBMRanker(n_estimators=self.max_iter, learning_rate=self.learning_rate,
                              num_leaves=self.max_leaf_nodes, min_child_samples=self.min_samples_leaf,
                              n_jobs=1, random_state=self.random_state, verbose=-1)
        if self.learner != "gbm":
            raise ValueError(f"learner must be 'gbm' or 'lambdarank', got {self.learner!r}")
        return HistGradientBoostingClassifier(max_iter=self.max_iter, learning_rate=self.learning_rate,
                                              max_leaf_nodes=self.max_leaf_nodes,
                                              min_samples_leaf=self.min_samples_leaf, early_stopping=False,
                                              random_state=self.random_state)

    def _training_rows(self, tx: pd.DataFrame, history: History, cutoff: int):
        """Candidates of the customers who came back in ``[cutoff, cutoff + horizon)``, features and labels."""
        past = tx[tx["timestamp"] < _day(cutoff)]
        if past.empty:
            return None
        rec = Recommender().fit(past)
        window = (history.day >= cutoff) & (history.day < cutoff + self.horizon_days)
        back = history.customers[np.unique(history.cust[window])]
        rows = rec.customers_.get_indexer(back)
        rows = rows[rows >= 0]
        if not len(rows):
            return None
        summary = summarise(history, cutoff, self.horizon_days)
        step = max(1, _BATCH_CELLS // max(1, len(rec.products_)))  # dense blocks of customers x products
        blocks = [self._candidates(rec, summary, rows[start:start + step]) for start in range(0, len(rows), step)]
        X = pd.concat([b[0] for b in blocks], ignore_index=True)
        cust_rows = np.concatenate([b[1] + start for b, start in zip(blocks, range(0, len(rows), step))])
        prods = np.concatenate([np.asarray(b[2]) for b in blocks])
        cust = summary.customers.get_indexer(rec.customers_[rows[cust_rows]])
        y = purchase_labels(history, cutoff, self.horizon_days, cust, summary.products.get_indexer(prods))
        return X, y, cust_rows

    # --- candidates and scoring ------------------------------------------------------------------
    def _candidates(self, rec: Recommender, summary: HistorySummary, rows: np.ndarray):
        """Feature rows of every candidate of customers ``rows`` (of ``rec``): (X, position in rows, product ids)."""
        signals = _signals(rec, rows)
        baskets = rec.baskets_[rows].toarray()
        signals["own_rank"] = _own_rank(baskets, signals["rec_recent"][0])
        mask = baskets > 0
        mask |= _top_mask(signals["rec_recent"][:1], self.n_popular)
        mask |= _top_mask(signals["rec_cf"] * ~mask, self.n_complements)
        i, j = np.nonzero(mask)
        cust = summary.customers.get_indexer(rec.customers_[rows[i]])
        prods = rec.products_[j]
        X = pair_features(summary, cust, summary.products.get_indexer(prods))
        for name, values in signals.items():
            X[name] = values[i, j]
        with np.errstate(divide="ignore", invalid="ignore"):
            X["pair_share"] = X["pair_n_all"] / X["cust_visits_all"].where(X["cust_visits_all"] > 0)
            X["pair_share_90"] = X["pair_n_90"] / X["cust_visits_90"].where(X["cust_visits_90"] > 0)
            X["prod_trend"] = X["prod_share_h"] / X["prod_share_90"].where(X["prod_share_90"] > 0)
        return X[list(RANKER_FEATURES)], i, prods

    def _score(self, rows: np.ndarray) -> np.ndarray:
        tie = self.signals_.recent_share_ / (1.0 + self.signals_.recent_share_.max())
        if self.ranker_ is None:
            return self.baskets_[rows].toarray() + tie[None, :]
        X, i, prods = self._candidates(self.signals_, self.summary_, rows)
        scores = np.tile(tie - 2.0, (len(rows), 1))  # non-candidates: below every candidate, by recent popularity
        if len(X):
            with threadpool_limits(1):
                if self.learner == "lambdarank":
                    raw = 1.0 / (1.0 + np.exp(-self.ranker_.predict(X)))
                else:
                    raw = self.ranker_.predict_proba(X)[:, 1]
            scores[i, self.products_.get_indexer(prods)] = raw
        return scores

    def _reasons(self, row: int, items: np.ndarray) -> list[Reason]:
        """Why each product is a candidate: REPEAT (times, last time) for what the customer bought; POPULAR
        (share of the recent customers) for a recent best-seller; ALSO_BOUGHT (anchor) for a complement."""
        recent = self.signals_.recent_share_
        best_sellers = set(np.flatnonzero(_top_mask(recent[None, :], self.n_popular)[0]).tolist())
        out = []
        for item in (int(i) for i in items):
            if self.baskets_[row, item] > 0:
                out.append(self._repeat_reason(row, item))
                continue
            anchor = None if item in best_sellers else self.signals_._cf_anchor(row, item)
            out.append(Reason(ReasonCode.ALSO_BOUGHT, {"anchor": anchor}) if anchor is not None else
                       Reason(ReasonCode.POPULAR, {"share": round(float(recent[item]), 4)}))
        return out
