"""What a figure covers (a store, a region, the chain) and the channel-link replies, as text and Block Kit. Pure.

Every per-store answer names its scope: "Magasin Lyon Part-Dieu", or "Pour toute la chaîne (12 magasins)"
with, in a channel linked to no store, how to link it.
"""

from __future__ import annotations

from bot.channels import ChannelLink
from bot.i18n import join_list, t
from bot.rendering import Blocks, _context, _reply, _section
from ml.results import ForecastResult, Scope, ScopeLevel, Store


def scope_text(scope: Scope, lang: str = "fr") -> str:
    """``"Magasin *Lyon Part-Dieu*"``, ``"Région *Ouest* (4 magasins, …)"``, ``"Pour toute la chaîne (12 magasins…)"``."""
    if scope.level is ScopeLevel.STORE and scope.store is not None:
        return t("scope.store", lang, store=scope.store.name)
    if scope.level is ScopeLevel.REGION and scope.region is not None:
        return t("scope.region", lang, region=scope.region, n=scope.n_stores)
    return t("scope.chain", lang, n=scope.n_stores)


def scope_label(scope: Scope, lang: str = "fr") -> str:
    """Short plain label for chart titles: ``"magasin Lyon Part-Dieu"``, ``"région Ouest"``, ``"chaîne"``."""
    if scope.level is ScopeLevel.STORE and scope.store is not None:
        return t("scope.chart.store", lang, store=scope.store.name)
    if scope.level is ScopeLevel.REGION and scope.region is not None:
        return t("scope.chart.region", lang, region=scope.region)
    return t("scope.chart.chain", lang)


def chart_title(result: ForecastResult, lang: str = "fr") -> str:
    """``"Prévision de la demande – Yaourt nature (magasin Lyon Part-Dieu)"``."""
    return t("chart.title_scope", lang, product=result.product.name, scope=scope_label(result.scope, lang))


def with_scope(text: str, blocks: Blocks, scope: Scope, lang: str = "fr", *, hint: bool = False
               ) -> tuple[str, Blocks]:
    """``(text, blocks)`` of an answer with its scope under the header; ``hint``: how to link the channel."""
    lines = [scope_text(scope, lang)]
    if hint and scope.level is ScopeLevel.CHAIN:
        lines.append(t("scope.chain_hint", lang))
    at = 1 if blocks and blocks[0].get("type") == "header" else 0
    head, _, tail = text.partition("\n")
    new_text = "\n".join([head, *lines, tail]) if at else "\n".join([*lines, text])
    return new_text, [*blocks[:at], _context(*lines), *blocks[at:]]


def _store_name(store: Store, lang: str) -> tuple[str, str]:
    where = t("link.where", lang, city=store.city) if store.city and store.city not in store.name else ""
    return store.name, where


def link_shown_blocks(link: ChannelLink, stores: list[Store], n_chain: int, lang: str = "fr") -> tuple[str, Blocks]:
    """``/caddie magasin``: what this channel is linked to; ``stores`` are the link's stores, resolved."""
    if link.region is not None:
        lines = [t("link.region", lang, region=link.region)]
    elif len(stores) == 1:
        name, where = _store_name(stores[0], lang)
        lines = [t("link.store", lang, store=name, where=where)]
        if link.source == "setting":
            lines.append(t("link.setting", lang))
    elif stores:
        lines = [t("link.stores", lang, n=len(stores), stores=join_list([s.name for s in stores], lang, "and"))]
    else:
        lines = [t("link.none", lang, n=n_chain)]
    usage = t("link.usage", lang)
    return _reply([*lines, usage], [_section("\n".join(lines)), _context(usage)], lang)


def linked_blocks(store: Store, lang: str = "fr") -> tuple[str, Blocks]:
    message = t("link.done", lang, store=store.name)
    return _reply([message], [_section(message)], lang)


def unlinked_blocks(n_chain: int, lang: str = "fr") -> tuple[str, Blocks]:
    message = t("link.removed", lang, n=n_chain)
    return _reply([message], [_section(message)], lang)
