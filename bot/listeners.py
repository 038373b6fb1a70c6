"""Slack listeners: acknowledge at once, hand the work to :func:`bot.dispatch.handle`, deliver the reply.

Thin on purpose: parsing, service calls, rendering and error wording live in bot-core
(``dispatch``, ``commands``, ``rendering``, ``errors``, ``i18n``). Here: Slack plumbing only.
Every failure is logged and turned into a message the user sees; nothing is dropped silently.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot import dispatch
from bot.commands import ProfileCommand, parse_command
from bot.errors import COMMANDS, BotError, user_message
from bot.forms import PROFILE_CALLBACK_ID
from bot.i18n import t
from bot.settings import BotSettings

if TYPE_CHECKING:
    from ml.service import Caddie

log = logging.getLogger(__name__)

SLASH_COMMANDS = tuple(f"/{name}" for name in COMMANDS)
SIMULATE_SHORTCUT_ID = "simulate_customer"
MODAL_PRODUCTS = 25  # Slack static_select menus hold at most 100 options; 25 keeps the menu readable
HOME_FORECASTS = 5

def register(app: App, caddie: Caddie, settings: BotSettings) -> None:
    """Registers every listener of caddie on ``app``."""
    lang = settings.language

    def wants_profile_modal(body: dict[str, Any]) -> bool:
        """``/predict profil``: answered with the what-if modal instead of a message."""
        try:
            parsed = parse_command(body.get("command", ""), body.get("text", "") or "", settings.current_day())
        except BotError:
            return False  # the lazy listener explains the mistake
        return isinstance(parsed, ProfileCommand)

    def acknowledge(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        if wants_profile_modal(body):  # the trigger_id expires 3 s after the user's action: open the modal now
            open_profile_modal(client, body.get("trigger_id", ""), respond)

    def answer_command(body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        command, text = body.get("command", ""), body.get("text", "") or ""
        try:
            reply = dispatch.handle(command, text, caddie, lang=lang, today=settings.current_day())
        except Exception as exc:  # noqa: BLE001 - handle() should not raise; if it does, the user still hears back
            _respond(respond, text=user_message(exc, lang), blocks=None, response_type="ephemeral")
            return
        if reply.open_modal:
            return  # the ack phase opened the modal: it is the answer
        _respond(respond, text=reply.text, blocks=reply.blocks,
                 response_type="in_channel" if reply.in_channel else "ephemeral")
        if reply.chart_png is not None:
            post_chart(client, respond, channel=body.get("channel_id", ""), png=reply.chart_png,
                       filename=reply.chart_filename or "forecast.png", title=reply.chart_title or "", lang=lang)

    for command in SLASH_COMMANDS:
        app.command(command)(ack=acknowledge, lazy=[answer_command])

    def open_profile_modal(client: WebClient, trigger_id: str, respond: Respond | None = None) -> None:
        try:
            client.views_open(trigger_id=trigger_id, view=dispatch.profile_form(caddie, lang=lang, n=MODAL_PRODUCTS))
        except Exception as exc:  # noqa: BLE001 - any failure becomes a message, with the trace in the log
            message = user_message(exc, lang)
            if respond is not None:
                _respond(respond, text=message, blocks=None, response_type="ephemeral")
            else:
                log.error("could not open the profile modal: %s", exc, exc_info=exc)

    @app.shortcut(SIMULATE_SHORTCUT_ID)
    def simulate_customer(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_profile_modal(client, body.get("trigger_id", ""))

    @app.view_submission(PROFILE_CALLBACK_ID)
    def submit_profile(ack: Ack, view: dict[str, Any]) -> None:
        ack(**dispatch.submit_profile(view["state"]["values"], caddie, lang=lang))

    @app.event("app_home_opened")
    def publish_home(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        client.views_publish(user_id=event["user"], view=dispatch.home(caddie, lang=lang, n=HOME_FORECASTS))

    @app.error
    def on_error(error: Exception, body: dict[str, Any], logger: logging.Logger) -> None:
        kind = body.get("command") or body.get("type") or (body.get("event") or {}).get("type")
        logger.error("unhandled error while handling %s: %s", kind, error, exc_info=error)


def post_chart(client: WebClient, respond: Respond, *, channel: str, png: bytes, filename: str, title: str,
               lang: str = "fr") -> bool:
    """Uploads the chart to ``channel``; on failure tells the user (ephemeral) and returns False."""
    try:
        first_line = (title.strip().splitlines() or [filename])[0]
        client.files_upload_v2(channel=channel, content=png, filename=filename, title=first_line[:200])
        return True
    except SlackApiError as exc:
        error = str(exc.response.get("error", "error"))
        log.warning("chart upload to %s failed: %s", channel, error)
        key = "chart.not_in_channel" if error in ("not_in_channel", "channel_not_found") else "chart.failed"
    except SlackClientError as exc:
        error = type(exc).__name__
        log.warning("chart upload to %s failed: %s", channel, exc, exc_info=exc)
        key = "chart.failed"
    _respond(respond, text=t(key, lang, error=error), blocks=None,
             response_type="ephemeral")
    return False


def _respond(respond: Respond, *, text: str, blocks: list[dict[str, Any]] | None, response_type: str) -> None:
    """Posts to the command's response_url; a delivery failure is logged (the user cannot be told otherwise)."""
    try:
        response = respond(text=text, blocks=blocks, response_type=response_type, replace_original=False)
    except Exception as exc:  # noqa: BLE001 - network errors: log with trace
        log.error("response_url delivery failed: %s", exc, exc_info=exc)
        return
    if response.status_code != 200:
        log.error("response_url answered %s: %s", response.status_code, response.body)
