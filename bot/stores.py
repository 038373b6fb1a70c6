"""The store part of a command's text, and the store commands. Pure: text and a reference day in, typed values out.

    /forecast yaourt demain magasin Nantes       -> store clause "Nantes", rest "yaourt demain"
    /forecast yaourt magasin Lyon Part-Dieu 7j   -> store clause "Lyon Part-Dieu", rest "yaourt 7j"
    /commande [produit | rayon] [magasin <nom>] [date]
    /order [product | department] [store <name>] [date]
    /caddie magasin <nom> | aucun                 -> link this channel to a store, or unlink it
    /caddie magasin                               -> show the link

The clause starts at the word ``magasin`` (or ``store``) and runs to the end of the text, or up to a date
word (``demain``, ``samedi``, ``01/07``, ``7j``…), which stays with the rest of the command. ``magasin
chaîne`` (``store chain``, ``tous``, ``all``) asks for the whole chain in a channel linked to a store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.dates import MAX_SPAN, normalize, parse_when, split_date
from bot.errors import BadDate, UsageError

STORE_WORDS = frozenset({"magasin", "store"})
CHAIN_WORDS = frozenset({"chaine", "chain", "tous", "toutes", "all", "*", "toute la chaine", "whole chain"})
UNLINK_WORDS = frozenset({"aucun", "none", "-", "delier", "unlink", "rien"})
ORDER = "order"  # canonical name of /commande and /order


@dataclass(frozen=True)
class StoreClause:
    """What the text says about the store: nothing (``query`` None), a store, or the whole chain."""

    query: str | None = None
    chain: bool = False

    @property
    def given(self) -> bool:
        return self.query is not None or self.chain


@dataclass(frozen=True)
class OrderCommand:
    """``/commande``: what ``store`` (None: the channel's) should order; ``query`` a product or department."""

    query: str | None
    store: StoreClause = StoreClause()
    day: date | None = None  # the order day (None: the first forecast day)


@dataclass(frozen=True)
class StoreLinkCommand:
    """``/caddie magasin …``: link this channel to ``query``, unlink it (``unlink``), or show it (neither)."""

    query: str | None = None
    unlink: bool = False


def _starts_a_date(tokens: list[str], i: int, today: date) -> bool:
    """``tokens[i:]`` begins with a date phrase (``demain``, ``le 30 novembre``, ``7j``, ``31/02``…)."""
    for width in range(min(MAX_SPAN, len(tokens) - i), 0, -1):
        try:
            if parse_when(tokens[i:i + width], today) is not None:
                return True
        except BadDate:  # a date that does not exist is still a date: the date parser will say why
            return True
    return False


def split_store_clause(tokens: list[str], today: date, command: str = "forecast") -> tuple[list[str], StoreClause]:
    """``tokens`` without the store clause, and the clause. Raises UsageError for ``magasin`` with no name."""
    start = next((i for i, tok in enumerate(tokens) if normalize(tok) in STORE_WORDS), None)
    if start is None:
        return tokens, StoreClause()
    end = start + 1
    while end < len(tokens) and not _starts_a_date(tokens, end, today):
        end += 1
    name = " ".join(tokens[start + 1:end]).strip()
    if not name:
        raise UsageError(command, "missing_store")
    rest = tokens[:start] + tokens[end:]
    if normalize(name) in CHAIN_WORDS:
        return rest, StoreClause(chain=True)
    return rest, StoreClause(query=name)


def parse_order(tokens: list[str], today: date) -> OrderCommand:
    """``/commande [produit | rayon] [magasin <nom>] [date]``."""
    tokens, clause = split_store_clause(tokens, today, ORDER)
    if clause.chain:
        raise UsageError(ORDER, "order_needs_store")
    try:
        split = split_date(tokens, today)
    except BadDate as exc:
        exc.command = ORDER
        raise
    when = split.when
    if when is not None and (when.days is not None or when.until is not None or when.day is None):
        raise UsageError(ORDER, "order_period")
    query = " ".join(split.rest).strip() or None
    return OrderCommand(query=query, store=clause, day=when.day if when is not None else None)


def parse_store_link(tokens: list[str]) -> StoreLinkCommand:
    """The words after ``/caddie magasin``."""
    name = " ".join(tokens).strip()
    if not name:
        return StoreLinkCommand()
    if normalize(name) in UNLINK_WORDS:
        return StoreLinkCommand(unlink=True)
    if normalize(name) in CHAIN_WORDS:
        return StoreLinkCommand(unlink=True)  # a channel of the whole chain is a channel without a store
    return StoreLinkCommand(query=name)
