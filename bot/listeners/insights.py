"""``/abtest``, ``/client`` and the 👍/👎 buttons under recommendations: ack at once, the work in lazy listeners."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.audit import Requester
from bot.errors import INSIGHT_COMMANDS, user_message
from bot.i18n import t
from bot.insights import DatabaseUnavailable, insights_for
from bot.insights_answers import answer_insight
from bot.insights_rendering import VOTE_DOWN, VOTE_UP, parse_vote_value
from bot.listeners.context import caddie_of, gate_of, settings_of
from bot.listeners.delivery import post_chart, respond_safely

log = logging.getLogger(__name__)

SLASH_COMMANDS: tuple[str, ...] = tuple(f"/{name}" for name in INSIGHT_COMMANDS)


def _ack(ack: Ack) -> None:
    ack()


def answer_command(body: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext) -> None:
    settings = settings_of(context)
    lang = settings.language
    try:
        requester = Requester(user_id=body.get("user_id", ""), team_id=body.get("team_id", ""),
                              channel_id=body.get("channel_id", ""), how="command")
        reply = answer_insight(body.get("command", ""), body.get("text", "") or "", caddie_of(context),
                               gate_of(context), requester, insights_for(settings.database_url), lang=lang)
    except Exception as exc:  # noqa: BLE001 - answer_insight() should not raise; if it does, the user hears back
        respond_safely(respond, text=user_message(exc, lang), blocks=None, response_type="ephemeral")
        return
    respond_safely(respond, text=reply.text, blocks=reply.blocks,
                   response_type="in_channel" if reply.in_channel else "ephemeral")
    if reply.chart_png is not None:
        post_chart(client, respond, channel=body.get("channel_id", ""), png=reply.chart_png,
                   filename=reply.chart_filename or "client.png", title=reply.chart_title or "", lang=lang)


def record_vote(body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    settings = settings_of(context)
    lang = settings.language
    action = (body.get("actions") or [{}])[0]
    parsed = parse_vote_value(action.get("value", ""))
    if parsed is None:
        log.warning("vote with an unreadable value ignored")
        return
    customer, product, name = parsed
    vote = 1 if action.get("action_id") == VOTE_UP else -1
    try:
        insights_for(settings.database_url).vote(customer, product, vote, (body.get("user") or {}).get("id", ""))
    except DatabaseUnavailable:
        respond_safely(respond, text=t("vote.failed", lang), blocks=None, response_type="ephemeral")
        return
    key = "vote.thanks_up" if vote > 0 else "vote.thanks_down"
    respond_safely(respond, text=t(key, lang, product=name, customer=customer), blocks=None,
                   response_type="ephemeral")


def register(app: App) -> None:
    for command in SLASH_COMMANDS:
        app.command(command)(ack=_ack, lazy=[answer_command])
    for action_id in (VOTE_UP, VOTE_DOWN):
        app.action(action_id)(ack=_ack, lazy=[record_vote])
