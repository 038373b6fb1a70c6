"""The bot's side of the A/B tests and the customer card: one object over ``DATABASE_URL`` (connected on first use).

- :meth:`Insights.abtest`: ``/abtest`` (every experiment, or one experiment's report);
- :meth:`Insights.card`: ``/client``'s customer card (the caller checks access: :mod:`bot.client_gate`);
- :meth:`Insights.vote`: a 👍/👎 on a recommended product, credited to the arm that showed it;
- :func:`experiment_caddie`: the service whose ``recommend`` serves the customer's arm and logs the exposure.

One :class:`Insights` per database, shared by the listeners (:func:`insights_for`).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from bot.insights_commands import AbtestCommand
from bot.insights_rendering import abtest_blocks, abtest_list_blocks
from bot.rendering import Blocks
from ml.customer_card import CustomerCard, build_card, customer_lines
from ml.errors import UnknownCustomer
from ml.experiments.log import Exposure, utcnow
from ml.experiments.serving import Experiments
from ml.experiments.settings import ExperimentSettings
from ml.results import RecommendationResult

if TYPE_CHECKING:
    from ml.service import Caddie

log = logging.getLogger(__name__)
NO_EXPERIMENT = "-"  # a vote on a recommendation no experiment served: kept, credited to no arm


class DatabaseUnavailable(Exception):
    """The database could not be read or written (the cause is logged)."""


class Insights:
    def __init__(self, database_url: str, experiments: Experiments | None = None):
        self.experiments = experiments or Experiments.from_settings(ExperimentSettings(database_url=database_url))
        self._url = database_url
        self._engine: sa.Engine | None = None
        self._lock = threading.Lock()

    def engine(self) -> sa.Engine:
        with self._lock:
            if self._engine is None:
                self._engine = sa.create_engine(self._url)
            return self._engine

    def abtest(self, command: AbtestCommand, caddie: Caddie | None, lang: str) -> tuple[str, Blocks]:
        """Raises UnknownExperiment (named in the message) or DatabaseUnavailable."""
        try:
            if command.name is None:
                listed = [(e, self.experiments.customers(e.name)) for e in self.experiments.all()]
                return abtest_list_blocks(listed, lang)
            dataset = getattr(caddie, "data_name", None)
            return abtest_blocks(self.experiments.report(command.name, dataset=dataset), lang)
        except (SQLAlchemyError, OSError) as exc:
            log.error("experiment log unreadable: %s", type(exc).__name__)
            raise DatabaseUnavailable(type(exc).__name__) from exc

    def card(self, customer_id: str, caddie: Caddie) -> CustomerCard:
        """The card of a customer the service knows; UnknownCustomer when the database has no purchase of theirs."""
        stored = caddie.resolve_customer(customer_id)
        try:
            lines, products = customer_lines(self.engine(), caddie.data_name, stored)
        except (SQLAlchemyError, OSError) as exc:
            log.error("customer card: transactions unreadable: %s", type(exc).__name__)
            raise DatabaseUnavailable(type(exc).__name__) from exc
        if lines.empty:
            raise UnknownCustomer(customer_id)
        return build_card(lines, products, stored, caddie.as_of)

    def vote(self, customer_id: str, product_id: str, vote: int, user_id: str, at: datetime | None = None) -> None:
        """Records the vote on the arm that last showed ``product_id`` to the customer; DatabaseUnavailable."""
        log_ = self.experiments.log
        try:
            exposure = log_.latest_exposure(customer_id, product_id) or Exposure(
                NO_EXPERIMENT, NO_EXPERIMENT, customer_id, (product_id,), "slack", utcnow())
            log_.record_vote(exposure, product_id, vote, user_id, at)
        except (SQLAlchemyError, OSError) as exc:
            log.error("vote not recorded: %s", type(exc).__name__)
            raise DatabaseUnavailable(type(exc).__name__) from exc


_SHARED: dict[str, Insights] = {}
_SHARED_LOCK = threading.Lock()


def insights_for(database_url: str) -> Insights:
    """The one :class:`Insights` of ``database_url`` (experiments from the environment's settings)."""
    with _SHARED_LOCK:
        if database_url not in _SHARED:
            _SHARED[database_url] = Insights(database_url)
        return _SHARED[database_url]


class ExperimentCaddie:
    """The service of a request, whose ``recommend`` answers with the customer's arm and logs the exposure;
    everything else is the service's own."""

    def __init__(self, caddie: Caddie, experiments: Experiments, channel: str = "slack"):
        self._caddie = caddie
        self._experiments = experiments
        self._channel = channel

    def __getattr__(self, name: str) -> Any:
        return getattr(self._caddie, name)

    def __deepcopy__(self, memo: dict) -> ExperimentCaddie:
        return self

    def recommend(self, customer_id: str, n: int = 5) -> RecommendationResult:
        return self._experiments.recommend(self._caddie, customer_id, n, self._channel)[0]


def experiment_caddie(caddie: Caddie, database_url: str, channel: str = "slack") -> Caddie:
    """``caddie`` serving the experiments of ``database_url`` (typed as the service: it answers like one).

    An unreadable ``EXPERIMENTS`` setting is logged (naming the setting) and the service answers without
    experiments: the recommendations go on."""
    try:
        experiments = insights_for(database_url).experiments
    except ValidationError as exc:
        log.error("EXPERIMENTS setting ignored: %s", exc.errors()[0].get("msg", "invalid") if exc.errors() else exc)
        return caddie
    return ExperimentCaddie(caddie, experiments, channel)  # type: ignore[return-value]
