"""Experiments while serving: which arm answers a customer's ``/recommend`` (or API call), and the log of it.

    experiments = Experiments.from_settings(ExperimentSettings())
    result, exposure = experiments.recommend(caddie, "42", n=5, channel="slack")

Without an active experiment the trained model answers and nothing is logged. A failure to write the
exposure is logged and the customer still gets the answer (a missing row weakens the test; a refused
recommendation would hurt the store team).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy.exc import SQLAlchemyError

from ml.experiments.assignment import assign
from ml.experiments.definition import Experiment, UnknownExperiment, parse_experiments
from ml.experiments.log import ExperimentLog, Exposure, utcnow
from ml.experiments.outcomes import customer_outcomes
from ml.experiments.purchases import purchases_of_exposed
from ml.experiments.report import build_report
from ml.experiments.results import ExperimentReport
from ml.experiments.settings import ExperimentSettings
from ml.results import Reason, ReasonCode, Recommendation, RecommendationResult

if TYPE_CHECKING:
    from ml.service import Caddie

log = logging.getLogger(__name__)


class Experiments:
    def __init__(self, defined: tuple[Experiment, ...], salt: str, log_: ExperimentLog,
                 minimum_effect: float = 0.02, ttl: float = 30.0):
        self._defined = defined
        self.ttl = ttl
        self._stored: tuple[float, tuple[Experiment, ...]] | None = None
        self.salt = salt
        self.log = log_
        self.minimum_effect = minimum_effect

    @classmethod
    def from_settings(cls, settings: ExperimentSettings) -> Experiments:
        defined = parse_experiments(settings.experiments, settings.experiment_window_days)
        return cls(defined, settings.experiment_salt, ExperimentLog(settings.database_url),
                   settings.experiment_minimum_effect)

    def all(self) -> tuple[Experiment, ...]:
        """The experiments of the setting, then those of the table not named in it (table down: the setting's).
        The table is read at most every ``ttl`` seconds."""
        now = time.monotonic()
        if self._stored is None or now - self._stored[0] >= self.ttl:
            try:
                self._stored = (now, self.log.defined())
            except (SQLAlchemyError, OSError) as exc:
                log.warning("experiments table unreadable: %s", type(exc).__name__)
                return self._defined
        names = {e.name for e in self._defined}
        return self._defined + tuple(e for e in self._stored[1] if e.name not in names)

    def customers(self, name: str) -> int:
        """Customers exposed so far in ``name``."""
        return int(self.log.exposures(name)["customer_id"].nunique())

    def get(self, name: str) -> Experiment:
        experiments = self.all()
        for experiment in experiments:
            if experiment.name == name.strip().lower():
                return experiment
        raise UnknownExperiment(name, tuple(e.name for e in experiments))

    def recommend(self, caddie: Caddie, customer_id: str, n: int, channel: str
                  ) -> tuple[RecommendationResult, Exposure | None]:
        """The recommendations of the customer's arm in the first experiment, and the exposure logged."""
        experiments = self.all()
        if not experiments:
            return caddie.recommend(customer_id, n), None
        experiment = experiments[0]
        model = caddie.recommend(customer_id, n)  # checks the customer; the "model" arm's answer
        arm = assign(experiment, model.customer_id, self.salt)
        result = model if arm.name == "model" else popular(caddie, model.customer_id, n)
        exposure = Exposure(experiment.name, arm.name, result.customer_id,
                            tuple(r.product.product_id for r in result.items), channel, utcnow())
        try:
            self.log.record_exposure(exposure)
        except (SQLAlchemyError, OSError) as exc:
            log.error("exposure of experiment %s not logged: %s", experiment.name, type(exc).__name__)
        return result, exposure

    def report(self, name: str, transactions: pd.DataFrame | None = None, dataset: str | None = None
               ) -> ExperimentReport:
        """The report of ``name``: outcomes from ``transactions`` (default: the purchases stored in the database,
        of ``dataset`` or the latest one), votes from the log."""
        experiment = self.get(name)
        if transactions is None:
            transactions = purchases_of_exposed(self.log.engine(), experiment.name, dataset)
        outcomes = customer_outcomes(self.log.exposures(experiment.name), transactions, experiment.window_days)
        return build_report(experiment, outcomes, self.log.votes(experiment.name), self.minimum_effect)


def popular(caddie: Caddie, customer_id: str, n: int) -> RecommendationResult:
    """The baseline arm: the chain's ``n`` most popular products."""
    items = tuple(Recommendation(product, 0.0, Reason(ReasonCode.POPULAR)) for product in caddie.products(n))
    return RecommendationResult(customer_id, items, "Popularity", caddie.as_of)
