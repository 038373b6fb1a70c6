"""What the dashboard shows, gathered once per request (and kept ``CACHE_SECONDS``): typed, no pandas past here."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.exc import SQLAlchemyError

from bot.dashboard.accuracy import DayAccuracy, daily_accuracy
from bot.insights import Insights
from ml.experiments.results import ExperimentReport
from ml.results import Metric, ModelCard
from ml.segments import Segment, customer_days, summarise

log = logging.getLogger(__name__)
MAX_STORES = 10
TOP_PRODUCTS = 10


@dataclass(frozen=True, slots=True)
class StoreFigures:
    store: str  # display name
    forecast_units: float  # tomorrow, its TOP_PRODUCTS best sellers
    order_lines: int  # products to order today
    order_units: float


@dataclass(frozen=True)
class Dashboard:
    as_of: date
    data_name: str
    cards: tuple[ModelCard, ...]
    accuracy: tuple[DayAccuracy, ...]
    stores: tuple[StoreFigures, ...]
    experiments: tuple[ExperimentReport, ...]
    segments: tuple[Segment, ...] | None = None  # None: not authorised (or no customers)
    problems: tuple[str, ...] = field(default_factory=tuple)  # sections that could not be read, in words


def collect(caddie, insights: Insights, *, customers: bool) -> Dashboard:  # noqa: ANN001 - the service
    """Every section; one that fails is left empty and named in ``problems`` (the page still renders)."""
    problems: list[str] = []
    engine = insights.engine()
    accuracy = _guard(lambda: daily_accuracy(engine), [], "accuracy", problems)
    stores = _guard(lambda: _store_figures(caddie), [], "stores", problems)
    experiments = _guard(lambda: [insights.experiments.report(e.name, dataset=caddie.data_name)
                                  for e in insights.experiments.all()], [], "experiments", problems)
    segments = None
    if customers and caddie.has_customers:
        segments = _guard(lambda: summarise(customer_days(engine, caddie.data_name), caddie.as_of), (),
                          "segments", problems)
    return Dashboard(caddie.as_of, caddie.data_name, tuple(caddie.model_cards()), tuple(accuracy), tuple(stores),
                     tuple(experiments), tuple(segments) if segments is not None else None, tuple(problems))


def _guard(read, default, name: str, problems: list[str]):  # noqa: ANN001, ANN202
    try:
        return read()
    except (SQLAlchemyError, OSError) as exc:
        log.warning("dashboard section %s unavailable: %s", name, type(exc).__name__)
    except Exception:
        log.exception("dashboard section %s failed", name)
    problems.append(name)
    return default


def _store_figures(caddie) -> list[StoreFigures]:  # noqa: ANN001
    out = []
    for store in caddie.stores()[:MAX_STORES]:
        forecasts = caddie.forecast_top(TOP_PRODUCTS, store=store.store_id)
        units = sum(p.mean for r in forecasts for p in r.points if p.day == r.requested_day)
        proposal = caddie.orders(store.store_id)
        ordered = [line for line in proposal.lines if line.quantity > 0]
        out.append(StoreFigures(store.name, float(units), len(ordered), float(sum(x.quantity for x in ordered))))
    return out


def metric(card: ModelCard, name: str) -> Metric | None:
    return next((m for m in card.metrics if m.name == name), None)
