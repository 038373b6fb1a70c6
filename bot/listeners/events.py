"""Events: the App Home tab."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot import dispatch
from bot.home_rendering import HomeAccuracy
from bot.live_report import engine_for, home_accuracy
from bot.listeners.context import caddie_of, settings_of

HOME_FORECASTS = 5


def register(app: App) -> None:
    @app.event("app_home_opened")
    def publish_home(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if event.get("tab", "home") != "home":
            return
        settings = settings_of(context)
        view = dispatch.home(caddie_of(context), lang=settings.language, n=HOME_FORECASTS,
                             live=_live_accuracy(settings.database_url, settings.current_day()))
        client.views_publish(user_id=event["user"], view=view)


def _live_accuracy(database_url: str, today: date) -> HomeAccuracy | None:
    """The accuracy of the forecasts served, for the tab; None (the test figures instead) when the database
    cannot say."""
    try:
        return home_accuracy(engine_for(database_url), today)
    except Exception as exc:  # noqa: BLE001 - the tab still opens without it
        logging.getLogger(__name__).warning("Home tab without live accuracy: %s", type(exc).__name__)
        return None
