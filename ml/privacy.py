"""Erasing a customer on request (GDPR art. 17): ``python -m ml.privacy forget <customer_id>``.

    python -m ml.privacy forget 42            # --by "dpo@example.fr" names who asked (default: the OS user)

One erasure, in this order:

1. the customer's salted hash joins the erasure list (``MODEL_DIR/erasures.json``, owner-only). The served
   service reads it at every customer-level answer (a ``stat`` per answer, re-read when it changed), so answers
   stop naming them at once, without a restart: recommend/predict say "unknown customer", target and the
   customer list leave them out;
2. their transactions leave the database (every dataset stored there);
3. their rows leave the audit log, and one row records the erasure: "erase", the salted hash, when, by whom;
4. every later training (``ml.train``, the nightly refresh) drops their lines from the data before fitting,
   whatever the source file still holds: the next model set no longer knows them.

Only salted hashes are kept (the salt is random, per model folder): the list says whether an id was erased,
it cannot be read back into ids.
"""

from __future__ import annotations

import argparse
import fcntl
import getpass
import hashlib
import json
import logging
import os
import secrets
import sys
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ml.data.schema import Dataset
    from ml.settings import MLSettings

log = logging.getLogger(__name__)

ERASURES = "erasures.json"
_LOCK = ".erasures.lock"


def normalize_customer_id(text: str) -> str:
    """"42", " #42 ", "0042" and "42.0" all name customer "42"."""
    cid = str(text).strip().lstrip("#").strip()
    if cid.endswith(".0") and cid[:-2].isdigit():
        cid = cid[:-2]
    if cid.isdigit():
        cid = str(int(cid))
    return cid


