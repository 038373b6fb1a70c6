"""Strong published peers of :class:`ml.models.recommend.Recommender`, behind the same interface.

They are the bar the model has to clear (``ml.evaluate``), not shipped models:

* :class:`RecentOwnHistoryRecommender`: the customer's own most-bought products (baskets), ties broken and
  the list padded by the last ``popularity_days`` days' popularity: the strongest simple baseline of
  next-basket recommendation in grocery (Li et al., "A Next Basket Recommendation Reality Check", 2023);
* :class:`TIFUKNNRecommender`: TIFU-KNN (Hu et al., SIGIR 2020): a time-decayed, grouped sum of the
  customer's baskets blended with the mean vector of the ``n_neighbors`` most similar customers;
* :class:`ImplicitBM25Recommender` and :class:`ImplicitALSRecommender`: the ``implicit`` library's item-item
  BM25 nearest neighbours and alternating least squares, scoring every product, already bought ones included
  (what ``recommend(..., filter_already_liked_items=False)`` does): in a supermarket, re-buying dominates.

The ``implicit`` peers need the ``bench`` extra (``pip install -e ".[bench]"``); building them without it
raises :class:`ImportError` naming the extra. Each class declares ``search_space``: the hyper-parameters
random search may try on the validation window (:mod:`ml.evaluation.tuning`), with the same budget as the model;
the defaults are the best of 8 trials on Online Retail's validation window (2011-07-22..2011-08-18).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from ml.models.recommend import BaseRecommender
from ml.results import Reason, ReasonCode

__all__ = ["RecentOwnHistoryRecommender", "TIFUKNNRecommender", "ImplicitBM25Recommender",
           "ImplicitALSRecommender", "implicit_available"]


def implicit_available() -> bool:
    try:
        import implicit  # noqa: F401
    except ImportError:
        return False
    return True


def _require_implicit() -> None:
    if not implicit_available():
        raise ImportError("the implicit peers need the bench extra: pip install -e '.[bench]'")


def recent_share(lines: pd.DataFrame, as_of: pd.Timestamp, days: int, n_products: int) -> np.ndarray:
    """Share of the customers active in the last ``days`` days (up to ``as_of``) who bought each product."""
    recent = lines[lines["day"] > as_of - pd.Timedelta(days=days)]
    buyers = recent.drop_duplicates(["row", "col"])["col"].value_counts()
    share = np.zeros(n_products)
    share[buyers.index.to_numpy()] = buyers.to_numpy() / max(1, recent["row"].nunique())
    return share


class RecentOwnHistoryRecommender(BaseRecommender):
    """Own most-bought products (by baskets); the last ``popularity_days`` days' popularity breaks ties."""

    display_name = "OwnHistory+RecentPop"
    search_space = {"popularity_days": [7, 14, 28, 56]}

    def __init__(self, popularity_days: int = 28):
        self.popularity_days = popularity_days

    def _fit_model(self, lines: pd.DataFrame) -> None:
        self.recent_share_ = recent_share(lines, self.as_of_, self.popularity_days, len(self.products_))

    def _score(self, rows: np.ndarray) -> np.ndarray:
        # own counts are whole numbers >= 1; the recent share lies in [0, 1) once divided by 1 + its max
        tie = self.recent_share_ / (1.0 + self.recent_share_.max())
        return self.baskets_[rows].toarray() + tie[None, :]

    def _reasons(self, row: int, items: np.ndarray) -> list[Reason]:
        """REPEAT (times, last time) for what the customer bought; POPULAR with the share of the last
        ``popularity_days`` days' customers who bought it (what ranked it) otherwise."""
        return [self._repeat_reason(row, int(i)) if self.baskets_[row, i] > 0 else
                Reason(ReasonCode.POPULAR, {"share": round(float(self.recent_share_[i]), 4)}) for i in items]


