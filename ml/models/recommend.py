"""Product recommendations for a known customer: "what will they put in the basket next?"

:class:`Recommender` blends three signals, each normalised so the weights are comparable:

* personal repurchase: how often the customer bought the item, counting baskets (not units), each basket
  discounted by ``0.5 ** (age_days / half_life_days)``; in retail, re-buying dominates, so already bought
  items are never excluded;
* item-item collaborative filtering: cosine similarity between items over the customer x item matrix,
  shrunk towards 0 for rarely bought items and pruned to each item's ``n_neighbors`` nearest items, applied
  to the customer's recency-weighted history ("customers who bought your items also bought ...");
* recent popularity: share of the customers active in the last ``popularity_days`` days who bought the item.

Every recommendation carries a :class:`ml.results.Reason`: REPEAT (times, last_days_ago) when the personal term
is the largest, else ALSO_BOUGHT (anchor: the product id of the customer's item that contributed most to the
collaborative term; the service maps it to a name), else POPULAR (share of recent customers).

The module also holds :class:`BaseRecommender`, the fit/recommend plumbing shared with the baselines of
:mod:`ml.models.recommend_baselines`: encoding customers and products, the customer x product basket-count
matrix, deterministic top-n selection and the ``UnknownCustomer`` check.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ml.errors import DataValidationError, UnknownCustomer
from ml.models.recommend_signals import basket_matrix, cycle_due
from ml.results import Reason, ReasonCode

__all__ = ["BaseRecommender", "Recommender", "item_cosine_neighbors"]

_REQUIRED = ("customer_id", "product_id", "timestamp")
_BATCH_CELLS = 4_000_000  # dense cells per scoring block in recommend_batch (~32 MB of float64)


def _basket_lines(transactions: pd.DataFrame) -> pd.DataFrame:
    """One row per (customer, basket, product) with the basket's day.

    ``basket_id`` is used when present, otherwise a basket is a customer's purchases of one day.
    """
    missing = [c for c in _REQUIRED if c not in transactions.columns]
    if missing:
        raise DataValidationError(f"transactions lack column(s) {missing}", column=missing[0])
    transactions = transactions[transactions["customer_id"].notna()]  # anonymous tickets say nothing personal
    if transactions.empty:
        raise DataValidationError("cannot fit a recommender on a transaction log without known customers")
    day = pd.to_datetime(transactions["timestamp"]).dt.normalize()
    customer = transactions["customer_id"].astype(str)
    basket = (transactions["basket_id"].astype("string") if "basket_id" in transactions.columns
              else pd.Series(pd.NA, index=transactions.index, dtype="string"))
    if basket.isna().any():
        fallback = customer + "@" + day.dt.strftime("%Y-%m-%d")
        basket = basket.fillna(fallback)
    basket = basket.astype(str)
    lines = pd.DataFrame({
        "customer_id": customer.to_numpy(),
        "product_id": transactions["product_id"].astype(str).to_numpy(),
        "basket": basket.to_numpy(),
        "day": day.to_numpy(),
    })
    return lines.groupby(["customer_id", "basket", "product_id"], sort=False, as_index=False)["day"].min()


def item_cosine_neighbors(matrix: sp.csr_matrix, n_neighbors: int, shrinkage: float,
                          block: int = 1024) -> sp.csr_matrix:
    """Item x item similarity: shrunk cosine over the columns of ``matrix``, top ``n_neighbors`` per row.

    ``sim(i, j) = <x_i, x_j> / (|x_i| |x_j| + shrinkage)``; the diagonal is 0. Row ``i`` keeps the items most
    similar to ``i``, so ``history @ result`` scores items by their similarity to the items of a history.
    Computed in blocks of columns, so memory stays ``O(n_items * block)``.
    """
    x = sp.csc_matrix(matrix, dtype=np.float64)
    n_items = x.shape[1]
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=0)).ravel())
    items_by_rows = x.T.tocsr()
    k = max(0, min(n_neighbors, n_items - 1))
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    for start in range(0, n_items, block):
        stop = min(start + block, n_items)
        # dense (b, n_items): similarity of the items start..stop to every item (the gram matrix is symmetric)
        dots = (items_by_rows[start:stop] @ x).toarray()
        dots /= np.outer(norms[start:stop], norms) + shrinkage
        dots[np.arange(stop - start), np.arange(start, stop)] = 0.0
        if k == 0:
            continue
        top = np.argpartition(-dots, k - 1, axis=1)[:, :k] if k < n_items else np.argsort(-dots, axis=1)
        top_vals = np.take_along_axis(dots, top, axis=1)
        keep = top_vals > 0
        item = np.broadcast_to(np.arange(start, stop)[:, None], top.shape)
        rows.append(item[keep])
        cols.append(top[keep])
        vals.append(top_vals[keep])
    if not rows:
        return sp.csr_matrix((n_items, n_items))
    return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                         shape=(n_items, n_items))


class BaseRecommender(BaseEstimator):
    """fit / recommend plumbing shared by every recommender (main model and baselines).

    Subclasses implement ``_fit_model(lines)`` and ``_score(rows) -> ndarray (len(rows), n_products)``;
    they may override ``_reasons(row, items) -> list[Reason]``. Learned attributes:

    * ``customers_`` (pd.Index of str), ``products_`` (pd.Index of str), both sorted;
    * ``baskets_``: csr (customer x product) number of distinct baskets with the product;
    * ``last_day_``: csr, same pattern, day ordinal of the last basket with the product;
    * ``as_of_``: the last day of the fitted data;
    * ``popularity_``: share of all customers who bought each product (ndarray).
    """

    display_name: str = "base"

    # --- public interface -------------------------------------------------------------------
    def fit(self, transactions: pd.DataFrame) -> BaseRecommender:
        lines = _basket_lines(transactions)
        self.customers_ = pd.Index(np.sort(lines["customer_id"].unique()), name="customer_id")
        self.products_ = pd.Index(np.sort(lines["product_id"].unique()), name="product_id")
        rows = self.customers_.get_indexer(lines["customer_id"])
        cols = self.products_.get_indexer(lines["product_id"])
        shape = (len(self.customers_), len(self.products_))
        self.as_of_ = pd.Timestamp(lines["day"].max())
        self.baskets_ = sp.csr_matrix((np.ones(len(lines)), (rows, cols)), shape=shape)  # duplicates summed
        ordinals = (lines["day"] - pd.Timestamp("1970-01-01")).dt.days.to_numpy()
        last = pd.DataFrame({"r": rows, "c": cols, "d": ordinals}).groupby(["r", "c"], sort=True)["d"].max()
        self.last_day_ = sp.csr_matrix(
            (last.to_numpy(dtype=np.float64) + 1.0,  # +1 keeps day 0 from vanishing from the pattern
             (last.index.get_level_values(0), last.index.get_level_values(1))), shape=shape)
        n_buyers = np.asarray((self.baskets_ > 0).sum(axis=0)).ravel()
        self.popularity_ = n_buyers / max(1, shape[0])
        lines = lines.assign(row=rows, col=cols)
        self._fit_model(lines)
        return self

    def recommend(self, customer_id: str, n: int = 10) -> list[tuple[str, float, Reason]]:
        """The ``n`` best products for a customer, best first, each with its score and reason."""
        row = self._row(customer_id)
        scores = self._score(np.array([row]))[0]
        items = self._top(scores[None, :], n)[0]
        reasons = self._reasons(row, items)
        return [(str(self.products_[i]), float(scores[i]), r) for i, r in zip(items, reasons)]

    def recommend_batch(self, customer_ids: Iterable[str], n: int = 10) -> dict[str, list[str]]:
        """Product ids only, for many customers at once (evaluation)."""
        check_is_fitted(self, "customers_")
        ids = [str(c) for c in customer_ids]
        rows = np.array([self._row(c) for c in ids], dtype=np.int64)
        out: dict[str, list[str]] = {}
        step = max(1, _BATCH_CELLS // max(len(self.products_), len(self.customers_)))
        for start in range(0, len(rows), step):
            chunk = rows[start:start + step]
            top = self._top(self._score(chunk), n)
            for cid, items in zip(ids[start:start + step], top):
                out[cid] = [str(p) for p in self.products_[items]]
        return out

    # --- helpers for subclasses -------------------------------------------------------------
    def _row(self, customer_id: str) -> int:
        check_is_fitted(self, "customers_")
        pos = self.customers_.get_indexer([str(customer_id)])[0]
        if pos < 0:
            raise UnknownCustomer(str(customer_id), suggestions=[])
        return int(pos)

    @staticmethod
    def _top(scores: np.ndarray, n: int) -> list[np.ndarray]:
        """Column indices of the ``n`` highest scores per row; ties go to the lower index (stable)."""
        n = max(0, min(int(n), scores.shape[1]))
        order = np.argsort(-scores, axis=1, kind="stable")[:, :n]
        return list(order)

    def _repeat_reason(self, row: int, item: int) -> Reason:
        times = int(self.baskets_[row, item])
        last_ordinal = int(self.last_day_[row, item]) - 1
        days_ago = (self.as_of_ - (pd.Timestamp("1970-01-01") + pd.Timedelta(days=last_ordinal))).days
        return Reason(ReasonCode.REPEAT, {"times": times, "last_days_ago": int(days_ago)})

    def _popular_reason(self, item: int) -> Reason:
        return Reason(ReasonCode.POPULAR, {"share": round(float(self.popularity_[item]), 4)})

    def _anchor(self, row: int, item: int) -> str | None:
        """The customer's product most often bought by the same customers as ``item``."""
        own = self.baskets_.indices[self.baskets_.indptr[row]:self.baskets_.indptr[row + 1]]
        own = own[own != item]
        if own.size == 0:
            return None
        bought = (self.baskets_[:, [item]] > 0).astype(np.float64)
        co = np.asarray(((self.baskets_[:, own] > 0).T @ bought).todense()).ravel()
        if co.max() <= 0:
            return None
        return str(self.products_[own[int(np.argmax(co))]])

    def _reasons(self, row: int, items: np.ndarray) -> list[Reason]:
        """Default: REPEAT for what the customer already bought, POPULAR otherwise."""
        return [self._repeat_reason(row, int(i)) if self.baskets_[row, i] > 0 else self._popular_reason(int(i))
                for i in items]

    # --- to implement -----------------------------------------------------------------------
    def _fit_model(self, lines: pd.DataFrame) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _score(self, rows: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError


class Recommender(BaseRecommender):
    """Recency-weighted repurchase + item-KNN collaborative filtering + recent popularity.

    score(u, i) = personal(u, i) + cf_weight * cf(u, i) + popularity_weight * recent_share(i), where

    * ``personal(u, .)`` = decayed basket counts of u, divided by their maximum (1 for the top item);
    * ``cf(u, .)`` = ``h_u @ S`` with ``h_u`` the decayed counts divided by their sum and ``S`` the pruned,
      shrunk item cosine similarity (:func:`item_cosine_neighbors`): a weighted mean similarity, in [0, 1];
    * ``recent_share(i)``: share of the customers of the last ``popularity_days`` days who bought i, divided
      by the largest share (1 for the most popular product).

    plus ``cycle_weight * due(u, i)`` in the personal term: the repeat-cycle timing of
    :func:`~ml.models.recommend_signals.cycle_due` (is the next purchase the customer's cycle predicts within
    ``horizon_days``?); ``complements="basket"`` measures the similarity over baskets (bought together)
    instead of customers.

    Defaults: best of 8 random-search trials (``search_space``; the same budget as each peer) on the
    validation window of Online Retail (2011-07-22..2011-08-18), strictly before the four test windows of
    ``python -m ml.evaluate --windows 4`` (:mod:`ml.evaluation.tuning`). The surface is flat: NDCG@10 0.4005
    for the best trial against 0.3993 for the previous defaults and for own history + recent popularity.
    """

    display_name = "Recommender"
    search_space = {"half_life_days": [60, 120, 365, 1000], "cf_weight": [0.0, 0.05, 0.2, 0.5],
                    "popularity_weight": [0.05, 0.1, 0.3, 0.6], "popularity_days": [7, 14, 28],
                    "cycle_weight": [0.0, 0.25, 0.5, 1.0, 2.0], "lapse_cycles": [1.0, 2.0, 4.0],
                    "complements": ["customer", "basket"]}

    def __init__(self, half_life_days: float = 1000.0, cf_weight: float = 0.2, popularity_weight: float = 0.3,
                 n_neighbors: int = 200, shrinkage: float = 50.0, popularity_days: int = 7,
                 cycle_weight: float = 0.25, horizon_days: float = 28.0, lapse_cycles: float = 1.0,
                 complements: str = "customer"):
        self.half_life_days = half_life_days
        self.cf_weight = cf_weight
        self.popularity_weight = popularity_weight
        self.n_neighbors = n_neighbors
        self.shrinkage = shrinkage
        self.popularity_days = popularity_days
        self.cycle_weight = cycle_weight
        self.horizon_days = horizon_days
        self.lapse_cycles = lapse_cycles
        self.complements = complements

    def _fit_model(self, lines: pd.DataFrame) -> None:
        if self.complements not in ("customer", "basket"):
            raise ValueError(f"complements must be 'customer' or 'basket', got {self.complements!r}")
        shape = self.baskets_.shape
        age = (self.as_of_ - lines["day"]).dt.days.to_numpy(dtype=np.float64)
        decay = np.power(0.5, age / float(self.half_life_days))
        self.decayed_ = sp.csr_matrix((decay, (lines["row"].to_numpy(), lines["col"].to_numpy())), shape=shape)
        together = (basket_matrix(lines, shape[1]) if self.complements == "basket"
                    else (self.baskets_ > 0).astype(np.float64))
        self.similarity_ = item_cosine_neighbors(together, self.n_neighbors, self.shrinkage)
        self.due_ = cycle_due(lines, self.as_of_, shape, self.horizon_days, self.lapse_cycles)
        recent = lines[lines["day"] > self.as_of_ - pd.Timedelta(days=self.popularity_days)]
        buyers = recent.drop_duplicates(["row", "col"])["col"].value_counts()
        share = np.zeros(shape[1])
        share[buyers.index.to_numpy()] = buyers.to_numpy() / max(1, recent["row"].nunique())
        self.recent_share_ = share

    def _components(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """personal, weighted cf and weighted popularity terms for customers ``rows`` (dense)."""
        h = self.decayed_[rows].toarray()
        row_max = h.max(axis=1, keepdims=True)
        row_sum = h.sum(axis=1, keepdims=True)
        personal = np.divide(h, row_max, out=np.zeros_like(h), where=row_max > 0)
        if self.cycle_weight:
            personal += self.cycle_weight * self.due_[rows].toarray()
        weights = np.divide(h, row_sum, out=np.zeros_like(h), where=row_sum > 0)
        cf = (sp.csr_matrix(weights) @ self.similarity_).toarray()
        pop = np.broadcast_to(self.recent_share_ / max(self.recent_share_.max(), 1e-12), h.shape)
        return personal, self.cf_weight * cf, self.popularity_weight * pop

    def _score(self, rows: np.ndarray) -> np.ndarray:
        personal, cf, pop = self._components(rows)
        return personal + cf + pop

    def _reasons(self, row: int, items: np.ndarray) -> list[Reason]:
        """REPEAT when the personal term is the largest; otherwise ALSO_BOUGHT when the customer's items support
        the product (the popularity term is the same for everyone, so collaborative evidence is the better
        explanation of a product the customer never or rarely bought); POPULAR when nothing personal does."""
        personal, cf, pop = (c[0] for c in self._components(np.array([row])))
        reasons = []
        for i in (int(i) for i in items):
            if personal[i] > 0 and personal[i] >= max(cf[i], pop[i]):
                reasons.append(self._repeat_reason(row, i))
                continue
            anchor = self._cf_anchor(row, i) if cf[i] > 0 else None
            if anchor is not None:
                reasons.append(Reason(ReasonCode.ALSO_BOUGHT, {"anchor": anchor}))
            else:
                reasons.append(Reason(ReasonCode.POPULAR, {"share": round(float(self.recent_share_[i]), 4)}))
        return reasons

    def _cf_anchor(self, row: int, item: int) -> str | None:
        """The customer's item that contributed most to the cf score of ``item``."""
        start, stop = self.decayed_.indptr[row], self.decayed_.indptr[row + 1]
        own, weight = self.decayed_.indices[start:stop], self.decayed_.data[start:stop]
        contrib = weight * np.asarray(self.similarity_[own, item].todense()).ravel()
        if contrib.size == 0 or contrib.max() <= 0:
            return None
        return str(self.products_[own[int(np.argmax(contrib))]])
