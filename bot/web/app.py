"""The web service factory: :func:`create_web_app` builds ONE FastAPI app serving Slack, the REST API and the
operators' pages.

Router modules are listed in one place, :data:`ROUTER_MODULES`: each holds ``router = fastapi.APIRouter()``
and is included as is. Routes read the service and the settings from ``request.app.state.web``
(:class:`bot.web.state.WebState`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from fastapi import FastAPI

from bot.audit import AuditLog
from bot.refresh import CaddieProvider
from bot.settings import BotSettings
from bot.web.settings import WebSettings
from bot.web.state import WebState

if TYPE_CHECKING:
    from slack_bolt import App

    from bot.api_keys import ApiKeys

# every router of the service, in the order they are included (add yours here)
ROUTER_MODULES: tuple[str, ...] = (
    "bot.web.slack",       # POST /slack/events
    "bot.web.routes_api",  # /v1/... REST API
    "bot.web.ops",         # /metrics, /healthz, /readyz
    "bot.web.insights",    # /v1/experiments/..., /dashboard
)


def create_web_app(settings: BotSettings, provider: CaddieProvider, *, web: WebSettings | None = None,
                   slack_app: App | None = None, keys: ApiKeys | None = None,
                   audit: AuditLog | None = None) -> FastAPI:
    """The service. ``slack_app``: the Bolt app serving ``/slack/events`` (default: made from ``settings`` when
    the Slack tokens are there, else none: the REST API alone). ``keys`` and ``audit`` default to the tables
    of ``DATABASE_URL`` (connected on first use: the service starts with the database down)."""
    from bot.api_keys import ApiKeys
    from bot.web.limits import RateLimiter

    web = web or WebSettings()
    audit = audit or AuditLog(settings.database_url)
    if slack_app is None and settings.slack_bot_token and settings.slack_signing_secret:
        from bot.app import create_app

        slack_app = create_app(settings, provider, audit=audit)
    app = FastAPI(title="caddie", version="1", description=_DESCRIPTION, docs_url="/docs",
                  openapi_url="/openapi.json", redoc_url=None)
    app.state.web = WebState(settings=settings, web=web, caddies=provider, audit=audit,
                             keys=keys or ApiKeys(settings.database_url),
                             limiter=RateLimiter(web.api_rate_per_second, web.api_rate_burst), slack=slack_app)
    for name in ROUTER_MODULES:
        app.include_router(importlib.import_module(name).router)
    from bot.web.problems import install_problem_handlers

    install_problem_handlers(app)
    return app


_DESCRIPTION = """caddie's REST API: demand forecasts, order proposals and model cards (scope `products`);
recommendations, purchase propensity and targets (scope `customers`, every call written to the audit log).

Authenticate with `Authorization: Bearer <key>` (keys are made with `python -m bot.api_keys create`).
Errors are RFC 9457 problem details (`application/problem+json`), in French or English (`Accept-Language`)."""
