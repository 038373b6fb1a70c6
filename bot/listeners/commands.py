"""Slash commands: a plain ``ack()`` at once, the answer in a lazy listener, from the command parsed once.

Customer-level commands go through the :class:`~bot.customer_gate.CustomerGate` (access, audit, ephemeral).
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot import dispatch
from bot.errors import SLASH_COMMANDS, user_message
from bot.audit import Requester
from bot.listeners.context import PARSED, caddie_of, gate_of, settings_of, where_of
from bot.listeners.delivery import post_chart, respond_safely
from bot.listeners.views import open_profile_modal

__all__ = ["SLASH_COMMANDS", "register"]


def acknowledge(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
    ack()
    parsed: dispatch.Parsed = context[PARSED]
    if parsed.wants_profile_modal:  # the trigger_id expires 3 s after the user's action: open the modal now
        open_profile_modal(context, client, body.get("trigger_id", ""), respond)


def answer_command(body: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext) -> None:
    lang = settings_of(context).language
    try:
        requester = Requester(user_id=body.get("user_id", ""), team_id=body.get("team_id", ""),
                              channel_id=body.get("channel_id", ""), how="command")
        reply = gate_of(context).answer(context[PARSED], caddie_of(context), requester, lang=lang,
                                        where=where_of(context, body))
    except Exception as exc:  # noqa: BLE001 - answer() should not raise; if it does, the user still hears back
        respond_safely(respond, text=user_message(exc, lang), blocks=None, response_type="ephemeral")
        return
    if reply.open_modal:
        return  # the ack phase opened the modal: it is the answer
    respond_safely(respond, text=reply.text, blocks=reply.blocks,
                   response_type="in_channel" if reply.in_channel else "ephemeral")
    if reply.chart_png is not None:
        post_chart(client, respond, channel=body.get("channel_id", ""), png=reply.chart_png,
                   filename=reply.chart_filename or "forecast.png", title=reply.chart_title or "", lang=lang)


def register(app: App) -> None:
    for command in SLASH_COMMANDS:
        app.command(command)(ack=acknowledge, lazy=[answer_command])
