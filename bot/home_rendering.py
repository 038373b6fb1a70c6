"""The App Home tab, in plain words for store teams. Pure: ``ml.results`` and live-accuracy figures in, a view out.

Store teams read "les prévisions d'hier se sont trompées de 12 % en moyenne", not MASE, NDCG or a model's class
name: each model's headline figure is put into words (error of the forecasts, share of later purchases that
were suggested, how often the right customer gets the higher probability), with the live accuracy of the
forecasts served when sales have come back (yesterday, and week by week over 28 days). The technical figures
are on the dashboard (:func:`bot.model_figures.technical_figures`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.i18n import fmt_date, fmt_percent, fmt_quantity, has, t
from bot.rendering import (MAX_HOME_BLOCKS, Blocks, _cap, _context, _divider, _header, _packed_sections,
                           _requested_point, _section)
from ml.live_accuracy import AccuracySummary, PeriodAccuracy
from ml.results import ForecastResult, Metric, ModelCard

SPARK = "▁▂▃▄▅▆▇█"
# per task: the figure put into words, and whether higher is better
PLAIN_METRIC = {"forecast": "WAPE", "recommend": "recall@10", "propensity": "roc_auc"}


@dataclass(frozen=True)
class HomeAccuracy:
    """Live accuracy of the forecasts served, for the Home tab: ``day`` (yesterday), its summary when its sales
    are known, and the weeks of the last 28 days (oldest first)."""

    day: date
    yesterday: AccuracySummary | None
    weeks: Sequence[PeriodAccuracy] = field(default_factory=tuple)
    month: AccuracySummary | None = None


def one_in(share: float, lang: str) -> str:
    """0.2 -> "1 sur 5" / "1 in 5"; half or more, or nothing, as a percentage."""
    if not 0 < share < 0.5:
        return fmt_percent(share, lang)
    return t("home.share.one_in", lang, n=round(1 / share))


def times_in_ten(share: float, lang: str) -> str:
    """0.83 -> "8 fois sur 10" / "8 times in 10"."""
    return t("home.share.times_in_ten", lang, n=round(10 * share))


def sparkline(values: Sequence[float | None]) -> str:
    """One bar per value, scaled to the largest (taller = larger); a missing value is "·"."""
    known = [v for v in values if v is not None]
    top = max(known, default=0.0)
    if top <= 0:
        return "".join(SPARK[0] if v is not None else "·" for v in values)
    return "".join("·" if v is None else SPARK[min(len(SPARK) - 1, int(v / top * (len(SPARK) - 1) + 0.5))]
                   for v in values)


def _metric(metrics: Sequence[Metric], name: str) -> Metric | None:
    return next((m for m in metrics if m.name == name), None)


def _plain_figure(task: str, value: float, lang: str) -> str:
    if task == "forecast":
        return fmt_percent(value, lang)
    if task == "recommend":
        return one_in(value, lang)
    return times_in_ten(value, lang)


def _holdout_lines(card: ModelCard, lang: str) -> list[str]:
    """The card's test figure in words, with how it compares to the simple reference method."""
    name = PLAIN_METRIC.get(card.task)
    metric = _metric(card.metrics, name) if name else None
    if metric is None:
        return []
    key = {"forecast": "error", "recommend": "share", "propensity": "share"}[card.task]
    lines = [t(f"home.plain.{card.task}", lang, **{key: _plain_figure(card.task, metric.value, lang)})]
    coverage = _metric(card.metrics, "coverage") if card.task == "forecast" else None
    if coverage is not None:
        lines.append(t("home.plain.coverage", lang, share=times_in_ten(coverage.value, lang)))
    refs = [m for ms in card.baselines.values() if (m := _metric(ms, metric.name)) is not None]
    if refs:
        best = (max if metric.higher_is_better else min)(refs, key=lambda m: m.value)
        better = metric.value > best.value if metric.higher_is_better else metric.value < best.value
        figure = _plain_figure(card.task, best.value, lang)
        lines.append(t("home.plain.better" if better else "home.plain.worse", lang, baseline=figure))
    return lines


def live_lines(live: HomeAccuracy, lang: str) -> list[str]:
    """Yesterday's error, the 4-week trend, the direction of the error and the interval coverage."""
    y = live.yesterday
    if y is not None and y.wape is not None:
        lines = [t("home.live.yesterday", lang, error=fmt_percent(y.wape, lang),
                   forecast=fmt_quantity(y.forecast, lang), sold=fmt_quantity(y.sold, lang))]
    else:
        lines = [t("home.live.yesterday_none", lang)]
    wapes = [w.summary.wape for w in live.weeks]
    if any(v is not None for v in wapes):
        weeks = " · ".join(fmt_percent(v, lang) if v is not None else "–" for v in wapes)
        lines.append(t("home.live.trend", lang, weeks=weeks, spark=f"`{sparkline(wapes)}`"))
    month = live.month
    if month is not None and month.bias is not None and abs(month.bias) >= 0.05:
        key = "home.live.direction.over" if month.bias > 0 else "home.live.direction.under"
        lines.append(t(key, lang, bias=fmt_percent(abs(month.bias), lang)))
    if month is not None and month.coverage is not None:
        lines.append(t("home.live.coverage", lang, share=times_in_ten(month.coverage, lang)))
    return lines


def _card_blocks(card: ModelCard, live: HomeAccuracy | None, lang: str) -> Blocks:
    task_key = f"home.task.{card.task}"
    task = t(task_key, lang) if has(task_key, lang) else card.task
    lines = [f"*{task}*"]
    if card.task == "forecast" and live is not None and (live.yesterday is not None or live.weeks):
        lines += live_lines(live, lang)
    else:
        lines += _holdout_lines(card, lang)
    updated = t("home.updated", lang, trained_at=fmt_date(card.trained_at.date(), lang),
                end=fmt_date(card.data_end, lang))
    return [_section("\n".join(lines)), _context(updated)]


def _forecast_blocks(forecasts: list[ForecastResult], lang: str) -> Blocks:
    if not forecasts:
        return [_section(t("home.no_forecasts", lang))]
    day = forecasts[0].requested_day
    items = [t("home.forecast_item", lang, product=r.product.name, mean=fmt_quantity(_requested_point(r).mean, lang),
               lower=fmt_quantity(_requested_point(r).lower, lang),
               upper=fmt_quantity(_requested_point(r).upper, lang))
             for r in forecasts]
    as_of = t("home.data_until", lang, as_of=fmt_date(forecasts[0].as_of, lang))
    return [_header(t("home.forecasts", lang, day=fmt_date(day, lang))), *_packed_sections(items), _context(as_of)]


def home_view(cards: list[ModelCard], forecasts: list[ForecastResult], lang: str = "fr",
              live: HomeAccuracy | None = None) -> dict:
    """The App Home tab: what caddie does, how good its answers are (in words), the next forecasts."""
    blocks: Blocks = [_header(t("home.title", lang)), _section(t("home.intro", lang)), _divider(),
                      _header(t("home.models", lang))]
    if not cards:
        blocks.append(_section(t("home.no_models", lang)))
    for card in cards:
        blocks += _card_blocks(card, live, lang)
    if cards:
        blocks.append(_context(t("home.plain.technical", lang)))
    blocks += [_divider(), *_forecast_blocks(forecasts, lang)]
    return {"type": "home", "blocks": _cap(blocks, lang, MAX_HOME_BLOCKS)}
