"""Slack listeners, grouped by kind: slash commands, views (modals), events, shortcuts.

Thin on purpose: parsing, service calls, rendering and error wording live in bot-core
(``dispatch``, ``commands``, ``rendering``, ``errors``, ``i18n``). Here: Slack plumbing only.
The service reaches the listeners through Bolt's context (:mod:`bot.listeners.context`).
Every failure is logged and turned into a message the user sees; nothing is dropped silently.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.channels import ChannelStores
from bot.customer_gate import CustomerGate
from bot.listeners import commands, context, events, insights, shortcuts, views
from bot.listeners.commands import SLASH_COMMANDS as _DISPATCHED
from bot.listeners.shortcuts import SIMULATE_SHORTCUT_ID
from bot.refresh import CaddieProvider
from bot.settings import BotSettings

__all__ = ["SIMULATE_SHORTCUT_ID", "SLASH_COMMANDS", "register"]

SLASH_COMMANDS: tuple[str, ...] = (*_DISPATCHED, *insights.SLASH_COMMANDS)


def register(app: App, caddies: CaddieProvider, settings: BotSettings, gate: CustomerGate,
             channels: ChannelStores | None = None) -> None:
    """Registers every listener of caddie on ``app``, and the middleware handing them the service, the gate and
    the channel -> store links."""
    app.middleware(context.inject(caddies, settings, gate, channels))
    for kind in (commands, views, events, shortcuts, insights):
        kind.register(app)

    @app.error
    def on_error(error: Exception, body: dict[str, Any], logger: logging.Logger) -> None:
        kind = body.get("command") or body.get("type") or (body.get("event") or {}).get("type")
        logger.error("unhandled error while handling %s: %s", kind, type(error).__name__, exc_info=error)
