"""Prometheus instruments of the bot and the web service, in one registry (:data:`REGISTRY`), served at ``/metrics``.

- requests by kind (``slack`` or ``http``), name (the slash command, event or route template) and status, with a
  latency histogram (for Slack: the time to the acknowledgement Slack waits for, 3 s at most);
- errors by type (every error shown to a user, :func:`count_error`);
- scheduled job runs by outcome and the time of each job's last success;
- served forecasts by channel;
- read at each scrape from the service answering now: model age per task and data freshness (days since the
  last day of sales data); from the live-accuracy tables: WAPE, bias and coverage over the last 7 and 28 days.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from bot.logging_json import request_context, request_id

if TYPE_CHECKING:
    from slack_bolt import App
    from sqlalchemy import Engine

    from bot.refresh import CaddieProvider

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry()
CONTENT_TYPE = CONTENT_TYPE_LATEST
NAME_LIMIT = 48  # label values are bounded (a signed request could name any command)

REQUESTS = Counter("caddie_requests", "Requests answered, by kind (slack, http), name and status",
                   ("kind", "name", "status"), registry=REGISTRY)
LATENCY = Histogram("caddie_request_seconds", "Time to answer (Slack: to the acknowledgement)", ("kind", "name"),
                    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0), registry=REGISTRY)
ERRORS = Counter("caddie_errors", "Errors shown to users, by type", ("type",), registry=REGISTRY)
JOB_RUNS = Counter("caddie_job_runs", "Scheduled job runs, by job and outcome (ok, failed, skipped)",
                   ("job", "outcome"), registry=REGISTRY)
SERVED = Counter("caddie_served_forecasts", "Forecasts served and logged for live accuracy, by channel",
                 ("channel",), registry=REGISTRY)
_last_success: dict[str, float] = {}


def observe_request(kind: str, name: str, status: int | str, seconds: float) -> None:
    name = name[:NAME_LIMIT] or "-"
    REQUESTS.labels(kind, name, str(status)).inc()
    LATENCY.labels(kind, name).observe(seconds)


def count_error(exc: BaseException) -> None:
    """Counts an error shown to a user (called by :func:`bot.errors.user_message`). Never raises."""
    try:
        ERRORS.labels(type(exc).__name__[:NAME_LIMIT]).inc()
    except Exception:  # noqa: BLE001 - metrics must never hide an answer
        log.debug("could not count an error")


def job_run(job: str, outcome: str, *, at: float | None = None) -> None:
    """Counts a run of ``job``; ``outcome`` "ok" also records the time of its last success."""
    JOB_RUNS.labels(job, outcome).inc()
    if outcome == "ok":
        _last_success[job] = time.time() if at is None else at


def exposition() -> bytes:
    return generate_latest(REGISTRY)


# --------------------------------------------------------------------------- Slack


def slack_request_name(body: dict[str, Any]) -> str:
    """What a Slack request is, for a label: the command, the event type, or the interaction and its callback."""
    if body.get("command"):
        return str(body["command"])
    if isinstance(body.get("event"), dict):
        return f"event:{body['event'].get('type', '?')}"
    kind = str(body.get("type") or "unknown")
    callback = (body.get("view") or {}).get("callback_id") or body.get("callback_id")
    return f"{kind}:{callback}" if callback else kind


def instrument_bolt(app: App) -> App:
    """Wraps ``app.dispatch`` (what every adapter calls): a request id and channel for the request's logs and
    served forecasts, and the request counted and timed to its acknowledgement. Idempotent."""
    inner = app.dispatch
    if getattr(inner, "_caddie_instrumented", False):
        return app

    def dispatch(req):  # noqa: ANN001, ANN202 - BoltRequest -> BoltResponse
        body = req.body if isinstance(req.body, dict) else {}
        name = slack_request_name(body)
        start = time.perf_counter()
        status: int | str = "error"
        with request_context(f"slack:{name}"[:64], request_id.get()):  # the HTTP request's id, if any
            try:
                response = inner(req)
                status = response.status
                return response
            finally:
                observe_request("slack", name, status, time.perf_counter() - start)

    dispatch._caddie_instrumented = True  # type: ignore[attr-defined]
    app.dispatch = dispatch  # type: ignore[method-assign]
    return app


# --------------------------------------------------------------------------- read at each scrape


class ServiceCollector(Collector):
    """Model age, data freshness, job last success and live accuracy, read when Prometheus scrapes."""

    def __init__(self, caddies: CaddieProvider, engine: Callable[[], Engine] | None = None,
                 today: Callable[[], date] | None = None):
        self.caddies, self.engine = caddies, engine
        self.today = today or date.today

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield self._jobs()
        try:
            caddie = self.caddies.current()
            yield from self._service(caddie)
        except Exception as exc:  # noqa: BLE001 - a scrape must answer even when the models cannot
            log.warning("metrics: the service cannot say its model age: %s", type(exc).__name__)
        if self.engine is not None:
            yield from self._accuracy()

    def _jobs(self) -> GaugeMetricFamily:
        family = GaugeMetricFamily("caddie_job_last_success_timestamp_seconds",
                                   "Unix time of each scheduled job's last successful run", labels=("job",))
        for job, at in sorted(_last_success.items()):
            family.add_metric((job,), at)
        return family

    def _service(self, caddie: Any) -> Iterator[GaugeMetricFamily]:
        age = GaugeMetricFamily("caddie_model_age_seconds", "Seconds since each model was trained", labels=("task",))
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        for card in caddie.model_cards():
            trained = card.trained_at.astimezone(timezone.utc).replace(tzinfo=None) if card.trained_at.tzinfo \
                else card.trained_at
            age.add_metric((card.task,), max(0.0, (now - trained).total_seconds()))
        yield age
        yield GaugeMetricFamily("caddie_data_age_days", "Days from the last day of sales data to today",
                                value=float((self.today() - caddie.as_of).days))

    def _accuracy(self) -> Iterator[GaugeMetricFamily]:
        from ml.live_accuracy import accuracy, create_tables

        families = {name: GaugeMetricFamily(f"caddie_live_{name}", text, labels=("window_days",)) for name, text in (
            ("wape", "Realised WAPE of the forecasts served (absolute errors over units sold)"),
            ("bias", "Realised bias of the forecasts served ((forecast - sold) / sold)"),
            ("coverage", "Share of the realised sales inside their forecast interval"),
            ("scored", "Forecasts (day, scope, product) with known sales"))}
        try:
            engine = self.engine()
            create_tables(engine)
            end = self.today() - timedelta(days=1)
            for window in (7, 28):
                summary = accuracy(engine, end - timedelta(days=window - 1), end)
                families["scored"].add_metric((str(window),), summary.n)
                for name in ("wape", "bias", "coverage"):
                    value = getattr(summary, name)
                    if value is not None:
                        families[name].add_metric((str(window),), value)
        except Exception as exc:  # noqa: BLE001 - database down: the other metrics still answer
            log.warning("metrics: live accuracy unavailable: %s", type(exc).__name__)
            return
        yield from families.values()


_service_collector: ServiceCollector | None = None


def watch_service(caddies: CaddieProvider, engine: Callable[[], Engine] | None = None,
                  today: Callable[[], date] | None = None) -> ServiceCollector:
    """Registers (or replaces) the collector reading the service answering now and the live-accuracy tables."""
    global _service_collector
    if _service_collector is not None:
        REGISTRY.unregister(_service_collector)
    _service_collector = ServiceCollector(caddies, engine, today)
    REGISTRY.register(_service_collector)
    return _service_collector
