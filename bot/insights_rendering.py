"""Block Kit for ``/abtest``, ``/client`` and the 👍/👎 buttons under recommendations. Pure: results in, blocks out."""

from __future__ import annotations

import json

from bot.i18n import fmt_date, fmt_number, fmt_percent, join_list, t
from bot.rendering import Blocks, escape
from ml.customer_card import CustomerCard
from ml.experiments.definition import Experiment
from ml.experiments.results import ArmResult, Comparison, ExperimentReport
from ml.results import RecommendationResult

VOTE_UP, VOTE_DOWN = "reco_vote_up", "reco_vote_down"
SECTION_LIMIT = 3000
BUTTON_LIMIT = 75
_BARS = "▁▂▃▄▅▆▇█"


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_LIMIT]}}


def _header(text: str) -> dict:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150], "emoji": True}}


def _context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:SECTION_LIMIT]}]}


def _points(x: float, lang: str, sign: bool = True) -> str:
    text = fmt_number(100 * x, lang, 1)
    return f"+{text}" if sign and x > 0 else text


def _help(command: str, lang: str) -> tuple[str, Blocks]:
    body = [t(f"help.{command}", lang, usage=t(f"usage.{command}", lang)),
            t("help.examples", lang, examples=t(f"help.{command}.examples", lang))]
    return "\n".join(body), [_section("\n".join(body))]


def help_blocks(command: str, lang: str = "fr") -> tuple[str, Blocks]:
    """Help for ``/abtest`` or ``/client``."""
    return _help(command, lang)


# --------------------------------------------------------------------------- /abtest


def _arm_text(arm: ArmResult, control: bool, lang: str) -> str:
    return t("abtest.arm", lang, arm=escape(arm.name), control=t("abtest.control", lang) if control else "",
             share=fmt_percent(arm.share, lang), conversions=fmt_number(arm.conversions, lang, 0),
             customers=fmt_number(arm.customers, lang, 0), rate=fmt_percent(arm.rate, lang, 1),
             low=fmt_percent(arm.interval.low, lang, 1), high=fmt_percent(arm.interval.high, lang, 1),
             spend=fmt_number(arm.mean_basket_value, lang, 2), up=arm.thumbs_up, down=arm.thumbs_down)


def _comparison_lines(c: Comparison, mde: float, lang: str) -> list[str]:
    if c.test is None:
        lines = [t("abtest.no_test", lang, arm=escape(c.arm), control=escape(c.control))]
    else:
        verdict = t("abtest.significant" if c.significant else "abtest.not_significant", lang)
        p = f"{c.test.p_value:.2g}" if c.test.p_value >= 1e-4 else "< 0.0001"
        lines = [t("abtest.diff", lang, arm=escape(c.arm), control=escape(c.control),
                   diff=_points(c.test.difference, lang), low=_points(c.test.interval.low, lang),
                   high=_points(c.test.interval.high, lang), p=p.replace(".", ",") if lang == "fr" else p,
                   verdict=verdict)]
    if c.needed_minimum is None:
        lines.append(t("abtest.sample_unknown", lang))
    else:
        lines.append(t("abtest.sample", lang, mde=_points(mde, lang), needed=fmt_number(c.needed_minimum, lang, 0),
                       still=fmt_number(c.still_needed or 0, lang, 0)))
    if c.needed_observed is not None:
        lines.append(t("abtest.sample_observed", lang, needed=fmt_number(c.needed_observed, lang, 0)))
    return lines


def abtest_blocks(report: ExperimentReport, lang: str = "fr") -> tuple[str, Blocks]:
    """One experiment: each arm's conversion with its interval, then each arm against the control."""
    title = t("abtest.header", lang, name=report.name)
    intro = t("abtest.intro", lang, days=report.window_days)
    arms = [_arm_text(arm, i == 0, lang) for i, arm in enumerate(report.arms)]
    comparisons = [line for c in report.comparisons for line in _comparison_lines(c, report.minimum_effect, lang)]
    blocks = [_header(title), _section(intro), *[_section(a) for a in arms], {"type": "divider"},
              _section("\n".join(comparisons)), _context(t("abtest.context", lang))]
    return "\n".join([title, intro, *arms, *comparisons]), blocks


