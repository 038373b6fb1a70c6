"""API keys of the REST API: made by a command, shown once, stored hashed, with scopes.

    python -m bot.api_keys create --name stock-planner --scopes products
    python -m bot.api_keys create --name crm --scopes products,customers
    python -m bot.api_keys list
    python -m bot.api_keys revoke cad_3f9a2c1b

A key reads ``cad_<id>_<secret>``: ``cad_<id>`` (its prefix id) names it in lists, logs and the audit log;
the database keeps only the SHA-256 of the whole key (the secret has 256 random bits: a fast hash is enough,
nothing to brute-force). Scopes: ``products`` (forecasts, orders, model cards) and ``customers``
(recommendations, propensity, targets: every call written to the audit log).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import secrets
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, DateTime, Engine, MetaData, String, Table, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from bot.database import make_engine
from bot.post_claims import utcnow

PRODUCTS, CUSTOMERS = "products", "customers"
SCOPES: tuple[str, ...] = (PRODUCTS, CUSTOMERS)
PREFIX = "cad_"
CACHE_SECONDS = 30.0  # a revoked key stops working within this time in every process

metadata = MetaData()
api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(32), primary_key=True),  # "cad_3f9a2c1b", shown in lists
    Column("key_hash", String(64), nullable=False, unique=True),  # sha256 hex of the whole key
    Column("name", String(100), nullable=False),
    Column("scopes", String(100), nullable=False),  # "products,customers"
    Column("created_at", DateTime, nullable=False),  # naive UTC
    Column("revoked_at", DateTime),
)


class KeyStoreUnavailable(Exception):
    """The key table cannot be read (database down): the API answers 503."""


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    name: str
    scopes: frozenset[str]
    created_at: datetime | None = None
    revoked_at: datetime | None = None

    def allows(self, scope: str) -> bool:
        return scope in self.scopes


def parse_scopes(text: str | Iterable[str]) -> frozenset[str]:
    parts = text.split(",") if isinstance(text, str) else list(text)
    scopes = frozenset(part.strip().lower() for part in parts if part.strip())
    unknown = scopes - set(SCOPES)
    if unknown or not scopes:
        raise ValueError(f"scopes must be among {', '.join(SCOPES)} (got {', '.join(sorted(unknown)) or 'none'})")
    return scopes


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def key_id_of(key: str) -> str | None:
    """``cad_<id>`` of a key as typed, None when it does not look like one of ours."""
    parts = key.strip().split("_", 2)  # the secret (url-safe base64) may hold "_"
    if len(parts) != 3 or parts[0] + "_" != PREFIX or not parts[1] or not parts[2]:
        return None
    return f"{PREFIX}{parts[1]}"


class ApiKeys:
    """The ``api_keys`` table of ``DATABASE_URL`` (created on first use) and a short cache of verified keys."""

    def __init__(self, database_url: str, engine: Engine | None = None, *, cache_seconds: float = CACHE_SECONDS):
        self._url, self._engine = database_url, engine
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, ApiKey | None]] = {}
        self._cache_seconds = cache_seconds

    def _connected(self) -> Engine:
        with self._lock:
            if self._engine is None:
                self._engine = make_engine(self._url)
                metadata.create_all(self._engine, checkfirst=True)
            return self._engine

    def create(self, name: str, scopes: str | Iterable[str], *, now: datetime | None = None) -> tuple[str, ApiKey]:
        """A new key: ``(the key, to show once, its record)``."""
        scope_set = parse_scopes(scopes)
        if not name.strip():
            raise ValueError("a key needs a name (who or what uses it)")
        key_id = f"{PREFIX}{secrets.token_hex(4)}"
        key = f"{key_id}_{secrets.token_urlsafe(32)}"
        record = ApiKey(key_id, name.strip(), scope_set, now or utcnow())
        with self._connected().begin() as conn:
            conn.execute(insert(api_keys).values(key_id=key_id, key_hash=key_hash(key), name=record.name,
                                                 scopes=",".join(sorted(scope_set)), created_at=record.created_at))
        return key, record

    def verify(self, key: str) -> ApiKey | None:
        """The record of a valid, unrevoked ``key``; None otherwise. Raises :class:`KeyStoreUnavailable`."""
        key_id = key_id_of(key)
        if key_id is None:
            return None
        digest = key_hash(key)
        now = time.monotonic()
        cached = self._cache.get(digest)
        if cached is not None and now - cached[0] < self._cache_seconds:
            return cached[1]
        try:
            with self._connected().connect() as conn:
                row = conn.execute(select(api_keys).where(api_keys.c.key_id == key_id)).mappings().first()
        except (SQLAlchemyError, OSError) as exc:
            raise KeyStoreUnavailable(type(exc).__name__) from exc
        found = None
        if row is not None and hmac.compare_digest(row["key_hash"], digest) and row["revoked_at"] is None:
            found = _record(row)
        self._cache[digest] = (now, found)
        return found

    def list(self) -> list[ApiKey]:
        with self._connected().connect() as conn:
            rows = conn.execute(select(api_keys).order_by(api_keys.c.created_at)).mappings().all()
        return [_record(row) for row in rows]

    def revoke(self, key_id: str, *, now: datetime | None = None) -> bool:
        with self._connected().begin() as conn:
            done = conn.execute(update(api_keys).where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
                                .values(revoked_at=now or utcnow()))
        self._cache.clear()
        return done.rowcount == 1


def _record(row: object) -> ApiKey:
    return ApiKey(row["key_id"], row["name"], frozenset(row["scopes"].split(",")), row["created_at"],  # type: ignore[index]
                  row["revoked_at"])  # type: ignore[index]


def main(argv: list[str] | None = None, out=sys.stdout) -> int:  # noqa: ANN001 - a text stream
    from bot.settings import BotSettings

    parser = argparse.ArgumentParser(prog="python -m bot.api_keys", description="API keys of caddie's REST API")
    sub = parser.add_subparsers(dest="action", required=True)
    create = sub.add_parser("create", help="make a key (printed once: keep it)")
    create.add_argument("--name", required=True, help="who or what uses the key")
    create.add_argument("--scopes", default=PRODUCTS, help="products and/or customers, comma-separated")
    sub.add_parser("list", help="the keys (ids, names, scopes; never the keys)")
    revoke = sub.add_parser("revoke", help="stop a key")
    revoke.add_argument("key_id")
    args = parser.parse_args(argv)
    keys = ApiKeys(BotSettings().database_url)
    try:
        return _run(args, keys, out)
    except ValueError as exc:
        print(f"caddie: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        from bot.database import describe_database_error

        print(f"caddie: DATABASE_URL: {describe_database_error(exc)}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace, keys: ApiKeys, out) -> int:  # noqa: ANN001
    if args.action == "create":
        key, record = keys.create(args.name, args.scopes)
        print(f"{key}\n(key {record.key_id}, scopes {','.join(sorted(record.scopes))}: shown once, keep it now)",
              file=out)
        return 0
    if args.action == "list":
        for k in keys.list():
            state = f"revoked {k.revoked_at:%Y-%m-%d}" if k.revoked_at else "active"
            print(f"{k.key_id}\t{k.name}\t{','.join(sorted(k.scopes))}\t{k.created_at:%Y-%m-%d}\t{state}", file=out)
        return 0
    if keys.revoke(args.key_id):
        print(f"{args.key_id} revoked", file=out)
        return 0
    print(f"caddie: no active key {args.key_id}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    from ml.permissions import owner_only_files

    owner_only_files()
    sys.exit(main())
