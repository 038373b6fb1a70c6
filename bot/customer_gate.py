"""Answers about customers go through one gate: access check, answer, audit row, then delivery.

- a refused request gets a polite notice saying where to ask (:class:`bot.access.AccessPolicy`);
- an allowed one is answered, then recorded in the audit log (:mod:`bot.audit`); when the row cannot be
  written the answer is withheld and the user is told to retry;
- the answer is ephemeral (seen by the asker only) unless ``CUSTOMER_ANSWERS_IN_CHANNEL`` is true.

Other commands pass straight through to :func:`bot.dispatch.answer`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot import dispatch
from bot.access import AccessPolicy, Refusal, is_customer_level
from bot.channels import Where
from bot.audit import AuditEntry, AuditLog, AuditUnavailable, Requester
from bot.commands import Command, PredictCommand, RecommendCommand, TargetCommand
from bot.i18n import t
from bot.rendering import notice_blocks
from bot.settings import BotSettings

if TYPE_CHECKING:
    from ml.service import Caddie

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CustomerGate:
    policy: AccessPolicy
    audit: AuditLog
    in_channel: bool = False  # CUSTOMER_ANSWERS_IN_CHANNEL

    def __deepcopy__(self, memo: dict) -> CustomerGate:
        return self  # a shared service (Bolt deep-copies the context for lazy listeners)

    def answer(self, parsed: dispatch.Parsed, caddie: Caddie, requester: Requester, *, lang: str = "fr",
               where: Where = Where()) -> dispatch.Reply:
        """The reply to ``parsed`` for ``requester`` (typed ``where``: its channel's store). Never raises."""
        if not is_customer_level(parsed.command):
            return dispatch.answer(parsed, caddie, lang=lang, where=where)
        refusal = self.policy.refusal(requester)
        if refusal is not None:
            log.info("customer answer refused (%s): user %s, team %s, channel %s", refusal.key, requester.user_id,
                     requester.team_id, requester.channel_id)
            return _refusal_notice(refusal, lang)
        reply = dispatch.answer(parsed, caddie, lang=lang, where=where)
        assert parsed.command is not None
        try:
            self.audit.record(audit_entry(parsed.command, requester, reply))
        except AuditUnavailable:
            return _notice(t("access.audit_down", lang), lang)
        log.debug("customer answer (%s) audited: user %s, channel %s", parsed.name, requester.user_id,
                  requester.channel_id)
        return replace(reply, in_channel=reply.in_channel and self.in_channel)


def console_gate(settings: BotSettings) -> CustomerGate:
    """The gate of the local console: no channel rules (an operator on the machine), the same audit log."""
    return CustomerGate(AccessPolicy(settings), AuditLog(settings.database_url), in_channel=True)


def audit_entry(command: Command, requester: Requester, reply: dispatch.Reply) -> AuditEntry:
    """What the audit keeps of a customer-level answer: the customer asked about, or the product and count."""
    name = {RecommendCommand: "recommend", PredictCommand: "predict", TargetCommand: "target"}[type(command)]
    customer = getattr(command, "customer_id", None)
    product = getattr(command, "product", None)
    return AuditEntry(requester, name, customer_id=customer, product=product, customer_count=reply.customer_count)


def _notice(message: str, lang: str) -> dispatch.Reply:
    text, blocks = notice_blocks(message, lang)
    return dispatch.Reply(text=text, blocks=blocks)


def _refusal_notice(refusal: Refusal, lang: str) -> dispatch.Reply:
    """The refusal, with Slack links to the channels and groups where to ask (catalogue text and settings only:
    nothing the user typed, so nothing to escape)."""
    message = refusal.message(lang)
    return dispatch.Reply(text=message, blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": message}}])
