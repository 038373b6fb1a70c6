"""Every forecast the bot serves (Slack, REST API) or posts is logged for live accuracy (:mod:`ml.live_accuracy`).

:class:`RecordingCaddies` wraps the service provider: the forecasts its service answers (``forecast`` and
``forecast_top``) are logged with where they went (the ``channel`` context variable set per request, see
:mod:`bot.logging_json`), then returned unchanged. Logging never stops an answer: a database failure is logged
(its type only) and the answer goes out. After each model refresh, :func:`score_served` computes the realised
error of the forecasts whose sales just arrived.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot import metrics
from bot.logging_json import channel as channel_var
from bot.refresh import CaddieProvider
from ml import live_accuracy
from ml.results import ForecastResult
from ml.scopes import key

if TYPE_CHECKING:
    from ml.service import Caddie

log = logging.getLogger(__name__)


class ServedLog:
    """Writes served forecasts to ``served_forecasts``; connects (and creates the tables) on first use."""

    def __init__(self, database_url: str | None = None, engine: Engine | None = None):
        assert database_url is not None or engine is not None
        self._url, self._engine = database_url, engine
        self._ready = False
        self._lock = threading.Lock()

    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                from bot.database import make_engine

                self._engine = make_engine(self._url)  # type: ignore[arg-type]
            if not self._ready:
                live_accuracy.create_tables(self._engine)
                self._ready = True
            return self._engine

    def record(self, results: Iterable[ForecastResult], where: str | None = None) -> int:
        """Logs the requested day of each result as served to ``where`` (default: the request's channel)."""
        where = where or channel_var.get() or "unknown"
        rows = [served_row(r, where) for r in results]
        if not rows:
            return 0
        try:
            written = live_accuracy.record_served(self.engine(), rows)
        except (SQLAlchemyError, OSError) as exc:
            log.warning("served forecasts not logged (live accuracy will miss them): %s", type(exc).__name__)
            return 0
        metrics.SERVED.labels(where[:metrics.NAME_LIMIT]).inc(written)
        return written


def served_row(result: ForecastResult, where: str) -> live_accuracy.ServedForecast:
    level, name = key(result.scope)
    point = result.requested
    return live_accuracy.ServedForecast(where, level, name, result.product.product_id, point.day, point.mean,
                                        point.lower, point.upper, result.level, result.model, result.as_of)


class _RecordingCaddie:
    """The service, with its forecasts logged as they are answered (every other attribute passes through)."""

    def __init__(self, caddie: Caddie, served: ServedLog):
        self._caddie, self._served = caddie, served

    def __getattr__(self, name: str) -> Any:
        return getattr(self._caddie, name)

    def forecast(self, *args: Any, **kwargs: Any) -> ForecastResult:
        result = self._caddie.forecast(*args, **kwargs)
        self._served.record([result])
        return result

    def forecast_top(self, *args: Any, **kwargs: Any) -> list[ForecastResult]:
        results = self._caddie.forecast_top(*args, **kwargs)
        self._served.record(results)
        return results


class RecordingCaddies:
    """A :class:`~bot.refresh.CaddieProvider` whose service logs the forecasts it answers."""

    def __init__(self, inner: CaddieProvider, served: ServedLog):
        self.inner, self.served = inner, served

    def current(self) -> Caddie:
        return _RecordingCaddie(self.inner.current(), self.served)  # type: ignore[return-value]


def recording(caddies: CaddieProvider, database_url: str, served: ServedLog | None = None) -> CaddieProvider:
    """``caddies`` logging its forecasts to ``database_url`` (unchanged if it already does)."""
    if isinstance(caddies, RecordingCaddies):
        return caddies
    return RecordingCaddies(caddies, served or ServedLog(database_url))


def unwrapped(caddie: Any) -> Caddie:
    """The service itself (no logging), for work that is not an answer (scoring, metrics)."""
    return caddie._caddie if isinstance(caddie, _RecordingCaddie) else caddie


def score_served(engine: Engine, caddie: Caddie) -> int:
    """Realised errors of the forecasts for days the data ``caddie`` was trained on now covers. Never raises."""
    caddie = unwrapped(caddie)
    try:
        live_accuracy.create_tables(engine)
        scored = live_accuracy.score(engine, caddie.sold, caddie.as_of)
    except (SQLAlchemyError, OSError) as exc:
        log.error("live accuracy not computed (retried after the next refresh): %s", type(exc).__name__)
        return 0
    log.info("live accuracy: %d forecasts scored against sales up to %s", scored, caddie.as_of)
    return scored


def refresh_then_score(refresh: Callable[[], bool], caddies: CaddieProvider, engine: Callable[[], Engine],
                       after: Callable[[], object] | None = None) -> Callable[[], bool]:
    """The nightly refresh, then the scoring of the forecasts the new sales settle, then ``after`` (the alerts);
    the job's run is counted (``caddie_job_runs``)."""

    def run() -> bool:
        swapped = refresh()
        metrics.job_run("refresh_models", "ok" if swapped else "failed")
        try:
            score_served(engine(), caddies.current())
        except Exception as exc:  # noqa: BLE001 - a scheduler thread has nobody to raise to
            log.error("live accuracy scoring failed: %s", type(exc).__name__)
        if after is not None:
            after()
        return swapped

    return run
