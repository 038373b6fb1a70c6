"""Which store(s) a Slack channel answers for: links made with ``/caddie magasin …`` and the ``CHANNEL_STORES`` setting.

    CHANNEL_STORES="C0123=12,C0456=Lyon Part-Dieu,C0LOG=12|14|Nantes,C0OUEST=région:Ouest,C0SIEGE=chaîne"

A link made in Slack is kept in the ``channel_stores`` table of the database at ``DATABASE_URL`` and wins
over the setting; ``/caddie magasin aucun`` records "no store" (so it also hides a store from the setting).
Values are what a user would type (a store number, name or city) and are resolved by the service when used.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Column, DateTime, Engine, MetaData, String, Table, create_engine, delete, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.schema import CreateTable

from bot.dates import normalize

log = logging.getLogger(__name__)

REGION_PREFIXES = ("region:", "région:")
CHAIN_VALUES = frozenset({"chaine", "chain", "*", "tous", "all"})

metadata = MetaData()
channel_stores = Table(
    "channel_stores",
    metadata,
    Column("channel", String(64), primary_key=True),
    Column("store_id", String(64)),  # NULL: unlinked on purpose (hides the setting's link)
    Column("linked_by", String(64)),
    Column("linked_at", DateTime, nullable=False),  # naive UTC
)


@dataclass(frozen=True)
class ChannelLink:
    """What a channel answers for: some stores (queries), a region, or the chain (nothing set)."""

    stores: tuple[str, ...] = ()
    region: str | None = None
    source: str = "none"  # "slack" (a /caddie magasin link), "setting" (CHANNEL_STORES) or "none"

    @property
    def is_chain(self) -> bool:
        return not self.stores and self.region is None

    @property
    def single_store(self) -> str | None:
        return self.stores[0] if len(self.stores) == 1 and self.region is None else None


def parse_channel_stores(text: str | None) -> dict[str, ChannelLink]:
    """The ``CHANNEL_STORES`` setting as {channel: link}. Raises ValueError naming the faulty entry."""
    links: dict[str, ChannelLink] = {}
    for entry in (text or "").split(","):
        if not entry.strip():
            continue
        channel, sep, value = entry.partition("=")
        channel, value = channel.strip(), value.strip()
        if not sep or not channel or not value:
            raise ValueError(f"expected CHANNEL=STORE, got {entry.strip()!r}")
        if channel in links:
            raise ValueError(f"channel {channel} is listed twice")
        links[channel] = _link_value(value)
    return links


def _link_value(value: str) -> ChannelLink:
    lowered = value.lower()
    for prefix in REGION_PREFIXES:
        if lowered.startswith(prefix):
            region = value[len(prefix):].strip()
            if not region:
                raise ValueError(f"no region name in {value!r}")
            return ChannelLink(region=region, source="setting")
    if normalize(value) in CHAIN_VALUES:
        return ChannelLink(source="setting")
    stores = tuple(s.strip() for s in value.split("|"))
    if not all(stores):
        raise ValueError(f"empty store name in {value!r}")
    return ChannelLink(stores=stores, source="setting")


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def links_engine(database_url: str) -> Engine:
    """An engine on ``database_url`` (SQLite folders created); the table is created on first use."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    return create_engine(database_url, pool_pre_ping=url.get_backend_name() != "sqlite")


def create_links_table(engine: Engine) -> None:
    try:
        with engine.begin() as conn:
            conn.execute(CreateTable(channel_stores, if_not_exists=True))
    except DBAPIError:  # two processes creating it at once on PostgreSQL: it is there now
        with engine.begin() as conn:
            conn.execute(CreateTable(channel_stores, if_not_exists=True))


class LinksUnavailable(Exception):
    """The links table cannot be written (database down or read-only): the link was not changed."""


class ChannelStores:
    """The channel -> store links: the table first, then the setting, else the chain.

    The database is reached lazily: the bot starts, and answers from the setting, while it is down or read-only;
    reading a link then falls back to ``CHANNEL_STORES`` (logged), writing one raises :class:`LinksUnavailable`.
    """

    def __init__(self, engine: Engine | None = None, setting: dict[str, ChannelLink] | None = None, *,
                 database_url: str | None = None):
        self._engine = engine
        self._url = database_url
        self._setting = dict(setting or {})
        self._ready = False
        self._lock = threading.Lock()

    def __deepcopy__(self, memo: dict) -> ChannelStores:
        return self  # shared: Bolt deep-copies the context for lazy listeners, an engine must not be copied

    @classmethod
    def from_settings(cls, database_url: str, channel_stores_setting: str | None,
                      engine: Engine | None = None) -> ChannelStores:
        """The links of ``CHANNEL_STORES`` and of the table at ``database_url`` (or on ``engine``)."""
        return cls(engine, parse_channel_stores(channel_stores_setting), database_url=database_url)

    @property
    def configured(self) -> dict[str, ChannelLink]:
        """The links of the setting (e.g. to check them at start-up)."""
        return dict(self._setting)

    def _db(self) -> Engine | None:
        with self._lock:
            if self._engine is None and self._url is not None:
                self._engine = links_engine(self._url)
            if self._engine is not None and not self._ready:
                create_links_table(self._engine)
                self._ready = True
        return self._engine

    def link_of(self, channel: str | None) -> ChannelLink:
        if not channel:
            return ChannelLink()
        try:
            engine = self._db()
            row = None
            if engine is not None:
                with engine.connect() as conn:
                    row = conn.execute(select(channel_stores.c.store_id)
                                       .where(channel_stores.c.channel == channel)).one_or_none()
        except (SQLAlchemyError, OSError) as exc:
            log.warning("DATABASE_URL: channel links cannot be read (%s): using CHANNEL_STORES", type(exc).__name__)
            row = None
        if row is not None:
            return ChannelLink() if row.store_id is None else ChannelLink(stores=(row.store_id,), source="slack")
        return self._setting.get(channel, ChannelLink())

    def link(self, channel: str, store_id: str | None, user: str | None = None) -> None:
        """Links ``channel`` to ``store_id`` (None: to no store), replacing any earlier link, atomically."""
        try:
            engine = self._db()
            if engine is None:
                raise LinksUnavailable("no database")
            with engine.begin() as conn:
                conn.execute(delete(channel_stores).where(channel_stores.c.channel == channel))
                conn.execute(insert(channel_stores).values(channel=channel, store_id=store_id, linked_by=user,
                                                           linked_at=_utcnow()))
        except (SQLAlchemyError, OSError) as exc:
            log.error("DATABASE_URL: the link of channel %s cannot be written (%s)", channel, type(exc).__name__)
            raise LinksUnavailable(type(exc).__name__) from exc


@dataclass(frozen=True)
class Where:
    """Where a command was typed: the channel (and who typed it), with the links to read its store from."""

    channel: str | None = None
    user: str | None = None
    links: ChannelStores | None = None

    def link(self) -> ChannelLink:
        return self.links.link_of(self.channel) if self.links is not None else ChannelLink()
