"""Baselines for :class:`ml.models.recommend.Recommender`, with the same interface.

* :class:`PopularityRecommender`: the same top products for everyone (most distinct customers);
* :class:`OwnHistoryRecommender`: the customer's own most frequently bought products (by baskets),
  padded with popular products;
* :class:`UserKNNRecommender`: the first prototype, user-based nearest neighbours (cosine similarity
  between customers over the customer x product matrix).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ml.models.recommend import BaseRecommender
from ml.results import Reason, ReasonCode

__all__ = ["PopularityRecommender", "OwnHistoryRecommender", "UserKNNRecommender"]


class PopularityRecommender(BaseRecommender):
    """Products bought by the most distinct customers over the training window."""

    display_name = "Popularity"

    def __init__(self) -> None:
        pass

    def _fit_model(self, lines: pd.DataFrame) -> None:
        pass

    def _score(self, rows: np.ndarray) -> np.ndarray:
        return np.tile(self.popularity_, (len(rows), 1))

    def _reasons(self, row: int, items: np.ndarray) -> list[Reason]:
        return [self._popular_reason(int(i)) for i in items]


class OwnHistoryRecommender(BaseRecommender):
    """The customer's products ranked by number of baskets, then popular products."""

    display_name = "OwnHistory"

    def __init__(self) -> None:
        pass

    def _fit_model(self, lines: pd.DataFrame) -> None:
        pass

    def _score(self, rows: np.ndarray) -> np.ndarray:
        # own counts dominate (>= 1 each); popularity (< 1) breaks ties and pads
        return self.baskets_[rows].toarray() + self.popularity_[None, :]


class UserKNNRecommender(BaseRecommender):
    """User-based KNN: products bought by the ``n_neighbors`` customers most similar to the customer.

    score(u, i) = sum over neighbours v of cos(u, v) * [v bought i], on the binary customer x product matrix.
    """

    display_name = "UserKNN"

    def __init__(self, n_neighbors: int = 50):
        self.n_neighbors = n_neighbors

    def _fit_model(self, lines: pd.DataFrame) -> None:
        bought = (self.baskets_ > 0).astype(np.float64)
        norms = np.sqrt(np.asarray(bought.sum(axis=1)).ravel())
        self.bought_ = bought.tocsr()
        self.normalized_ = sp.diags(1.0 / np.maximum(norms, 1e-12)) @ bought

    def _neighbors(self, rows: np.ndarray) -> sp.csr_matrix:
        sims = (self.normalized_[rows] @ self.normalized_.T).toarray()
        sims[np.arange(len(rows)), rows] = 0.0  # a customer is not their own neighbour
        k = max(0, min(self.n_neighbors, sims.shape[1] - 1))
        if k == 0:
            return sp.csr_matrix(sims.shape)
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        kept = np.zeros_like(sims)
        np.put_along_axis(kept, top, np.take_along_axis(sims, top, axis=1), axis=1)
        return sp.csr_matrix(kept)

    def _score(self, rows: np.ndarray) -> np.ndarray:
        return (self._neighbors(rows) @ self.bought_).toarray()

    def _reasons(self, row: int, items: np.ndarray) -> list[Reason]:
        reasons = []
        for i in (int(i) for i in items):
            if self.baskets_[row, i] > 0:
                reasons.append(self._repeat_reason(row, i))
                continue
            anchor = self._anchor(row, i)
            reasons.append(Reason(ReasonCode.ALSO_BOUGHT, {"anchor": anchor}) if anchor is not None
                           else self._popular_reason(i))
        return reasons
