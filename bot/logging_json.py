"""Logs as JSON lines (``LOG_FORMAT=json``) carrying the id of the request being answered, and no customer data.

A request id is set per Slack request (:func:`bot.metrics.slack_middleware`) and per HTTP request
(:mod:`bot.web.ops`) in a context variable; every log line written while answering carries it, including the
lines of Bolt's lazy listeners (their thread pool copies the context: :class:`ContextExecutor`). Scheduled jobs
get one id per run. The ``channel`` variable names where an answer goes (``slack:/prevision``, ``api:/v1/...``,
``post:logistics``) for the served-forecast log (:mod:`bot.served`).

What a line holds: time, level, logger, the message (caddie's own messages never quote what a user typed or
what the bot answered; the Slack libraries' payloads are dropped by :mod:`bot.logs`), the request id, and for
an exception its type and stack -- never its message, which may quote a customer's data.
"""

from __future__ import annotations

import contextvars
import json
import logging
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, Literal

from bot.logs import keep_payloads_out_of_logs, trace_without_message

LogFormat = Literal["json", "text"]

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("caddie_request_id", default=None)
channel: contextvars.ContextVar[str | None] = contextvars.ContextVar("caddie_channel", default=None)

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


@contextmanager
def request_context(where: str | None = None, rid: str | None = None) -> Iterator[str]:
    """Sets a request id (a new one unless ``rid``) and the answer's ``where`` for the duration of the block."""
    rid = rid or new_request_id()
    tokens = [(request_id, request_id.set(rid))]
    if where is not None:
        tokens.append((channel, channel.set(where)))
    try:
        yield rid
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` ("-" outside a request) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, request_id (+ error type and stack, no message)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id.get(),
        }
        where = channel.get()
        if where:
            entry["channel"] = where
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            entry["error"] = type(exc).__name__
            entry["stack"] = trace_without_message(exc)
        return json.dumps(entry, ensure_ascii=False)


def configure(level: str, fmt: LogFormat = "text") -> None:
    """The process's logging: ``level`` for caddie, one handler on stderr in ``fmt``, payload-free Slack loggers."""
    root = logging.getLogger()
    root.setLevel(level.upper())
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    for old in list(root.handlers):
        if getattr(old, "_caddie", False):
            root.removeHandler(old)
    handler._caddie = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    keep_payloads_out_of_logs()


class ContextExecutor(Executor):
    """Runs each task in the submitter's context (its request id and channel) on ``inner`` (default: a pool of
    10 threads, as Bolt's own): Bolt's lazy listeners then log with the id of the request they answer."""

    def __init__(self, inner: Executor | None = None):
        self.inner = inner if inner is not None else ThreadPoolExecutor(max_workers=10, thread_name_prefix="listener")

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        context = contextvars.copy_context()

        def in_context(*a: Any, **k: Any) -> Any:
            return context.run(fn, *a, **k)

        # keep what tells Bolt's ack phase from a lazy answer (bot.listener_pool.is_lazy_answer)
        in_context.__module__ = getattr(fn, "__module__", in_context.__module__)
        if hasattr(fn, "__wrapped__"):
            in_context.__wrapped__ = fn.__wrapped__  # type: ignore[attr-defined]
        return self.inner.submit(in_context, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.inner.shutdown(wait=wait, cancel_futures=cancel_futures)
