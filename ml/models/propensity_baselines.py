"""Baselines of the propensity task, with the interface of :class:`ml.models.propensity.PropensityModel`."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier

from ml.errors import DataError
from ml.models.propensity import MIN_HISTORY_DAYS, PropensityEstimator
from ml.models.propensity_features import History, candidate_pairs, pair_features, purchase_labels, summarise


class RandomForestPrototype(PropensityEstimator):
    """The first prototype: a random forest on two counts, no calibration.

    Features: how many baskets of the customer held the product (pair_n_all) and the customer's
    number of baskets (cust_visits_all). Trained on one window: the candidates at ``horizon_days``
    before the end and whether they were bought in the last ``horizon_days``.
    """

    display_name = "RandomForestPrototype"
    features = ("pair_n_all", "cust_visits_all")

    def __init__(self, horizon_days: int = 14, n_estimators: int = 100, n_popular: int = 300,
                 negatives_per_repeat: float = 1.0, random_state: int = 0):
        self.horizon_days = horizon_days
        self.n_estimators = n_estimators
        self.n_popular = n_popular
        self.negatives_per_repeat = negatives_per_repeat
        self.random_state = random_state

    def _fit_scorer(self, history: History, cutoff: int) -> None:
        train_cutoff = cutoff - self.horizon_days
        if train_cutoff - history.first_day < MIN_HISTORY_DAYS:
            raise DataError(f"propensity needs at least {MIN_HISTORY_DAYS + self.horizon_days} days of history")
        summary = summarise(history, train_cutoff, self.horizon_days)
        cust, prod = candidate_pairs(summary, self.n_popular, self.negatives_per_repeat, self.random_state)
        y = purchase_labels(history, train_cutoff, self.horizon_days, cust, prod)
        if y.min() == y.max():
            raise DataError("the propensity training window holds only one class")
        X = pair_features(summary, cust, prod)[list(self.features)]
        forest = RandomForestClassifier(n_estimators=self.n_estimators, n_jobs=-1, random_state=self.random_state)
        # predicting on one thread keeps the sum over trees in a fixed order (reproducible to the last bit)
        self.forest_ = forest.fit(X, y).set_params(n_jobs=1)

    def _score(self, features: pd.DataFrame) -> np.ndarray:
        return self.forest_.predict_proba(features[list(self.features)])[:, 1].astype(np.float64)
