"""Atomic, named model sets: every training writes a new folder, a pointer names the one served.

    MODEL_DIR/
        current                      # the served set's name (one line; replaced atomically: temp file + rename)
        sets/20261125T152501Z-3f9a1c/  # one training: models, catalogue, stored forecasts, cards...
            set.json                 # the card, written LAST: source, tasks, sha256 of every other file
        .train.lock                  # held (fcntl.flock) by the training writing a set
        erasures.json                # customers erased (ml.privacy): outside the sets, it outlives them

A set is *sealed* once its card lists the checksum of every file; the pointer only ever names a sealed set,
verified after sealing, so a failed or killed training leaves the previous set served. On start
:func:`resolve` checks the pointed set (files present, checksums equal) and falls back to the newest good
set when it is corrupt, saying so. A folder without a pointer is read as one flat set (older layout,
benchmarks): nothing to verify it against.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ml.errors import ModelNotReady

log = logging.getLogger(__name__)

SETS = "sets"
POINTER = "current"
CARD = "set.json"
LOCK = ".train.lock"
DEFAULT_KEEP = 5


class CorruptSet(ModelNotReady):
    """A model set that cannot be served: unsealed, a file missing, a checksum or a type that does not match."""

    def __init__(self, name: str, reason: str):
        super().__init__(name, reason)
        self.set_name = name
        self.reason = reason


@dataclass(frozen=True)
class DataSource:
    """Where a set's data came from, enough to train on it again (the nightly refresh)."""

    data_source: str  # "simulator", a named public dataset, or an absolute file path
    data_columns: str = ""
    path: str | None = None  # the file read, absolute (None: simulator)
    data_dir: str | None = None
    stores_file: str | None = None
    stores_columns: str = ""
    simulator: dict[str, Any] = field(default_factory=dict)  # customers, days, seed (the end moves on)


@dataclass(frozen=True)
class SetCard:
    name: str
    created_at: str
    data_name: str
    tasks: tuple[str, ...]
    source: DataSource
    files: dict[str, str]  # file name -> sha256

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "SetCard":
        raw = json.loads(text)
        return cls(name=str(raw["name"]), created_at=str(raw["created_at"]), data_name=str(raw["data_name"]),
                   tasks=tuple(raw["tasks"]), source=DataSource(**raw["source"]), files=dict(raw["files"]))


@dataclass(frozen=True)
class ServedSet:
    """The set a service loads: its folder, its card (None: flat folder) and why it is not the pointed one."""

    path: Path
    card: SetCard | None
    fallback: str | None = None  # a message when the pointed set was corrupt and an older one is served

    @property
    def name(self) -> str:
        return self.card.name if self.card else self.path.name


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def new_set(root: Path) -> Path:
    """A new, empty set folder with a unique name (UTC time + random id): two trainings never share files."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    folder = Path(root) / SETS / f"{stamp}-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True, exist_ok=False)
    return folder


def seal(folder: Path, *, data_name: str, tasks: tuple[str, ...], source: DataSource) -> SetCard:
    """Write the card with the checksum of every file in ``folder``, then verify the set from disk."""
    files = {p.name: sha256(p) for p in sorted(folder.iterdir()) if p.is_file() and p.name != CARD}
    card = SetCard(name=folder.name, created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                   data_name=data_name, tasks=tuple(tasks), source=source, files=files)
    _write_atomic(folder / CARD, card.to_json())
    return verify(folder)


def verify(folder: Path) -> SetCard:
    """The card of a complete set whose files all match their checksums; :class:`CorruptSet` otherwise."""
    try:
        card = SetCard.from_json((folder / CARD).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CorruptSet(folder.name, "unfinished (no set.json)") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CorruptSet(folder.name, f"unreadable set.json ({type(exc).__name__})") from exc
    for name, expected in card.files.items():
        path = folder / name
        if not path.is_file():
            raise CorruptSet(folder.name, f"{name} is missing")
        if sha256(path) != expected:
            raise CorruptSet(folder.name, f"{name} does not match its checksum")
    return card


def publish(root: Path, folder: Path) -> None:
    """Point ``root/current`` at ``folder`` (a sealed set inside ``root/sets``): temp file, fsync, rename."""
    _write_atomic(Path(root) / POINTER, folder.name + "\n")


def pointed(root: Path) -> str | None:
    try:
        name = (Path(root) / POINTER).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):  # no pointer (yet), or MODEL_DIR is not a folder
        return None
    return name or None


def resolve(root: Path) -> ServedSet:
    """The set to serve from ``root``: the pointed one if it verifies, else the newest that does (logged)."""
    root = Path(root)
    name = pointed(root)
    if name is None:
        return ServedSet(root, None)  # flat folder (no sets): nothing to verify against
    try:
        return ServedSet(root / SETS / name, verify(root / SETS / name))
    except CorruptSet as exc:
        problem = f"model set {name} is corrupt ({exc.reason})"
    for folder in reversed(_set_folders(root)):
        if folder.name == name:
            continue
        try:
            card = verify(folder)
        except CorruptSet:
            continue
        message = f"{problem}: serving the last good set {folder.name}"
        log.error(message)
        return ServedSet(folder, card, fallback=message)
    raise CorruptSet(name, f"{problem} and no good set is left: run `python -m ml.train`")


def has_sets(root: Path) -> bool:
    return pointed(root) is not None


def prune(root: Path, keep: int = DEFAULT_KEEP) -> list[str]:
    """Delete all sets but the ``keep`` newest sealed ones and the served one (call with the lock held:
    unsealed folders are the leftovers of failed or killed trainings). Returns the names removed."""
    root = Path(root)
    served = pointed(root)
    sealed = [f for f in _set_folders(root) if (f / CARD).exists()]
    keepers = {f.name for f in sealed[-max(int(keep), 1):]} | {served}
    removed = []
    for folder in _set_folders(root):
        if folder.name not in keepers:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed


@contextmanager
def training_lock(root: Path) -> Iterator[None]:
    """Held while a set is trained, sealed and published: a second training waits for the first."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    with (root / LOCK).open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _set_folders(root: Path) -> list[Path]:
    """Set folders, oldest first (their names start with the UTC time)."""
    folder = Path(root) / SETS
    return sorted((p for p in folder.iterdir() if p.is_dir()), key=lambda p: p.name) if folder.is_dir() else []


def _write_atomic(target: Path, text: str) -> None:
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    finally:
        tmp.unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
