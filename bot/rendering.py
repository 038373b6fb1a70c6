"""Block Kit builders: ``ml.results`` dataclasses in, plain dicts out. Pure, no Slack SDK, no pandas.

Each reply builder returns ``(text, blocks)``: ``text`` is the plain fallback Slack
shows in notifications (and the console prints), ``blocks`` the rich layout.
Slack's limits are enforced here (section text <= 3000 characters, header <= 150,
<= 50 blocks per message, <= 10 context elements), so large inputs are
truncated with a visible "… and n more" rather than rejected by Slack.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from bot.forms import (
    BASKET_ACTION,
    BASKET_BLOCK,
    LAST_BOUGHT_ACTION,
    LAST_BOUGHT_BLOCK,
    LAST_VISIT_ACTION,
    LAST_VISIT_BLOCK,
    PRODUCT_ACTION,
    PRODUCT_BLOCK,
    PROFILE_CALLBACK_ID,
    TIMES_BOUGHT_ACTION,
    TIMES_BOUGHT_BLOCK,
    VISITS_ACTION,
    VISITS_BLOCK,
)
from bot.errors import COMMANDS, usage
from bot.i18n import (
    fmt_date,
    fmt_expected,
    fmt_number,
    fmt_percent,
    fmt_quantity,
    has,
    join_list,
    normalize_lang,
    t,
    tn,
)
from ml.results import (
    ForecastPoint,
    ForecastResult,
    Product,
    PropensityResult,
    Reason,
    ReasonCode,
    RecommendationResult,
    TargetResult,
)

__all__ = [
    "BASKET_ACTION", "BASKET_BLOCK", "LAST_BOUGHT_ACTION", "LAST_BOUGHT_BLOCK", "LAST_VISIT_ACTION",
    "LAST_VISIT_BLOCK", "PRODUCT_ACTION", "PRODUCT_BLOCK", "PROFILE_CALLBACK_ID", "PROFILE_RESULT_CALLBACK_ID",
    "TIMES_BOUGHT_ACTION", "TIMES_BOUGHT_BLOCK", "VISITS_ACTION", "VISITS_BLOCK",
    "driver_text", "error_blocks", "escape", "forecast_blocks", "forecast_table", "help_blocks",
    "logistics_blocks", "message_modal", "notice_blocks",
    "profile_modal", "profile_result_modal", "propensity_blocks", "reason_text", "recommendation_blocks",
    "target_blocks",
]

SECTION_LIMIT = 3000
HEADER_LIMIT = 150
FALLBACK_LIMIT = 3000
MAX_BLOCKS = 50
MAX_HOME_BLOCKS = 100
MAX_CONTEXT_ELEMENTS = 10
MODAL_TITLE_LIMIT = 24
OPTION_TEXT_LIMIT = 75
OPTION_VALUE_LIMIT = 150
MAX_OPTIONS = 100
TABLE_NAME_WIDTH = 32

PROFILE_RESULT_CALLBACK_ID = "propensity_profile_result"

Blocks = list[dict]


# --------------------------------------------------------------------------- primitives


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn reserves (``&``, ``<``, ``>``)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plain(text: str, limit: int = SECTION_LIMIT) -> dict:
    return {"type": "plain_text", "text": _truncate(text, limit), "emoji": True}


def _header(text: str) -> dict:
    return {"type": "header", "text": _plain(text, HEADER_LIMIT)}


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _truncate(escape(text), SECTION_LIMIT)}}


def _context(*texts: str) -> dict:
    elements = [{"type": "mrkdwn", "text": _truncate(escape(x), SECTION_LIMIT)} for x in texts if x]
    return {"type": "context", "elements": elements[:MAX_CONTEXT_ELEMENTS]}


def _divider() -> dict:
    return {"type": "divider"}


def _packed_sections(lines: Sequence[str], *, code: bool = False) -> Blocks:
    """Sections holding ``lines``, as few as possible, each within Slack's text limit once escaped."""
    fence = 8 if code else 0  # "```\n" + "\n```"
    blocks: Blocks = []
    chunk: list[str] = []
    size = 0
    for line in lines:
        line = _truncate(line, SECTION_LIMIT // 2)
        cost = len(escape(line)) + 1
        if chunk and size + cost + fence > SECTION_LIMIT:
            blocks.append(_chunk_section(chunk, code))
            chunk, size = [], 0
        chunk.append(line)
        size += cost
    if chunk:
        blocks.append(_chunk_section(chunk, code))
    return blocks


def _chunk_section(lines: list[str], code: bool) -> dict:
    body = "\n".join(lines)
    return _section(f"```\n{body}\n```" if code else body)


def _cap(blocks: Blocks, lang: str, limit: int = MAX_BLOCKS) -> Blocks:
    """At most ``limit`` blocks; the last one says how many were left out."""
    if len(blocks) <= limit:
        return blocks
    kept = blocks[: limit - 1]
    return kept + [_context(t("common.more", lang, n=len(blocks) - len(kept)))]


def _reply(text_lines: Iterable[str], blocks: Blocks, lang: str) -> tuple[str, Blocks]:
    text = "\n".join(x for x in text_lines if x)
    return _truncate(escape(text), FALLBACK_LIMIT), _cap(blocks, lang)


def _table(rows: Sequence[Sequence[str]], right: Sequence[bool]) -> list[str]:
    """Rows of cells aligned in columns (for a monospace code block)."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [c.rjust(w) if r else c.ljust(w) for c, w, r in zip(row, widths, right)]
        out.append("  ".join(cells).rstrip())
    return out


def _name(product: Product, width: int = TABLE_NAME_WIDTH) -> str:
    return _truncate(product.name, width)


def _context_line(as_of: date, model: str, lang: str) -> str:
    return t("common.context", lang, as_of=fmt_date(as_of, lang), model=model)


# --------------------------------------------------------------------------- forecast


def _requested_point(result: ForecastResult) -> ForecastPoint:
    for p in result.points:
        if p.day == result.requested_day:
            return p
    return result.points[-1]


def _interval(p: ForecastPoint, lang: str) -> str:
    return f"{fmt_quantity(p.lower, lang)} – {fmt_quantity(p.upper, lang)}"


def _day_line(p: ForecastPoint, level: int, lang: str) -> str:
    return t("forecast.day", lang, day=fmt_date(p.day, lang), quantity=fmt_expected(p.mean, lang), level=level,
             lower=fmt_quantity(p.lower, lang), upper=fmt_quantity(p.upper, lang))


def forecast_table(points: Sequence[ForecastPoint], level: int, lang: str) -> list[str]:
    header = (t("forecast.col.day", lang), t("forecast.col.mean", lang), t("forecast.col.interval", lang, level=level))
    rows = [(fmt_date(p.day, lang, "day"), fmt_quantity(p.mean, lang), _interval(p, lang)) for p in points]
    return _table([header, *rows], right=(False, True, True))


def forecast_blocks(result: ForecastResult, lang: str = "fr", *, table: bool = False) -> tuple[str, Blocks]:
    """The answer to ``/forecast``: the requested day, or with ``table`` the whole period day by day."""
    title = t("forecast.header", lang, product=result.product.name)
    point = _requested_point(result)
    lines: list[str] = []
    blocks: Blocks = [_header(title)]
    if table and len(result.points) > 1:
        first, last = result.points[0], result.points[-1]
        total = sum(p.mean for p in result.points)
        summary = t("forecast.range", lang, start=fmt_date(first.day, lang), end=fmt_date(last.day, lang),
                    quantity=fmt_expected(total, lang))
        rows = forecast_table(result.points, result.level, lang)
        blocks += [_section(summary), _section(t("forecast.table_title", lang)), *_packed_sections(rows, code=True)]
        lines += [summary, *rows]
    else:
        day_line = _day_line(point, result.level, lang)
        blocks.append(_section(day_line))
        lines.append(day_line)
    ctx = _context_line(result.as_of, result.model, lang)
    blocks.append(_context(ctx))
    return _reply([title, *lines, ctx], blocks, lang)


# --------------------------------------------------------------------------- recommend


def reason_text(reason: Reason, lang: str = "fr", as_of: date | None = None) -> str:
    """Why an item is recommended, e.g. "acheté 12 fois, la dernière il y a 3 jours"."""
    params = reason.params or {}
    code = reason.code.value if isinstance(reason.code, ReasonCode) else str(reason.code)
    try:
        if code == ReasonCode.REPEAT.value:
            times = int(params.get("times", 0))
            parts = [tn("reason.times", times, lang, times=times)] if times else []
            ago = params.get("last_days_ago")
            if ago is not None:
                n = int(ago)
                day = fmt_date(as_of - timedelta(days=n), lang, "short") if as_of is not None else ""
                if n >= 2 or as_of is None:
                    parts.append(t("reason.last.other", lang, n=n))
                else:
                    parts.append(tn("reason.last", n, lang, day=day))
            return ", ".join(parts) or t("reason.unknown", lang)
        if code == ReasonCode.ALSO_BOUGHT.value and params.get("anchor"):
            return t("reason.also_bought", lang, anchor=params["anchor"])
        if code == ReasonCode.POPULAR.value and params.get("share") is not None:
            return t("reason.popular", lang, share=fmt_percent(float(params["share"]), lang))
    except (TypeError, ValueError):
        pass  # malformed parameters: fall back to the generic reason
    return t("reason.unknown", lang)


def recommendation_blocks(result: RecommendationResult, lang: str = "fr") -> tuple[str, Blocks]:
    """The answer to ``/recommend``: a numbered list, each item with its reason."""
    title = t("recommend.header", lang, customer=result.customer_id)
    ctx = _context_line(result.as_of, result.model, lang)
    if not result.items:
        empty = t("recommend.empty", lang, customer=result.customer_id)
        return _reply([title, empty, ctx], [_header(title), _section(empty), _context(ctx)], lang)
    intro = t("recommend.intro", lang, n=len(result.items), customer=result.customer_id)
    items = [t("recommend.item", lang, rank=i, product=r.product.name, reason=reason_text(r.reason, lang, result.as_of))
             for i, r in enumerate(result.items, start=1)]
    blocks = [_header(title), _section(intro), *_packed_sections(items), _context(ctx)]
    return _reply([title, intro, *items, ctx], blocks, lang)


# --------------------------------------------------------------------------- propensity and target


def driver_text(code: str, lang: str = "fr") -> str:
    """A feature code of the propensity model in words; unknown codes are shown readably."""
    key = f"driver.{code}"
    return t(key, lang) if has(key, lang) else code.replace("_", " ")


def _comparison(result: PropensityResult, lang: str) -> str:
    base = result.base_rate
    if base <= 0:
        return t("predict.compare.no_base", lang)
    ratio = result.probability / base
    base_text = fmt_percent(base, lang)
    if ratio >= 1.2:
        return t("predict.compare.higher", lang, ratio=fmt_number(ratio, lang, 1), base=base_text)
    if ratio <= 0.8:
        return t("predict.compare.lower", lang, base=base_text)
    return t("predict.compare.same", lang, base=base_text)


def propensity_blocks(result: PropensityResult, lang: str = "fr") -> tuple[str, Blocks]:
    """The answer to ``/predict`` (and to the what-if form): probability, base rate, drivers."""
    if result.is_profile:
        title = t("predict.header_profile", lang, product=result.product.name)
    else:
        title = t("predict.header", lang, customer=result.customer_id, product=result.product.name)
    main = t("predict.probability", lang, product=result.product.name, horizon=result.horizon_days,
             probability=fmt_percent(result.probability, lang))
    compare = _comparison(result, lang)
    lines = [main, compare]
    if result.drivers:
        lines.append(t("predict.drivers", lang, drivers=join_list([driver_text(d, lang) for d in result.drivers],
                                                                   lang, "and")))
    ctx = _context_line(result.as_of, result.model, lang)
    blocks = [_header(title), _section("\n".join(lines)), _context(ctx)]
    return _reply([title, *lines, ctx], blocks, lang)


def target_blocks(result: TargetResult, lang: str = "fr") -> tuple[str, Blocks]:
    """The answer to ``/target``: customers ranked by probability of buying the product."""
    title = t("target.header", lang, product=result.product.name)
    ctx = _context_line(result.as_of, result.model, lang)
    if not result.customers:
        empty = t("target.empty", lang, product=result.product.name)
        return _reply([title, empty, ctx], [_header(title), _section(empty), _context(ctx)], lang)
    intro = t("target.intro", lang, n=len(result.customers), product=result.product.name,
              horizon=result.horizon_days)
    items = [t("target.item", lang, rank=i, customer=c.customer_id, probability=fmt_percent(c.probability, lang))
             for i, c in enumerate(result.customers, start=1)]
    blocks = [_header(title), _section(intro), *_packed_sections(items), _context(ctx)]
    return _reply([title, intro, *items, ctx], blocks, lang)


# --------------------------------------------------------------------------- help and errors


def _command_help(name: str, lang: str) -> list[str]:
    return [t(f"help.{name}", lang, usage=usage(name, lang)),
            t("help.examples", lang, examples=t(f"help.{name}.examples", lang))]


def help_blocks(command: str = "", lang: str = "fr") -> tuple[str, Blocks]:
    """Help for one command (``"forecast"``…) or, for ``""``, for all of them."""
    name = command.strip().lstrip("/").lower()
    title = t("help.title", lang)
    if name in COMMANDS:
        body = _command_help(name, lang)
        if name == "forecast":
            body.append(t("help.dates", lang))
        if name in ("forecast", "order"):
            body.append(t("help.stores", lang))
        blocks = [_header(title), _section("\n".join(body))]
        return _reply([title, *body], blocks, lang)
    intro = t("help.intro", lang)
    blocks = [_header(title), _section(intro)]
    lines = [intro]
    for cmd in COMMANDS:
        body = _command_help(cmd, lang)
        blocks.append(_section("\n".join(body)))
        lines += body
    tail = [t("help.stores", lang), t("link.usage", lang), t("help.dates", lang), t("help.more", lang)]
    blocks.append(_context(*tail))
    return _reply([title, *lines, *tail], blocks, lang)


def notice_blocks(message: str, lang: str = "fr") -> tuple[str, Blocks]:
    """A short informational reply."""
    return _reply([message], [_section(message)], lang)


def error_blocks(message: str, lang: str = "fr") -> tuple[str, Blocks]:
    """An error reply from the message of :func:`bot.errors.user_message`."""
    return _reply([message], [_section(f":warning: {message}")], lang)


# --------------------------------------------------------------------------- what-if modal


def _text_input(block_id: str, action_id: str, label_key: str, lang: str, *, placeholder: str,
                optional: bool = False) -> dict:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": _plain(t(label_key, lang), 2000),
        "hint": _plain(t(f"{label_key}.hint", lang), 2000),
        "element": {"type": "plain_text_input", "action_id": action_id, "placeholder": _plain(placeholder, 150)},
    }


def profile_modal(products: list[Product], lang: str = "fr") -> dict:
    """The what-if form (``/predict profil``): a product and five numbers a store manager can estimate.

    The product menu lists at most 100 products (Slack's limit); with no products it is a text field.
    """
    if products:
        options = [{"text": _plain(p.name, OPTION_TEXT_LIMIT), "value": p.product_id[:OPTION_VALUE_LIMIT]}
                   for p in products[:MAX_OPTIONS]]
        element = {"type": "static_select", "action_id": PRODUCT_ACTION,
                   "placeholder": _plain(t("modal.product_placeholder", lang), 150), "options": options}
    else:
        element = {"type": "plain_text_input", "action_id": PRODUCT_ACTION,
                   "placeholder": _plain(t("modal.product_placeholder", lang), 150)}
    product_input = {"type": "input", "block_id": PRODUCT_BLOCK, "label": _plain(t("modal.product", lang), 2000),
                     "element": element}
    fr = normalize_lang(lang) == "fr"
    decimal_example, basket_example = ("2,5", "45,80") if fr else ("2.5", "45.80")
    blocks = [
        _section(t("modal.intro", lang)),
        product_input,
        _text_input(VISITS_BLOCK, VISITS_ACTION, "modal.visits_per_month", lang, placeholder=decimal_example),
        _text_input(LAST_VISIT_BLOCK, LAST_VISIT_ACTION, "modal.days_since_last_visit", lang, placeholder="3"),
        _text_input(TIMES_BOUGHT_BLOCK, TIMES_BOUGHT_ACTION, "modal.times_bought_product", lang, placeholder="4"),
        _text_input(LAST_BOUGHT_BLOCK, LAST_BOUGHT_ACTION, "modal.days_since_last_bought_product", lang,
                    placeholder="10", optional=True),
        _text_input(BASKET_BLOCK, BASKET_ACTION, "modal.avg_basket_value", lang, placeholder=basket_example),
    ]
    return {
        "type": "modal",
        "callback_id": PROFILE_CALLBACK_ID,
        "title": _plain(t("modal.title", lang), MODAL_TITLE_LIMIT),
        "submit": _plain(t("modal.submit", lang), MODAL_TITLE_LIMIT),
        "close": _plain(t("modal.cancel", lang), MODAL_TITLE_LIMIT),
        "blocks": blocks,
    }


def profile_result_modal(result: PropensityResult, lang: str = "fr") -> dict:
    """The modal replacing the form once submitted: the probability for the described customer."""
    _, blocks = propensity_blocks(result, lang)
    return {
        "type": "modal",
        "callback_id": PROFILE_RESULT_CALLBACK_ID,
        "title": _plain(t("modal.result_title", lang), MODAL_TITLE_LIMIT),
        "close": _plain(t("modal.close", lang), MODAL_TITLE_LIMIT),
        "blocks": blocks,
    }


def message_modal(message: str, lang: str = "fr") -> dict:
    """A modal showing only ``message`` (e.g. an error after the form was submitted)."""
    return {
        "type": "modal",
        "callback_id": PROFILE_RESULT_CALLBACK_ID,
        "title": _plain(t("modal.result_title", lang), MODAL_TITLE_LIMIT),
        "close": _plain(t("modal.close", lang), MODAL_TITLE_LIMIT),
        "blocks": error_blocks(message, lang)[1],
    }


# --------------------------------------------------------------------------- logistics post


def logistics_blocks(results: list[ForecastResult], day: date, lang: str = "fr") -> tuple[str, Blocks]:
    """The scheduled post for logistics: expected quantities of the top products on ``day``."""
    title = t("logistics.header", lang, day=fmt_date(day, lang))
    if not results:
        empty = t("logistics.empty", lang, day=fmt_date(day, lang))
        return _reply([title, empty], [_header(title), _section(empty)], lang)
    level = results[0].level
    intro = t("logistics.intro", lang, n=len(results), level=level)
    header = (t("logistics.col.product", lang), t("forecast.col.mean", lang),
              t("forecast.col.interval", lang, level=level))
    rows = []
    for r in results:
        p = next((q for q in r.points if q.day == day), _requested_point(r))
        rows.append((_name(r.product), fmt_quantity(p.mean, lang), _interval(p, lang)))
    table = _table([header, *rows], right=(False, True, True))
    ctx = _context_line(results[0].as_of, results[0].model, lang)
    blocks = [_header(title), _section(intro), *_packed_sections(table, code=True), _context(ctx)]
    return _reply([title, intro, *table, ctx], blocks, lang)
