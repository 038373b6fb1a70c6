"""Peers of :class:`ml.models.propensity.PropensityModel`: other classifiers on the same 17 features.

Both learn from exactly the same rows as the model (rolling training cutoffs, downsampled negatives) and are
calibrated the same way on the last window (Platt sigmoid), so only the classifier differs:

* :class:`LogisticPropensity`: logistic regression on ``log1p`` features (missing cycles imputed by the
  median, with a missing-indicator column), standardised; plain scikit-learn, nothing to install;
* :class:`LightGBMPropensity`: LightGBM gradient boosting (``bench`` extra: ``pip install -e ".[bench]"``).

Each class declares ``search_space``: what random search may try on the validation window
(:mod:`ml.evaluation.tuning`), with the same number of trials as the model; the defaults are the best of 4
trials (the model's budget too) on Online Retail's validation window (2011-08-05..2011-08-18, PR AUC).
"""

from __future__ import annotations

import numpy as np
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from ml.models.propensity import PropensityModel

__all__ = ["LogisticPropensity", "LightGBMPropensity", "lightgbm_available", "logistic_pipeline"]


def lightgbm_available() -> bool:
    try:
        import lightgbm  # noqa: F401
    except ImportError:
        return False
    return True


def _log1p_finite(x: np.ndarray) -> np.ndarray:
    """``log1p`` of non-negative features; an infinite ratio becomes missing (imputed next)."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        out = np.log1p(np.clip(x, 0.0, None))
    out[~np.isfinite(out)] = np.nan
    return out


def logistic_pipeline(C: float) -> Pipeline:
    """``log1p`` -> median imputation with missing indicators -> standardisation -> L2 logistic regression."""
    return make_pipeline(
        FunctionTransformer(_log1p_finite, feature_names_out="one-to-one"),
        SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
        StandardScaler(),
        LogisticRegression(C=C, max_iter=1000),
    )


class LogisticPropensity(PropensityModel):
    """Logistic regression (L2, strength ``1 / C``) on the model's features, calibrated like the model."""

    display_name = "LogisticRegression"
    search_space = {"C": [0.01, 0.1, 1.0, 10.0], "negative_rate": [0.1, 0.3, 1.0], "n_cutoffs": [4, 8, 12]}

    def __init__(self, horizon_days: int = 14, n_cutoffs: int = 8, negative_rate: float = 0.3,
                 n_popular: int = 300, negatives_per_repeat: float = 1.0, calibration: str = "sigmoid",
                 C: float = 10.0, n_threads: int | None = 1, random_state: int = 0):
        self.horizon_days = horizon_days
        self.n_cutoffs = n_cutoffs
        self.negative_rate = negative_rate
        self.n_popular = n_popular
        self.negatives_per_repeat = negatives_per_repeat
        self.calibration = calibration
        self.C = C
        self.n_threads = n_threads
        self.random_state = random_state

    def _classifier(self):
        return logistic_pipeline(self.C)


class LightGBMPropensity(PropensityModel):
    """LightGBM on the model's features (no monotonic constraints), calibrated like the model."""

    display_name = "LightGBM"
    search_space = {"n_estimators": [100, 300, 600], "learning_rate": [0.02, 0.05, 0.1],
                    "num_leaves": [15, 31, 63], "min_child_samples": [20, 100, 300],
                    "negative_rate": [0.1, 0.3, 1.0], "n_cutoffs": [4, 8, 12]}

    def __init__(self, horizon_days: int = 14, n_cutoffs: int = 8, negative_rate: float = 0.3,
                 n_popular: int = 300, negatives_per_repeat: float = 1.0, calibration: str = "sigmoid",
                 n_estimators: int = 300, learning_rate: float = 0.05, num_leaves: int = 63,
                 min_child_samples: int = 300, n_threads: int | None = 1, random_state: int = 0):
        self.horizon_days = horizon_days
        self.n_cutoffs = n_cutoffs
        self.negative_rate = negative_rate
        self.n_popular = n_popular
        self.negatives_per_repeat = negatives_per_repeat
        self.calibration = calibration
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.n_threads = n_threads
        self.random_state = random_state

    def _classifier(self):
        if not lightgbm_available():
            raise ImportError("the LightGBM peer needs the bench extra: pip install -e '.[bench]'")
        from lightgbm import LGBMClassifier

        return LGBMClassifier(n_estimators=self.n_estimators, learning_rate=self.learning_rate,
                              num_leaves=self.num_leaves, min_child_samples=self.min_child_samples,
                              n_jobs=self.n_threads or 1, random_state=self.random_state, verbose=-1)
