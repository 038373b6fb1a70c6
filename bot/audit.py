"""The audit log of answers about customers: who asked (user, workspace, channel), how, when, about whom.

One row is written for every customer-level answer, before the answer is delivered: when the row cannot be
written (database down, read-only), the answer is not delivered (:class:`AuditUnavailable`). Answering without
a trace would break the promise that every look-up at a customer's data can be accounted for.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import SQLAlchemyError

from bot.database import audit_log, make_engine
from bot.post_claims import utcnow

log = logging.getLogger(__name__)


class AuditUnavailable(Exception):
    """The audit row could not be written: customer answers are withheld."""


@dataclass(frozen=True)
class Requester:
    """Who is asking, from where, and through what (``how``: command, shortcut, modal or console)."""

    user_id: str
    team_id: str
    channel_id: str
    how: str


@dataclass(frozen=True)
class AuditEntry:
    requester: Requester
    command: str  # "recommend", "predict", "target"
    customer_id: str | None = None
    product: str | None = None
    customer_count: int | None = None


class AuditLog:
    """Writes :class:`AuditEntry` rows to ``audit_log``; connects (and creates the table) on first use, so that
    a database down at start-up does not stop the bot, only the customer answers."""

    def __init__(self, database_url: str, engine: Engine | None = None):
        self._url = database_url
        self._engine = engine
        self._lock = threading.Lock()

    def _connected(self) -> Engine:
        with self._lock:
            if self._engine is None:
                self._engine = make_engine(self._url)
            return self._engine

    def record(self, entry: AuditEntry, *, now: datetime | None = None) -> None:
        """Writes ``entry``; raises :class:`AuditUnavailable` (the cause logged without its data) on failure."""
        req = entry.requester
        row = {"at": now or utcnow(), "user_id": req.user_id, "team_id": req.team_id, "channel_id": req.channel_id,
               "how": req.how, "command": entry.command, "customer_id": entry.customer_id,
               "product": entry.product, "customer_count": entry.customer_count}
        try:
            with self._connected().begin() as conn:
                conn.execute(insert(audit_log).values(**row))
        except (SQLAlchemyError, OSError) as exc:
            log.error("audit log unavailable, customer answer withheld: %s", type(exc).__name__)
            raise AuditUnavailable(type(exc).__name__) from exc

    def entries(self) -> list[dict[str, object]]:
        """Every row, oldest first (for reviews and tests)."""
        with self._connected().connect() as conn:
            rows = conn.execute(select(audit_log).order_by(audit_log.c.id)).mappings().all()
        return [dict(row) for row in rows]