def abtest_list_blocks(experiments: list[tuple[Experiment, int]], lang: str = "fr") -> tuple[str, Blocks]:
    """Every experiment with its arms and the customers exposed so far."""
    title = t("abtest.list_header", lang)
    if not experiments:
        text = t("abtest.none", lang)
        return f"{title}\n{text}", [_header(title), _section(text)]
    lines = [t("abtest.list_item", lang, name=escape(e.name), customers=fmt_number(n, lang, 0),
               arms=join_list([f"{escape(a.name)} {fmt_percent(s, lang)}" for a, s in zip(e.arms, e.shares)],
                              lang, "and")) for e, n in experiments]
    more = t("abtest.list_more", lang)
    return "\n".join([title, *lines, more]), [_header(title), _section("\n".join(lines)), _context(more)]


# --------------------------------------------------------------------------- /client


def sparkline(values: list[float]) -> str:
    """``[0, 1, 4, 2]`` -> ``"▁▂█▄"``: one bar per value, scaled to the largest."""
    top = max(values, default=0)
    if top <= 0:
        return _BARS[0] * len(values)
    return "".join(_BARS[min(len(_BARS) - 1, round(v / top * (len(_BARS) - 1)))] for v in values)


def client_card_blocks(card: CustomerCard, lang: str = "fr") -> tuple[str, Blocks]:
    title = t("client.header", lang, customer=card.customer_id)
    lines = [t("client.visits", lang, visits=fmt_number(card.visits, lang, 0), visits_90=card.visits_90,
               last=fmt_date(card.last_visit, lang), days=card.days_since_last_visit,
               first=fmt_date(card.first_visit, lang))]
    items = fmt_number(card.mean_items, lang, 1)
    lines.append(t("client.basket", lang, basket=fmt_number(card.mean_basket, lang, 2), items=items)
                 if card.mean_basket is not None else t("client.basket_no_price", lang, items=items))
    if card.categories:
        lines.append(t("client.categories", lang, categories=", ".join(
            f"{escape(c.category)} ({fmt_percent(c.share, lang)})" for c in card.categories)))
    if card.products:
        lines.append(t("client.products", lang, products=", ".join(escape(p.name) for p in card.products)))
    timeline = card.timeline
    head = t("client.timeline", lang, first=fmt_date(timeline[0].month, lang, "short"),
             last=fmt_date(timeline[-1].month, lang, "short")) if timeline else ""
    bars = f"`{sparkline([p.visits for p in timeline])}`  {' '.join(str(p.visits) for p in timeline)}"
    context = t("client.context", lang, as_of=fmt_date(card.as_of, lang))
    blocks = [_header(title), _section("\n".join(lines))]
    if timeline:
        blocks.append(_section(f"{head}\n{bars}"))
    blocks.append(_context(context))
    return "\n".join([title, *lines, head, context]), blocks


# --------------------------------------------------------------------------- 👍 / 👎 under recommendations


def vote_value(customer_id: str, product_id: str, name: str) -> str:
    """What a vote button carries: customer, product id and name (for the thanks), as a JSON list."""
    return json.dumps([customer_id, product_id, name[:200]], ensure_ascii=False)


def parse_vote_value(value: str) -> tuple[str, str, str] | None:
    try:
        parts = json.loads(value or "")
    except ValueError:
        return None
    if not isinstance(parts, list) or len(parts) != 3 or not all(isinstance(p, str) for p in parts):
        return None
    if not parts[0] or not parts[1]:
        return None
    return parts[0], parts[1], parts[2] or parts[1]


def with_vote_buttons(blocks: Blocks, result: RecommendationResult, lang: str = "fr") -> Blocks:
    """``blocks`` of a recommendation with a 👍 / 👎 pair for each product, before the closing context line."""
    if not result.items:
        return blocks
    rows = []
    for i, rec in enumerate(result.items, start=1):
        value = vote_value(result.customer_id, rec.product.product_id, rec.product.name)
        label = f"{i}. {rec.product.name}"
        label = label if len(label) <= BUTTON_LIMIT - 10 else label[: BUTTON_LIMIT - 11] + "…"
        rows.append({"type": "actions", "block_id": f"reco_vote_{i}", "elements": [
            {"type": "button", "action_id": VOTE_UP, "value": value,
             "text": {"type": "plain_text", "emoji": True, "text": f"👍 {label}"}},
            {"type": "button", "action_id": VOTE_DOWN, "value": value,
             "text": {"type": "plain_text", "emoji": True, "text": f"👎 {t('vote.down', lang)}"}},
        ]})
    tail = blocks[-1:] if blocks and blocks[-1].get("type") == "context" else []
    body = blocks[: len(blocks) - len(tail)]
    return (body + rows + tail)[:50]
