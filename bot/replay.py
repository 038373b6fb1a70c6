"""Once only: a signed Slack request is handled once, however many times it arrives.

- A **replay** (the same body with the same timestamp, within the 5 minutes Slack's signature check accepts)
  is acknowledged and dropped. Requests are known by the SHA-256 of timestamp and body, kept in an expiring
  memory of this process AND in the ``seen_requests`` table of ``DATABASE_URL`` (primary key: a second
  process inserting the same key fails), so that two bot processes behind a load balancer answer once between
  them. With the database down, the memory alone (this process) keeps answering once.
- A **Slack retry** (header ``X-Slack-Retry-Num``: Slack thought the first delivery failed) is acknowledged
  without running the handler again: the first delivery reached us, its answer is under way.

The middleware runs after Bolt's signature check (unsigned requests never reach the memory).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from slack_bolt import BoltRequest, BoltResponse
from sqlalchemy import Column, DateTime, Engine, MetaData, String, Table, delete, insert
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bot.database import make_engine
from bot.post_claims import utcnow

log = logging.getLogger(__name__)

WINDOW = timedelta(minutes=5)  # Slack's signature check refuses older timestamps: no replay lives longer
PRUNE_EVERY = 500  # inserts between deletions of expired rows

metadata = MetaData()
seen_requests = Table(
    "seen_requests",
    metadata,
    Column("key", String(64), primary_key=True),  # sha256 hex of "timestamp:body"
    Column("seen_at", DateTime, nullable=False, index=True),  # naive UTC
)


def request_key(timestamp: str, body: str | bytes) -> str:
    raw = body.encode("utf-8") if isinstance(body, str) else body
    return hashlib.sha256(timestamp.encode("ascii", "replace") + b":" + raw).hexdigest()


class SeenRequests:
    """Keys seen in the last :data:`WINDOW` (with margin): memory first, then the shared table."""

    def __init__(self, database_url: str | None, engine: Engine | None = None, *,
                 clock: Callable[[], float] = time.monotonic, keep_seconds: float = 2 * WINDOW.total_seconds()):
        self._url, self._engine, self._clock, self._keep = database_url, engine, clock, keep_seconds
        self._memory: dict[str, float] = {}
        self._lock = threading.Lock()
        self._inserts = 0
        self._database_down = False

    def first_time(self, key: str) -> bool:
        """True the first time ``key`` is seen (by this process or, through the database, another)."""
        now = self._clock()
        with self._lock:
            if key in self._memory and now - self._memory[key] < self._keep:
                return False
            self._memory[key] = now
            if len(self._memory) > 10_000:
                self._memory = {k: at for k, at in self._memory.items() if now - at < self._keep}
        return self._first_in_database(key)

    def _connected(self) -> Engine | None:
        if self._engine is None and self._url is not None:
            # on the ack path: a SQLite writer busy for more than a quarter second falls back to memory
            self._engine = make_engine(self._url, sqlite_busy_seconds=0.25)
            metadata.create_all(self._engine, checkfirst=True)
        return self._engine

    def _first_in_database(self, key: str) -> bool:
        try:
            engine = self._connected()
            if engine is None:
                return True
            with engine.begin() as conn:
                conn.execute(insert(seen_requests).values(key=key, seen_at=utcnow()))
        except IntegrityError:
            return False
        except (SQLAlchemyError, OSError) as exc:  # the memory alone: once per process
            if not self._database_down:
                log.warning("seen_requests table unavailable (%s): replays are caught per process only",
                            type(exc).__name__)
            self._database_down = True
            return True
        self._database_down = False
        self._inserts += 1
        if self._inserts % PRUNE_EVERY == 0:
            self._prune(engine)
        return True

    def _prune(self, engine: Engine) -> None:
        try:
            with engine.begin() as conn:
                conn.execute(delete(seen_requests).where(
                    seen_requests.c.seen_at < utcnow() - timedelta(seconds=self._keep)))
        except SQLAlchemyError as exc:
            log.warning("could not prune seen_requests: %s", type(exc).__name__)


def once_only(seen: SeenRequests) -> Callable[..., BoltResponse | None]:
    """The Bolt middleware: a retry or a replay gets an empty 200 (the ack) and goes no further."""

    def middleware(req: BoltRequest, resp: BoltResponse, next: Callable[[], None]) -> BoltResponse | None:  # noqa: A002
        retry = _header(req, "x-slack-retry-num")
        if retry is not None:
            log.info("Slack retry %s (%s) acknowledged, not handled again", retry,
                     _header(req, "x-slack-retry-reason") or "no reason given")
            return BoltResponse(status=200, body="")
        timestamp = _header(req, "x-slack-request-timestamp")
        if timestamp is not None and not seen.first_time(request_key(timestamp, req.raw_body)):
            log.warning("replayed Slack request (same timestamp and body) acknowledged, not handled again")
            return BoltResponse(status=200, body="")
        next()
        return None

    return middleware


def _header(req: BoltRequest, name: str) -> str | None:
    values = req.headers.get(name)
    if not values:
        return None
    return values[0] if isinstance(values, (list, tuple)) else str(values)
