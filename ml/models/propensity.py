"""Purchase propensity: P(customer C buys product P within the next ``horizon_days``), calibrated.

:class:`PropensityModel` learns from rolling cutoffs of the history. At each training cutoff ``t``
the candidates are the pairs bought before ``t`` plus as many popular products the customer never
bought (:func:`~ml.models.propensity_features.candidate_pairs`); the label is "bought in
``[t, t + horizon)``". Negatives are downsampled for speed, so the gradient-boosting scores are
biased upwards; they are calibrated (Platt sigmoid on the boosting logit, which is exactly the
prior shift downsampling causes) on the last window before the end of the data, which is neither
downsampled nor used for training. Scoring is done "as of" the day after the last fitted day.

:class:`PropensityEstimator` holds what every propensity model shares (lookups, targeting,
profiles, base rates, drivers); a model only says how it fits and scores feature rows.

Drivers (:meth:`PropensityEstimator.drivers`) are an occlusion method: for each group of related
features (:data:`DRIVER_GROUPS`) the customer's values are replaced by the median over all known
customers for the same product, and the drop of the score is that group's contribution. The
groups whose removal lowers the score most (and at all) are returned, at most three. Product
features are the same for every customer of a product, so they are never drivers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from ml.errors import DataError, UnknownCustomer, UnknownProduct
from ml.models.propensity_features import (
    ALL_FEATURES,
    History,
    HistorySummary,
    ProfileDefaults,
    candidate_pairs,
    day_number,
    learn_profile_defaults,
    pair_features,
    prepare_history,
    profile_features,
    purchase_labels,
    summarise,
)
from ml.results import CustomerProfile

# driver code -> the features it stands for (codes are rendered by the bot)
DRIVER_GROUPS: dict[str, tuple[str, ...]] = {
    "product_frequency": ("pair_n_30", "pair_n_90", "pair_n_all", "pair_never"),
    "product_recency": ("pair_days_since", "pair_due_ratio"),
    "product_cycle": ("pair_interval",),
    "visit_frequency": ("cust_visits_30", "cust_visits_90", "cust_visits_all"),
    "visit_recency": ("cust_days_since",),
    "basket_value": ("cust_basket_value",),
    "assortment": ("cust_n_products", "cust_tenure"),
}

MIN_HISTORY_DAYS = 28  # a training cutoff needs at least this much history before it
BASE_RATE_WINDOWS = 4  # base_rate averages this many horizon-long windows before the end


def _day_to_timestamp(day: int) -> pd.Timestamp:
    return pd.Timestamp(np.datetime64(int(day), "D"))


def window_base_rates(history: History, cutoff: int, horizon_days: int,
                      n_windows: int = BASE_RATE_WINDOWS) -> np.ndarray:
    """Per product code: the share of customers already known who bought it in a horizon-long window,
    averaged over the ``n_windows`` windows ending at ``cutoff`` (windows without known customers are skipped)."""
    n_prod = len(history.products)
    first_seen = np.full(len(history.customers), np.iinfo(np.int64).max)
    np.minimum.at(first_seen, history.cust, history.day)
    rates, used = np.zeros(n_prod), 0
    for k in range(1, n_windows + 1):
        start, end = cutoff - k * horizon_days, cutoff - (k - 1) * horizon_days
        known = int((first_seen < end).sum())
        if start < history.first_day or known == 0:
            continue
        window = (history.day >= start) & (history.day < end)
        keys = np.unique(history.cust[window] * n_prod + history.prod[window])
        rates += np.bincount(keys % n_prod, minlength=n_prod) / known
        used += 1
    return rates / used if used else rates


class PropensityEstimator(BaseEstimator):
    """What every propensity model shares. Subclasses implement :meth:`_fit_scorer` and :meth:`_score`.

    Learned by :meth:`fit`: ``history_`` is not kept; ``summary_`` (aggregates as of ``cutoff_``),
    ``customers_``/``products_`` (known ids), ``cutoff_`` (first day predicted), ``last_date_``
    (last day of fitted data), ``base_rates_`` (Series by product id), ``profile_defaults_``.
    """

    display_name = "PropensityEstimator"
    features: tuple[str, ...] = ALL_FEATURES

    horizon_days: int

    # --- fitting -----------------------------------------------------------------------------
    def fit(self, transactions: pd.DataFrame, as_of: pd.Timestamp | str | None = None) -> PropensityEstimator:
        """Learn from ``transactions`` dated before ``as_of`` (default: the day after the last one)."""
        if as_of is not None:
            transactions = transactions[transactions["timestamp"] < pd.Timestamp(as_of).normalize()]
        if transactions.empty:
            raise DataError("no transactions to fit the propensity model on")
        history = prepare_history(transactions)
        cutoff = day_number(as_of) if as_of is not None else history.last_day + 1
        self.cutoff_ = _day_to_timestamp(cutoff)
        self.last_date_ = _day_to_timestamp(cutoff - 1)
        self.summary_: HistorySummary = summarise(history, cutoff, self.horizon_days)
        self.customers_ = self.summary_.customers
        self.products_ = self.summary_.products
        self.base_rates_ = pd.Series(window_base_rates(history, cutoff, self.horizon_days), index=self.products_)
        self.profile_defaults_: ProfileDefaults = learn_profile_defaults(self.summary_)
        self._fit_scorer(history, cutoff)
        return self

    def _fit_scorer(self, history: History, cutoff: int) -> None:
        raise NotImplementedError

    def _score(self, features: pd.DataFrame) -> np.ndarray:
        """Calibrated probabilities of rows of :data:`ALL_FEATURES` columns."""
        raise NotImplementedError

    def _training_cutoffs(self, history: History, cutoff: int, n_cutoffs: int) -> list[int]:
        """Cutoffs ``cutoff - k * horizon`` (k = 1..n) with enough history before them, newest first."""
        h = self.horizon_days
        cutoffs = [cutoff - k * h for k in range(1, n_cutoffs + 1)]
        return [t for t in cutoffs if t - history.first_day >= MIN_HISTORY_DAYS]

    # --- lookups -----------------------------------------------------------------------------
    def _customer_code(self, customer_id: str) -> int:
        check_is_fitted(self, "summary_")
        code = self.customers_.get_indexer([str(customer_id)])[0]
        if code < 0:
            raise UnknownCustomer(str(customer_id))
        return int(code)

    def _product_code(self, product_id: str) -> int:
        check_is_fitted(self, "summary_")
        code = self.products_.get_indexer([str(product_id)])[0]
        if code < 0:
            raise UnknownProduct(str(product_id))
        return int(code)

    # --- the interface -----------------------------------------------------------------------
    def predict_pairs(self, pairs: pd.DataFrame) -> np.ndarray:
        """Calibrated P(buy within the horizon) as of ``cutoff_`` for ``pairs[customer_id, product_id]``.

        Raises :class:`UnknownCustomer` / :class:`UnknownProduct` for the first id not seen in fit.
        """
        check_is_fitted(self, "summary_")
        cust = self.customers_.get_indexer(pairs["customer_id"].astype(str))
        prod = self.products_.get_indexer(pairs["product_id"].astype(str))
        if (cust < 0).any():
            raise UnknownCustomer(str(pairs["customer_id"].to_numpy()[np.argmax(cust < 0)]))
        if (prod < 0).any():
            raise UnknownProduct(str(pairs["product_id"].to_numpy()[np.argmax(prod < 0)]))
        if not len(pairs):
            return np.zeros(0)
        return self._score(pair_features(self.summary_, cust, prod))

    def predict_proba(self, customer_id: str, product_id: str) -> float:
        cust, prod = self._customer_code(customer_id), self._product_code(product_id)
        return float(self._score(pair_features(self.summary_, np.array([cust]), np.array([prod])))[0])

    def _product_frame(self, product_code: int) -> pd.DataFrame:
        """Features of every known customer for one product (customer codes 0..n-1)."""
        n = len(self.customers_)
        return pair_features(self.summary_, np.arange(n), np.full(n, product_code))

    def top_customers(self, product_id: str, n: int = 10) -> list[tuple[str, float]]:
        """The ``n`` known customers most likely to buy ``product_id``, most likely first."""
        prod = self._product_code(product_id)
        scores = self._score(self._product_frame(prod))
        n = max(0, min(int(n), len(scores)))
        # stable order: probability desc, then customer id
        order = np.lexsort((np.arange(len(scores)), -scores))[:n]
        return [(str(self.customers_[i]), float(scores[i])) for i in order]

    def predict_profile(self, profile: CustomerProfile, product_id: str) -> float:
        """P(a customer like ``profile`` buys ``product_id`` within the horizon), see ``profile_features``."""
        prod = self._product_code(product_id)
        row = profile_features(profile, prod, self.summary_, self.profile_defaults_)
        return float(self._score(row)[0])

    def base_rate(self, product_id: str) -> float:
        """Share of known customers who bought ``product_id`` in a horizon-long window (recent average)."""
        code = self._product_code(product_id)
        return float(self.base_rates_.iloc[code])

    def drivers(self, customer_id: str, product_id: str, max_drivers: int = 3) -> list[str]:
        """Codes of :data:`DRIVER_GROUPS` that raise this customer's score most (see module docstring)."""
        cust, prod = self._customer_code(customer_id), self._product_code(product_id)
        population = self._product_frame(prod)
        reference = population.median(numeric_only=True)
        row = population.iloc[[cust]]
        groups = [(code, [f for f in cols if f in self.features]) for code, cols in DRIVER_GROUPS.items()]
        groups = [(code, cols) for code, cols in groups if cols]
        occluded = pd.concat([row] * (len(groups) + 1), ignore_index=True)
        for i, (_, cols) in enumerate(groups, start=1):
            occluded.loc[i, cols] = reference[cols].to_numpy()
        if "pair_due_ratio" in occluded:  # keep the derived ratio consistent
            with np.errstate(divide="ignore", invalid="ignore"):
                occluded["pair_due_ratio"] = occluded["pair_days_since"] / occluded["pair_interval"]
        scores = self._score(occluded)
        gains = scores[0] - scores[1:]
        ranked = sorted(((g, code) for g, (code, _) in zip(gains, groups) if g > 1e-6), reverse=True)
        return [code for _, code in ranked[:max_drivers]]


