"""Modals: the what-if profile form (opened by ``/predict profil`` and the shortcut) and its submission."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot import dispatch
from bot.errors import user_message
from bot.forms import PROFILE_CALLBACK_ID
from bot.listeners.context import caddie_of, settings_of
from bot.listeners.delivery import respond_safely

log = logging.getLogger(__name__)

MODAL_PRODUCTS = 25  # Slack static_select menus hold at most 100 options; 25 keeps the menu readable


def open_profile_modal(context: BoltContext, client: WebClient, trigger_id: str, respond: Respond | None = None
                       ) -> None:
    """Opens the what-if form; a failure is told to the user when there is a ``respond``, else logged."""
    lang = settings_of(context).language
    try:
        client.views_open(trigger_id=trigger_id, view=dispatch.profile_form(caddie_of(context), lang=lang,
                                                                            n=MODAL_PRODUCTS))
    except Exception as exc:  # noqa: BLE001 - any failure becomes a message, with the trace in the log
        if respond is not None:
            respond_safely(respond, text=user_message(exc, lang), blocks=None, response_type="ephemeral")
        else:
            log.error("could not open the profile modal: %s", type(exc).__name__, exc_info=exc)


def register(app: App) -> None:
    @app.view_submission(PROFILE_CALLBACK_ID)
    def submit_profile(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        ack(**dispatch.submit_profile(view["state"]["values"], caddie_of(context),
                                      lang=settings_of(context).language))