class ErasureList:
    """The salted hashes of erased customers in ``root/erasures.json``; re-read whenever the file changes."""

    def __init__(self, root: Path | str):
        self.path = Path(root) / ERASURES
        self._stamp: tuple[int, int] | None = None
        self._salt = ""
        self._hashes: frozenset[str] = frozenset()

    def _refresh(self) -> None:
        try:
            stat = self.path.stat()
        except (FileNotFoundError, NotADirectoryError):  # nobody erased yet (or MODEL_DIR not made yet)
            self._stamp, self._salt, self._hashes = None, "", frozenset()
            return
        stamp = (stat.st_mtime_ns, stat.st_ino)
        if stamp != self._stamp:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            self._salt, self._hashes = str(raw["salt"]), frozenset(e["hash"] for e in raw["customers"])
            self._stamp = stamp

    def hash(self, customer_id: str) -> str:
        self._refresh()
        return _salted(self._salt, customer_id) if self._salt else ""

    def __contains__(self, customer_id: object) -> bool:
        self._refresh()
        return bool(self._hashes) and _salted(self._salt, str(customer_id)) in self._hashes

    def __len__(self) -> int:
        self._refresh()
        return len(self._hashes)

    def add(self, customer_id: str, *, now: datetime | None = None) -> str:
        """Adds ``customer_id`` (normalised) and returns its salted hash; safe against concurrent erasures."""
        from ml.modelsets import _write_atomic

        self.path.parent.mkdir(parents=True, exist_ok=True)
        with (self.path.parent / _LOCK).open("a") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            raw = json.loads(self.path.read_text(encoding="utf-8")) if self.path.exists() else {
                "salt": secrets.token_hex(16), "customers": []}
            digest = _salted(raw["salt"], customer_id)
            if digest not in {e["hash"] for e in raw["customers"]}:
                at = (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")
                raw["customers"].append({"hash": digest, "at": at})
                _write_atomic(self.path, json.dumps(raw, indent=1))
        self._stamp = None
        return digest


def _salted(salt: str, customer_id: str) -> str:
    return hashlib.sha256(f"{salt}:{normalize_customer_id(customer_id)}".encode()).hexdigest()


def without_erased(dataset: Dataset, root: Path | str) -> Dataset:
    """``dataset`` without the lines of erased customers (unchanged when nobody was erased)."""
    erased = ErasureList(root)
    if not len(erased):
        return dataset
    tx = dataset.transactions
    ids = tx["customer_id"].dropna().astype(str).unique()
    gone = [cid for cid in ids if cid in erased]
    if not gone:
        return dataset
    keep = ~tx["customer_id"].astype(object).isin(gone)
    log.info("left out %d erased customer(s): %d lines", len(gone), int((~keep).sum()))
    return replace(dataset, transactions=tx[keep].reset_index(drop=True))


@dataclass(frozen=True)
class Erasure:
    customer_hash: str
    transactions_deleted: int
    audit_rows_deleted: int


def forget(customer_id: str, settings: MLSettings, *, by: str, now: datetime | None = None) -> Erasure:
    """Erases ``customer_id`` everywhere (module docstring); the answers refuse them from the first step."""
    typed = normalize_customer_id(customer_id)
    if not typed:
        raise ValueError("an empty customer id cannot be erased")
    now = now or datetime.now(timezone.utc)
    digest = ErasureList(settings.model_dir).add(typed, now=now)
    deleted = _delete_transactions(settings.database_url, typed)
    audit_deleted = _replace_audit_rows(settings.database_url, typed, digest, by, now)
    log.info("erased customer %s: %d transactions, %d audit rows", digest[:12], deleted, audit_deleted)
    return Erasure(digest, deleted, audit_deleted)


def _matching_ids(connection, column, typed: str) -> list[str]:
    import sqlalchemy as sa

    stored = connection.execute(sa.select(column).where(column.is_not(None)).distinct()).scalars()
    return sorted({str(s) for s in stored if normalize_customer_id(str(s)) == typed} | {typed})


def _delete_transactions(database_url: str, typed: str) -> int:
    import sqlalchemy as sa

    from ml.data.store import datasets_table, get_engine, transactions_table

    tx = transactions_table
    with get_engine(database_url).begin() as connection:
        ids = _matching_ids(connection, tx.c.customer_id, typed)
        datasets = connection.execute(
            sa.select(tx.c.dataset).where(tx.c.customer_id.in_(ids)).distinct()).scalars().all()
        deleted = connection.execute(sa.delete(tx).where(tx.c.customer_id.in_(ids))).rowcount
        for name in datasets:  # keep each dataset's row count true
            rows = sa.select(sa.func.count()).select_from(tx).where(tx.c.dataset == name).scalar_subquery()
            connection.execute(sa.update(datasets_table).where(datasets_table.c.name == name).values(rows=rows))
    return int(deleted or 0)


def _replace_audit_rows(database_url: str, typed: str, digest: str, by: str, now: datetime) -> int:
    import sqlalchemy as sa

    from bot.database import audit_log, make_engine  # the bot's table: one definition of the audit log

    with make_engine(database_url).begin() as connection:
        ids = _matching_ids(connection, audit_log.c.customer_id, typed)
        deleted = connection.execute(sa.delete(audit_log).where(audit_log.c.customer_id.in_(ids))).rowcount
        connection.execute(sa.insert(audit_log).values(
            at=now.astimezone(timezone.utc).replace(tzinfo=None), user_id=by[:64], team_id="", channel_id="",
            how="console", command="erase", customer_id=f"erased:{digest}"))
    return int(deleted or 0)


def main(argv: list[str] | None = None) -> int:
    from ml.permissions import owner_only_files
    from ml.settings import MLSettings

    owner_only_files()
    parser = argparse.ArgumentParser(prog="python -m ml.privacy", description="Customer data rights (GDPR).")
    commands = parser.add_subparsers(dest="command", required=True)
    forget_cmd = commands.add_parser("forget", help="erase a customer: data, answers, next models, audit log")
    forget_cmd.add_argument("customer_id")
    forget_cmd.add_argument("--by", default=None, help="who asked for the erasure (default: the OS user)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = MLSettings()
    by = args.by or _os_user()
    from sqlalchemy.exc import SQLAlchemyError

    try:
        erasure = forget(args.customer_id, settings, by=by)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (SQLAlchemyError, OSError) as exc:  # the list was written first: answers already refuse them
        first = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [type(exc).__name__])[0]
        print(f"error: DATABASE_URL or MODEL_DIR: {first}; fix it and run the same command again "
              f"(it is safe to repeat)", file=sys.stderr)
        return 2
    print(f"customer erased (record {erasure.customer_hash[:12]}): {erasure.transactions_deleted} transactions "
          f"deleted, {erasure.audit_rows_deleted} audit rows replaced by the erasure record; answers refuse "
          f"them now; the next training (python -m ml.train, or the nightly refresh) leaves them out")
    return 0


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


if __name__ == "__main__":
    sys.exit(main())
