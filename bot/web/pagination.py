"""Pages of long lists: ``limit`` and an opaque ``cursor`` (the next page's, or null on the last page)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.web.problems import Problem

T = TypeVar("T")
MAX_LIMIT = 500


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None  # pass it as ``cursor`` for the next page; null: this is the last page
    total: int | None = None  # every item of the list, when known


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, lang: str = "fr") -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, number = text.partition(":")
        offset = int(number)
        if prefix != "o" or offset < 0:
            raise ValueError(cursor)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        detail = ("Ce curseur n'est pas valable : reprenez le next_cursor d'une page précédente."
                  if lang == "fr" else "This cursor is not valid: use the next_cursor of a previous page.")
        raise Problem(400, "bad-cursor", "Curseur invalide" if lang == "fr" else "Invalid cursor", detail) from None
    return offset


def page(items: Sequence[T], offset: int, limit: int, *, total: int | None = None) -> Page[T]:
    """The page of ``items`` (the whole list, or at least ``offset + limit + 1`` of it) at ``offset``."""
    chunk = list(items[offset:offset + limit])
    more = len(items) > offset + limit
    return Page(chunk, encode_cursor(offset + limit) if more else None, total)
