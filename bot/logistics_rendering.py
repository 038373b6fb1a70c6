"""Block Kit of the daily logistics post per store. Pure: ``ml.results`` in, ``(text, blocks)`` out, no pandas.

One store: tomorrow's forecast for its main products and its order lines, in one message. Several stores:
a summary message (one line per store) and each store's message as a reply in its thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.i18n import fmt_date, t
from bot.order_rendering import order_line_text
from bot.rendering import Blocks, _cap, _context, _header, _packed_sections, _reply, _section, logistics_blocks
from bot.store_rendering import scope_text
from ml.results import ForecastResult, OrderProposal, Scope, ScopeLevel, Store

MAX_STORE_BLOCKS = 45  # leaves room under Slack's 50 blocks


@dataclass(frozen=True)
class StoreDigest:
    """One store's line of the summary message."""

    store: Store
    n_products: int = 0
    n_orders: int = 0  # lines with something to order
    packs: int = 0
    problem: str | None = None  # why this store's figures are missing (a user message)


def store_logistics_blocks(store: Store, forecasts: list[ForecastResult], proposal: OrderProposal | None,
                           day: date, lang: str = "fr", *, problem: str | None = None) -> tuple[str, Blocks]:
    """A store's post: its forecasts for ``day`` (table), then its proposed orders, each line explained."""
    title = t("logistics.store_header", lang, store=store.name, day=fmt_date(day, lang))
    scope = scope_text(Scope(ScopeLevel.STORE, store=store), lang)
    text, blocks = logistics_blocks(forecasts, day, lang)
    body_text = text.partition("\n")[2]
    blocks = [_header(title), _context(scope), *blocks[1:]]
    lines = [title, scope, body_text]
    if proposal is not None and proposal.lines:
        basis = (t("order.basis.stock", lang, as_of=fmt_date(proposal.stock_as_of, lang, "short"))
                 if proposal.has_stock_data and proposal.stock_as_of else
                 t("order.basis.forecast_only", lang, store=store.name))
        order_lines = [x for line in proposal.lines for x in order_line_text(line, lang)]
        blocks += [_section(t("logistics.orders_title", lang)), _section(basis), *_packed_sections(order_lines)]
        lines += [t("logistics.orders_title", lang), basis, *order_lines]
    if problem:
        blocks.append(_section(f":warning: {problem}"))
        lines.append(problem)
    return _reply(lines, _cap(blocks, lang, MAX_STORE_BLOCKS), lang)


def digest(store: Store, forecasts: list[ForecastResult], proposal: OrderProposal | None,
           problem: str | None = None) -> StoreDigest:
    to_order = [ln for ln in (proposal.lines if proposal else ()) if ln.packs > 0 and ln.quantity > 0]
    return StoreDigest(store, len(forecasts), len(to_order), sum(ln.packs for ln in to_order), problem)


def summary_blocks(digests: list[StoreDigest], day: date, lang: str = "fr") -> tuple[str, Blocks]:
    """The message heading the threads: one line per store."""
    title = t("logistics.header", lang, day=fmt_date(day, lang))
    intro = t("logistics.summary", lang, n=len(digests))
    items = [t("logistics.summary_item", lang, store=d.store.name, products=d.n_products, orders=d.n_orders,
               packs=d.packs) if d.problem is None else
             t("logistics.store_failed", lang, store=d.store.name, reason=d.problem) for d in digests]
    blocks = [_header(title), _section(intro), *_packed_sections(items)]
    return _reply([title, intro, *items], blocks, lang)