class TIFUKNNRecommender(BaseRecommender):
    """TIFU-KNN: ``alpha * own(u) + (1 - alpha) * mean(own(v) for the n_neighbors v nearest to u)``.

    ``own(u)``: the customer's baskets (binary vectors), newest first, cut into groups of ``group_size``; a
    group is the mean of its baskets weighted ``within_decay ** (position from the group's newest)``, and
    ``own(u)`` the mean of the groups weighted ``group_decay ** (group number from the newest)``. Only the
    ``max_baskets`` newest baskets count. Neighbours: cosine similarity between the ``own`` vectors.
    """

    display_name = "TIFU-KNN"
    search_space = {"n_neighbors": [50, 100, 300, 600], "alpha": [0.5, 0.7, 0.9, 0.95],
                    "within_decay": [0.6, 0.8, 0.9, 1.0], "group_decay": [0.6, 0.7, 0.8, 0.9],
                    "group_size": [3, 7, 15]}

    def __init__(self, n_neighbors: int = 100, alpha: float = 0.95, within_decay: float = 0.9,
                 group_decay: float = 0.6, group_size: int = 7, max_baskets: int = 100):
        self.n_neighbors = n_neighbors
        self.alpha = alpha
        self.within_decay = within_decay
        self.group_decay = group_decay
        self.group_size = group_size
        self.max_baskets = max_baskets

    def _fit_model(self, lines: pd.DataFrame) -> None:
        baskets = lines.groupby(["row", "basket"], sort=False)["day"].min().reset_index()
        baskets = baskets.sort_values(["row", "day", "basket"], ascending=[True, False, False], kind="stable")
        rank = baskets.groupby("row").cumcount().to_numpy()  # 0 = newest basket of the customer
        n_baskets = baskets.groupby("row")["basket"].transform("size").to_numpy()
        n_kept = np.minimum(n_baskets, self.max_baskets)
        group = rank // self.group_size
        n_groups = (n_kept + self.group_size - 1) // self.group_size
        in_group = np.where(group == n_groups - 1, n_kept - group * self.group_size, self.group_size)
        weight = (np.power(float(self.within_decay), rank % self.group_size) / in_group
                  * np.power(float(self.group_decay), group) / n_groups)
        weight = np.where(rank < self.max_baskets, weight, 0.0)
        baskets["w"] = weight
        w = lines.merge(baskets[["row", "basket", "w"]], on=["row", "basket"], how="left")["w"].to_numpy()
        own = sp.csr_matrix((w, (lines["row"].to_numpy(), lines["col"].to_numpy())), shape=self.baskets_.shape)
        own.eliminate_zeros()
        norms = np.sqrt(np.asarray(own.multiply(own).sum(axis=1)).ravel())
        self.own_ = own
        self.normalized_ = sp.diags(1.0 / np.maximum(norms, 1e-12)) @ own

    def _score(self, rows: np.ndarray) -> np.ndarray:
        sims = (self.normalized_[rows] @ self.normalized_.T).toarray()
        sims[np.arange(len(rows)), rows] = -np.inf  # a customer is not their own neighbour
        k = max(0, min(self.n_neighbors, sims.shape[1] - 1))
        own = self.own_[rows].toarray()
        if k == 0:
            return own
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        picks = sp.csr_matrix((np.full(top.size, 1.0 / k), (np.repeat(np.arange(len(rows)), k), top.ravel())),
                              shape=sims.shape)
        return self.alpha * own + (1.0 - self.alpha) * (picks @ self.own_).toarray()


class ImplicitBM25Recommender(BaseRecommender):
    """``implicit`` item-item nearest neighbours on BM25-weighted basket counts; bought items kept."""

    display_name = "implicit-BM25"
    search_space = {"K": [20, 50, 100, 200, 400], "K1": [0.6, 1.2, 2.0, 5.0], "B": [0.25, 0.5, 0.75, 1.0]}

    def __init__(self, K: int = 100, K1: float = 1.2, B: float = 0.75):
        self.K = K
        self.K1 = K1
        self.B = B

    def _fit_model(self, lines: pd.DataFrame) -> None:
        _require_implicit()
        from implicit.nearest_neighbours import BM25Recommender

        model = BM25Recommender(K=self.K, K1=self.K1, B=self.B, num_threads=1)
        with threadpool_limits(1), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # implicit converts its own BM25-weighted COO matrix and says so
            model.fit(self.baskets_.tocsr(), show_progress=False)
        self.similarity_ = sp.csr_matrix(model.similarity)

    def _score(self, rows: np.ndarray) -> np.ndarray:
        # what implicit's recommend(..., filter_already_liked_items=False) ranks by
        return (self.baskets_[rows] @ self.similarity_).toarray()


class ImplicitALSRecommender(BaseRecommender):
    """``implicit`` alternating least squares on basket counts (confidence ``1 + alpha * count``)."""

    display_name = "implicit-ALS"
    search_space = {"factors": [32, 64, 128], "regularization": [0.01, 0.1, 1.0, 10.0],
                    "alpha": [1.0, 5.0, 20.0, 40.0], "iterations": [10, 15, 25]}

    def __init__(self, factors: int = 32, regularization: float = 0.01, alpha: float = 1.0,
                 iterations: int = 10, random_state: int = 0):
        self.factors = factors
        self.regularization = regularization
        self.alpha = alpha
        self.iterations = iterations
        self.random_state = random_state

    def _fit_model(self, lines: pd.DataFrame) -> None:
        _require_implicit()
        from implicit.cpu.als import AlternatingLeastSquares

        with threadpool_limits(1), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # implicit's advice on OpenBLAS threads: limited right here
            model = AlternatingLeastSquares(factors=self.factors, regularization=self.regularization,
                                            alpha=self.alpha, iterations=self.iterations, num_threads=1,
                                            random_state=self.random_state)
            model.fit(self.baskets_.tocsr().astype(np.float32), show_progress=False)
        self.user_factors_ = np.asarray(model.user_factors)
        self.item_factors_ = np.asarray(model.item_factors)

    def _score(self, rows: np.ndarray) -> np.ndarray:
        return self.user_factors_[rows] @ self.item_factors_.T
