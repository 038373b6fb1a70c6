"""Logging without customer data, at every level.

The Slack libraries log whole requests at DEBUG: command text, replies (customer ids, purchase histories) and
``response_url`` (a bearer URL: whoever holds it can answer in the channel for 30 minutes). Their loggers are
held at INFO whatever ``LOG_LEVEL`` says, and the Bolt app's own logger drops any record that carries a
payload. caddie's own log lines name error types, ids of errors, channels and dates -- never what a user typed
or what the bot answered.
"""

from __future__ import annotations

import logging
import traceback

PAYLOAD_LOGGERS = ("slack_sdk", "slack_bolt", "bot.slack")
_PAYLOAD_MARKS = ("response_url", "'text'", '"text"', "hooks.slack.com", "/response/", "trigger_id")


class DropPayloads(logging.Filter):
    """Rewrites a record that carries a Slack payload to a line that says one was dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string: say so rather than lose the record
            message = str(record.msg)
        if any(mark in message for mark in _PAYLOAD_MARKS):
            record.msg, record.args = "(Slack payload of %d characters not logged)", (len(message),)
            record.exc_info, record.exc_text = None, None
        return True


def keep_payloads_out_of_logs() -> None:
    """Holds the Slack libraries' loggers at INFO or above and filters the Bolt app's logger. Idempotent."""
    for name in PAYLOAD_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level < logging.INFO:
            logger.setLevel(logging.INFO)
        if not any(isinstance(f, DropPayloads) for f in logger.filters):
            logger.addFilter(DropPayloads())


def configure(level: str) -> None:
    """The bot's logging: ``level`` for caddie, payload-free Slack libraries."""
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    keep_payloads_out_of_logs()


def trace_without_message(exc: BaseException) -> str:
    """Where ``exc`` was raised (the stack) without its message, which may quote a customer's data."""
    return "".join(traceback.format_tb(exc.__traceback__)).rstrip() or "(no stack)"
