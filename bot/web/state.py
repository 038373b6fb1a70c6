"""What every route finds in ``request.app.state.web``, and the FastAPI dependencies reading it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fastapi import Request

from bot.audit import AuditLog
from bot.refresh import CaddieProvider
from bot.settings import BotSettings
from bot.web.settings import WebSettings

if TYPE_CHECKING:
    from slack_bolt import App

    from bot.api_keys import ApiKeys
    from bot.web.limits import RateLimiter
    from ml.service import Caddie


@dataclass
class WebState:
    settings: BotSettings
    web: WebSettings
    caddies: CaddieProvider
    audit: AuditLog
    keys: ApiKeys
    limiter: RateLimiter
    slack: App | None = None  # None: no Slack tokens, the REST API alone
    extras: dict[str, object] = field(default_factory=dict)  # for other modules' own state (metrics, experiments)


def web_state(request: Request) -> WebState:
    return request.app.state.web


def current_caddie(request: Request) -> Caddie:
    """The service answering now (a model refresh swaps it between requests, never within one)."""
    return web_state(request).caddies.current()
