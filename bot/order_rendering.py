"""Block Kit of order proposals (``/commande``, ``/order`` and the logistics post). Pure: no Slack SDK, no pandas.

Every line says what to order (packs x pack size) and why: the forecast over lead time + review period,
the demand quantile at the service level (the safety stock is the difference), the stock on hand and on
order, and the shelf-life cap for perishables. A proposal without stock data says so and is labelled
"from the forecast alone".
"""

from __future__ import annotations

from bot.i18n import fmt_date, fmt_number, fmt_percent, fmt_quantity, t
from bot.rendering import Blocks, _context, _context_line, _header, _packed_sections, _reply, _section
from ml.results import OrderLine, OrderProposal


def _units(x: float, lang: str) -> str:
    """Whole units as integers ("24"), fractions with one decimal ("18,4")."""
    return fmt_number(x, lang, 0) if float(x).is_integer() else fmt_quantity(x, lang)


def order_headline(line: OrderLine, lang: str = "fr") -> str:
    """``"*Yaourt nature* : commander *24* (4 colis de 6)"`` or ``"… rien à commander"``."""
    name = line.product.name
    if line.packs <= 0 or line.quantity <= 0:
        return t("order.line.none", lang, product=name, days=line.period_days)
    return t("order.line", lang, product=name, quantity=_units(line.quantity, lang), packs=line.packs,
             pack_size=_units(line.pack_size, lang))


def order_explanation(line: OrderLine, lang: str = "fr") -> str:
    """Why: forecast over the period, quantile and safety stock, stock, and the shelf-life cap."""
    parts = [t("order.why.period", lang, days=line.period_days, lead=line.lead_time_days, review=line.review_days,
               mean=fmt_quantity(line.forecast_mean, lang)),
             t("order.why.quantile", lang, level=fmt_percent(line.service_level, lang),
               quantile=fmt_quantity(line.forecast_quantile, lang), safety=fmt_quantity(line.safety_stock, lang))]
    if line.on_hand is None:
        parts.append(t("order.why.no_stock", lang))
    else:
        on_order = line.on_order or 0.0
        need = max(line.forecast_quantile - line.on_hand - on_order, 0.0)
        parts.append(t("order.why.stock", lang, on_hand=_units(line.on_hand, lang), on_order=_units(on_order, lang),
                       need=fmt_quantity(need, lang)))
    if line.packs > 0:
        parts.append(t("order.why.packs", lang, packs=line.packs, pack_size=_units(line.pack_size, lang)))
    if line.capped_by_shelf_life and line.shelf_life_days is not None:
        parts.append(t("order.why.shelf_life", lang, days=line.shelf_life_days))
    return " · ".join(parts)


def order_line_text(line: OrderLine, lang: str = "fr") -> list[str]:
    return [order_headline(line, lang), f"↳ {order_explanation(line, lang)}"]


def order_blocks(proposal: OrderProposal, lang: str = "fr") -> tuple[str, Blocks]:
    """The answer to ``/commande``: one headline and one explanation per product."""
    store = proposal.store.name
    title = t("order.header", lang, store=store, day=fmt_date(proposal.order_day, lang, "short"))
    if proposal.has_stock_data:
        basis = t("order.basis.stock", lang, as_of=fmt_date(proposal.stock_as_of, lang, "short")
                  if proposal.stock_as_of else "–")
    else:
        basis = t("order.basis.forecast_only", lang, store=store)
    ctx = _context_line(proposal.as_of, proposal.model, lang)
    if not proposal.lines:
        empty = t("order.empty", lang, store=store)
        return _reply([title, empty, ctx], [_header(title), _section(empty), _context(ctx)], lang)
    to_order = [ln for ln in proposal.lines if ln.packs > 0 and ln.quantity > 0]
    summary = t("order.summary", lang, n=len(to_order), total=len(proposal.lines),
                packs=sum(ln.packs for ln in to_order))
    lines = [text for ln in proposal.lines for text in order_line_text(ln, lang)]
    blocks = [_header(title), _section(basis), _section(summary), *_packed_sections(lines), _context(ctx)]
    return _reply([title, basis, summary, *lines, ctx], blocks, lang)
