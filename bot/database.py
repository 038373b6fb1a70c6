"""The bot's own tables, in the same database as the data (``DATABASE_URL``), and the engine that creates them.

- ``scheduled_posts``: one row per (job, channel, day) claimed or posted (:mod:`bot.post_claims`);
- ``audit_log``: one row per answer about customers: who asked, where, how, about which customer (:mod:`bot.audit`).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Column, Date, DateTime, Engine, Integer, MetaData, String, Table, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

metadata = MetaData()

scheduled_posts = Table(
    "scheduled_posts",
    metadata,
    Column("job", String(64), primary_key=True),
    Column("channel", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("status", String(16), nullable=False),
    Column("claimed_at", DateTime, nullable=False),  # naive UTC
    Column("posted_at", DateTime),  # naive UTC
    Column("message_ts", String(32)),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False, index=True),  # naive UTC
    Column("user_id", String(64), nullable=False),  # Slack user id (console: the operating-system user)
    Column("team_id", String(64), nullable=False),
    Column("channel_id", String(64), nullable=False),
    Column("how", String(16), nullable=False),  # command | shortcut | modal | console
    Column("command", String(32), nullable=False),  # recommend | predict | target
    Column("customer_id", String(128), index=True),  # the customer named by the question (None for /target)
    Column("product", String(200)),  # /predict and /target: the product asked about
    Column("customer_count", Integer),  # /target: how many customers the answer listed
)


def make_engine(database_url: str, *, sqlite_busy_seconds: float | None = None) -> Engine:
    """An engine on ``database_url`` with the bot's tables created (SQLite folders too).

    ``sqlite_busy_seconds`` bounds how long a SQLite write waits for the file's one writer (default: SQLite's
    5 s); a caller on Slack's 3-second ack path passes a fraction of a second and falls back when it expires.
    """
    url = make_url(database_url)
    sqlite = url.get_backend_name() == "sqlite"
    if sqlite and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    connect_args = {"timeout": sqlite_busy_seconds} if sqlite and sqlite_busy_seconds is not None else {}
    engine = create_engine(database_url, pool_pre_ping=not sqlite, connect_args=connect_args)
    # several processes may start at once: each table may be created by another between our check and our
    # CREATE ("already exists" on SQLite; a catalog unique index on PostgreSQL). Check again, table by table.
    for attempt in range(len(metadata.tables) + 1):
        try:
            create_tables(engine)
            break
        except DBAPIError:
            if attempt == len(metadata.tables):
                raise
    return engine


def create_tables(engine: Engine) -> None:
    metadata.create_all(engine, checkfirst=True)


def is_read_only(exc: BaseException) -> bool:
    """The database refused a write because it is read-only (SQLite file or mode, PostgreSQL replica...)."""
    message = str(getattr(exc, "orig", None) or exc).lower()
    return "readonly" in message.replace("-", "") or "read only" in message


def describe_database_error(exc: BaseException) -> str:
    """What went wrong with the database, in a few words and one line (no SQL, no parameters)."""
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    message = lines[0].strip() if lines else type(exc).__name__
    if is_read_only(exc):
        return f"the database is read-only ({message})"
    if isinstance(exc, (OperationalError, OSError)):
        return f"cannot reach or open the database ({message})"
    return f"{type(exc).__name__}: {message}"
