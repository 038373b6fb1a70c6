"""Global shortcuts: "simulate a customer" opens the what-if form."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.listeners.views import open_profile_modal

SIMULATE_SHORTCUT_ID = "simulate_customer"


def register(app: App) -> None:
    @app.shortcut(SIMULATE_SHORTCUT_ID)
    def simulate_customer(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ack()
        open_profile_modal(context, client, body.get("trigger_id", ""))
