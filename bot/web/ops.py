"""Operators' routes: ``/metrics`` (Prometheus), ``/healthz`` (the process answers) and ``/readyz`` (models loaded,
database reachable); and :func:`instrument`, the middleware giving every HTTP request an id (``X-Request-ID``, in
its log lines) and counting and timing it by route template and status.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import text
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot import metrics
from bot.logging_json import request_context
from bot.web.state import web_state

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
OPS_ROUTES = ("/metrics", "/healthz", "/readyz")  # not counted: Prometheus and probes call them all day


@router.get("/metrics")
def prometheus_metrics() -> Response:
    return Response(metrics.exposition(), media_type=metrics.CONTENT_TYPE)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up and its event loop answers (nothing else is checked: a restart would not help)."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """Ready to answer: the models are loaded and the database answers. 503 with what is missing otherwise."""
    state = web_state(request)
    checks = {"models": _models_loaded(state), "database": _database_reachable(state.settings.database_url)}
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                        status_code=200 if ready else 503)


def _models_loaded(state: Any) -> str:
    try:
        caddie = state.caddies.current()
        return "ok" if caddie.model_cards() else "no model loaded"
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return f"models unavailable ({type(exc).__name__})"


def _database_reachable(database_url: str) -> str:
    from bot.database import describe_database_error
    from bot.live_report import engine_for

    try:
        with engine_for(database_url).connect() as conn:
            conn.execute(text("SELECT 1"))
        return "ok"
    except Exception as exc:  # noqa: BLE001 - reported, not raised (DATABASE_URL named, no SQL)
        return f"DATABASE_URL: {describe_database_error(exc)}"


def _channel(path: str) -> str:
    """Where an API answer goes, for the served-forecast log: its first two path segments (``/v1/forecasts``),
    never the rest (which may name a customer)."""
    return "api:/" + "/".join(path.strip("/").split("/")[:2])


class RequestMetrics:
    """Pure ASGI middleware: a request id per HTTP request (the client's ``X-Request-ID`` when well-formed),
    echoed in the response; the request counted and timed by route template (never the raw path) and status."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or ()).get(b"x-request-id", b"").decode("latin-1")
        status = {"code": 500}
        start = time.perf_counter()
        with request_context(_channel(scope.get("path", "")), given if _REQUEST_ID.match(given) else None) as rid:

            async def send_with_id(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status["code"] = message["status"]
                    message["headers"] = [*message.get("headers", ()), (b"x-request-id", rid.encode())]
                await send(message)

            try:
                await self.app(scope, receive, send_with_id)
            finally:
                route = scope.get("route")
                name = getattr(route, "path", None) or "unmatched"
                if name not in OPS_ROUTES:
                    metrics.observe_request("http", f"{scope.get('method', '?')} {name}", status["code"],
                                            time.perf_counter() - start)


def instrument(app: FastAPI) -> FastAPI:
    """Adds :class:`RequestMetrics` to ``app``, logs the forecasts its API answers (live accuracy) and points
    ``/metrics`` at its service (model age, data freshness, live accuracy). Call once, after ``app.state.web``."""
    from bot.live_report import engine_for
    from bot.served import recording

    state = web_state_of(app)
    settings = state.settings
    state.caddies = recording(state.caddies, settings.database_url)
    metrics.watch_service(state.caddies, lambda: engine_for(settings.database_url), settings.current_day)
    app.add_middleware(RequestMetrics)
    return app


def web_state_of(app: FastAPI) -> Any:
    return app.state.web
