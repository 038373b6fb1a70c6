"""Events: the App Home tab."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot import dispatch
from bot.listeners.context import caddie_of, settings_of

HOME_FORECASTS = 5


def register(app: App) -> None:
    @app.event("app_home_opened")
    def publish_home(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if event.get("tab", "home") != "home":
            return
        view = dispatch.home(caddie_of(context), lang=settings_of(context).language, n=HOME_FORECASTS)
        client.views_publish(user_id=event["user"], view=view)
