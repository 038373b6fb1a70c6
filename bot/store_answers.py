"""The per-store answers: which scope a command answers for, ``/commande``, and ``/caddie magasin``.

A command answers for the store its text names (``magasin Nantes``), else for the channel's store, else for
the channel's region, else for the whole chain (and says so). Returns ``(text, blocks)``; errors propagate
to :func:`bot.dispatch.answer`, which turns them into messages.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.channels import ChannelLink, LinksUnavailable, Where
from bot.errors import UsageError
from bot.order_rendering import order_blocks
from bot.rendering import Blocks
from bot.store_rendering import link_shown_blocks, linked_blocks, unlinked_blocks
from bot.stores import ORDER, OrderCommand, StoreClause, StoreLinkCommand

if TYPE_CHECKING:
    from ml.service import Caddie

log = logging.getLogger(__name__)


def forecast_scope(clause: StoreClause, link: ChannelLink) -> dict[str, str]:
    """Keyword arguments of ``Caddie.forecast`` for the store or region to answer for ({}: the chain)."""
    if clause.chain:
        return {}
    if clause.query is not None:
        return {"store": clause.query}
    if link.single_store is not None:
        return {"store": link.single_store}
    if link.region is not None:
        return {"region": link.region}
    return {}


def wants_chain_hint(clause: StoreClause, link: ChannelLink) -> bool:
    """A chain answer in a channel linked to nothing, without asking for the chain: say how to link it."""
    return not clause.given and link.is_chain


def order_store(clause: StoreClause, link: ChannelLink) -> str:
    """The store ``/commande`` orders for: named in the text, else the channel's. Raises UsageError otherwise."""
    if clause.query is not None:
        return clause.query
    if link.single_store is not None:
        return link.single_store
    raise UsageError(ORDER, "order_needs_store")


def answer_order(cmd: OrderCommand, caddie: Caddie, where: Where, lang: str) -> tuple[str, Blocks]:
    proposal = caddie.orders(order_store(cmd.store, where.link()), cmd.query, cmd.day)
    return order_blocks(proposal, lang)


def answer_store_link(cmd: StoreLinkCommand, caddie: Caddie, where: Where, lang: str) -> tuple[str, Blocks]:
    """``/caddie magasin <nom>`` links the channel (the name is resolved first: a typo gets close names)."""
    n_chain = len(caddie.stores())
    if cmd.query is None and not cmd.unlink:
        link = where.link()
        return link_shown_blocks(link, [caddie.resolve_store(s) for s in link.stores], n_chain, lang)
    if where.links is None or not where.channel:  # the local console: no channel to link
        raise UsageError("caddie", "link_needs_channel")
    try:
        return _change_link(cmd, caddie, where, lang, n_chain)
    except LinksUnavailable:
        raise UsageError("caddie", "link_unavailable") from None


def _change_link(cmd: StoreLinkCommand, caddie: Caddie, where: Where, lang: str, n_chain: int
                 ) -> tuple[str, Blocks]:
    assert where.links is not None and where.channel
    if cmd.unlink:
        where.links.link(where.channel, None, where.user)
        log.info("channel %s unlinked from its store by %s", where.channel, where.user)
        return unlinked_blocks(n_chain, lang)
    assert cmd.query is not None
    store = caddie.resolve_store(cmd.query)
    where.links.link(where.channel, store.store_id, where.user)
    log.info("channel %s linked to store %s by %s", where.channel, store.store_id, where.user)
    return linked_blocks(store, lang)
