"""Delivering answers: the command's response_url and chart uploads. Failures are logged without the payload."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.i18n import t

log = logging.getLogger(__name__)


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
    respond_safely(respond, text=t(key, lang, error=error), blocks=None, response_type="ephemeral")
    return False


def respond_safely(respond: Respond, *, text: str, blocks: list[dict[str, Any]] | None, response_type: str) -> None:
    """Posts to the command's response_url; a delivery failure is logged (the user cannot be told otherwise)."""
    try:
        response = respond(text=text, blocks=blocks, response_type=response_type, replace_original=False)
    except Exception as exc:  # noqa: BLE001 - network errors: log with trace
        log.error("response_url delivery failed: %s", type(exc).__name__, exc_info=exc)
        return
    if response.status_code != 200:
        log.error("response_url answered %s", response.status_code)
