"""From ``/abtest`` and ``/client`` to a reply: parse, check access, ask, render. Never raises.

``/client`` is customer-level: it goes through the same gate as ``/recommend`` (access policy, then an audit
row before the answer; no row, no answer; ephemeral unless ``CUSTOMER_ANSWERS_IN_CHANNEL``). Its timeline
chart is uploaded only when the answer is in the channel anyway: a file upload is seen by the whole channel.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.audit import AuditEntry, AuditUnavailable, Requester
from bot.dispatch import Reply, error_reply
from bot.errors import command_name
from bot.i18n import t
from bot.insights import DatabaseUnavailable, Insights
from bot.insights_charts import client_timeline_chart
from bot.insights_commands import AbtestCommand, ClientCommand, parse_abtest, parse_client
from bot.insights_rendering import client_card_blocks, help_blocks
from bot.rendering import notice_blocks

if TYPE_CHECKING:
    from bot.customer_gate import CustomerGate
    from ml.service import Caddie

log = logging.getLogger(__name__)


def answer_insight(command: str, text: str, caddie: Caddie, gate: CustomerGate, requester: Requester,
                   insights: Insights, *, lang: str = "fr") -> Reply:
    """The reply to ``/abtest`` or ``/client`` with arguments ``text``. Never raises."""
    name = command_name(command)
    try:
        parsed = parse_abtest(text) if name == "abtest" else parse_client(text)
        if isinstance(parsed, AbtestCommand):
            body, blocks = insights.abtest(parsed, caddie, lang)
            return Reply(text=body, blocks=blocks, in_channel=True)
        if isinstance(parsed, ClientCommand):
            return _client(parsed, caddie, gate, requester, insights, lang)
        body, blocks = help_blocks(name, lang)
        return Reply(text=body, blocks=blocks)
    except DatabaseUnavailable:
        return _notice(t("client.no_database", lang), lang)
    except Exception as exc:  # every failure becomes a message; unknown ones are logged with an id
        return error_reply(exc, lang, command=f"/{name}")


def _client(cmd: ClientCommand, caddie: Caddie, gate: CustomerGate, requester: Requester, insights: Insights,
            lang: str) -> Reply:
    refusal = gate.policy.refusal(requester)
    if refusal is not None:
        log.info("customer card refused (%s): user %s, team %s, channel %s", refusal.key, requester.user_id,
                 requester.team_id, requester.channel_id)
        message = refusal.message(lang)
        return Reply(text=message, blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": message}}])
    card = insights.card(cmd.customer_id, caddie)
    text, blocks = client_card_blocks(card, lang)
    try:
        gate.audit.record(AuditEntry(requester, "client", customer_id=card.customer_id))
    except AuditUnavailable:
        return _notice(t("access.audit_down", lang), lang)
    png = None
    if gate.in_channel:
        try:
            png = client_timeline_chart(card, lang)
        except Exception:
            log.exception("customer card chart failed")
    return Reply(text=text, blocks=blocks, in_channel=gate.in_channel, chart_png=png,
                 chart_filename=f"client-{card.customer_id}.png" if png else None,
                 chart_title=t("client.chart_title", lang, customer=card.customer_id) if png else None)


def _notice(message: str, lang: str) -> Reply:
    text, blocks = notice_blocks(message, lang)
    return Reply(text=text, blocks=blocks)