class PropensityModel(PropensityEstimator):
    """Gradient boosting on recency/frequency features, calibrated on the last window.

    Parameters: ``horizon_days``; ``n_cutoffs`` training cutoffs spaced by the horizon before the
    calibration window; ``negative_rate`` share of label-0 training rows kept; ``n_popular`` and
    ``negatives_per_repeat`` shape the candidates; ``calibration`` "sigmoid" or "isotonic"; the
    boosting's ``max_iter``, ``learning_rate``, ``max_leaf_nodes``, ``min_samples_leaf``; ``n_threads`` OpenMP
    threads of the boosting (None: all cores; the default 1 is the fastest for the bot's small batches and
    many times faster than 2 threads on a busy 2-core machine); ``random_state``.
    """

    display_name = "PropensityGBM"
    features = ALL_FEATURES
    search_space = {"max_iter": [100, 300, 600], "learning_rate": [0.02, 0.05, 0.1], "max_leaf_nodes": [15, 31, 63],
                    "min_samples_leaf": [20, 100, 300], "negative_rate": [0.1, 0.3, 1.0], "n_cutoffs": [4, 8, 12]}
    # more purchases of the product or more visits never lower the propensity, a longer cycle never raises it
    _monotonic = {"pair_n_30": 1, "pair_n_90": 1, "pair_n_all": 1, "cust_visits_30": 1, "cust_visits_90": 1,
                  "pair_interval": -1}

    def __init__(self, horizon_days: int = 14, n_cutoffs: int = 8, negative_rate: float = 0.3,
                 n_popular: int = 300, negatives_per_repeat: float = 1.0, calibration: str = "sigmoid",
                 max_iter: int = 300, learning_rate: float = 0.05, max_leaf_nodes: int = 31,
                 min_samples_leaf: int = 100, n_threads: int | None = 1, random_state: int = 0):
        self.horizon_days = horizon_days
        self.n_cutoffs = n_cutoffs
        self.negative_rate = negative_rate
        self.n_popular = n_popular
        self.negatives_per_repeat = negatives_per_repeat
        self.calibration = calibration
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.n_threads = n_threads
        self.random_state = random_state

    def _rows(self, history: History, cutoff: int, seed: int,
              negative_rate: float = 1.0) -> tuple[pd.DataFrame, np.ndarray]:
        summary = summarise(history, cutoff, self.horizon_days)
        cust, prod = candidate_pairs(summary, self.n_popular, self.negatives_per_repeat, seed)
        y = purchase_labels(history, cutoff, self.horizon_days, cust, prod)
        if negative_rate < 1.0:
            keep = (y == 1) | (np.random.default_rng(seed).random(len(y)) < negative_rate)
            cust, prod, y = cust[keep], prod[keep], y[keep]
        return pair_features(summary, cust, prod), y

    def _training_rows(self, history: History,
                       cutoff: int) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame, np.ndarray]:
        """Training rows (the training cutoffs, negatives downsampled) and calibration rows (the last window
        ``[cutoff - horizon, cutoff)``, all candidates); every training label ends at the calibration cutoff.
        Sets ``training_cutoffs_``, ``calibration_cutoff_`` and ``n_training_rows_``."""
        calibration_cutoff = cutoff - self.horizon_days
        cutoffs = self._training_cutoffs(history, calibration_cutoff, self.n_cutoffs)
        if calibration_cutoff - history.first_day < MIN_HISTORY_DAYS or not cutoffs:
            need = MIN_HISTORY_DAYS + 2 * self.horizon_days
            raise DataError(f"propensity needs at least {need} days of history")
        parts = [self._rows(history, t, self.random_state + i, self.negative_rate) for i, t in enumerate(cutoffs)]
        X = pd.concat([p[0] for p in parts], ignore_index=True)
        y = np.concatenate([p[1] for p in parts])
        X_cal, y_cal = self._rows(history, calibration_cutoff, self.random_state + 1000)
        if y.min() == y.max() or y_cal.min() == y_cal.max():
            raise DataError("propensity training windows hold no repeat purchase (or nothing else)")
        self.training_cutoffs_ = [_day_to_timestamp(t) for t in cutoffs]
        self.calibration_cutoff_ = _day_to_timestamp(calibration_cutoff)
        self.n_training_rows_ = int(len(y))
        return X, y, X_cal, y_cal

    def _fit_scorer(self, history: History, cutoff: int) -> None:
        X, y, X_cal, y_cal = self._training_rows(history, cutoff)
        booster = self._classifier()
        calibrated = CalibratedClassifierCV(FrozenEstimator(booster), method=self.calibration)
        with threadpool_limits(self.n_threads):
            booster.fit(X[list(self.features)], y)
            calibrated.fit(X_cal[list(self.features)], y_cal)
        self.booster_ = booster
        self.calibrator_ = calibrated

    def _classifier(self):
        """The (unfitted) classifier of the training rows; peers override it (:mod:`propensity_peers`)."""
        return HistGradientBoostingClassifier(
            max_iter=self.max_iter, learning_rate=self.learning_rate, max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf, early_stopping=False, random_state=self.random_state,
            monotonic_cst={f: sign for f, sign in self._monotonic.items() if f in self.features},
        )

    def _score(self, features: pd.DataFrame) -> np.ndarray:
        with threadpool_limits(self.n_threads):
            return self.calibrator_.predict_proba(features[list(self.features)])[:, 1]
