"""The forecast chart attached to ``/forecast`` answers: recent sales, forecast, shaded interval.

Uses matplotlib's object API with the Agg canvas (no pyplot, no global figure
registry, so nothing leaks and it is safe in the bot's worker threads).
"""

from __future__ import annotations

import io
from datetime import date, timedelta

from matplotlib.dates import AutoDateLocator, date2num, num2date
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from bot.i18n import fmt_date, fmt_number, t
from bot.store_rendering import chart_title
from ml.results import ForecastResult

HISTORY_DAYS = 56  # about eight weeks of observed sales
FIGSIZE = (8.0, 3.6)
DPI = 110

_HISTORY_COLOR = "#4a4a4a"
_FORECAST_COLOR = "#1f6fb5"  # a calm blue, readable on Slack's light and dark themes (white figure background)
_AS_OF_COLOR = "#999999"


def _tick_formatter(lang: str) -> FuncFormatter:
    return FuncFormatter(lambda x, _pos=None: fmt_date(num2date(x).date(), lang, style="tick"))


def forecast_chart(result: ForecastResult, lang: str = "fr") -> bytes:
    """A PNG of the last ~8 weeks of sales, the forecast mean and its interval, and a line at the as-of date."""
    start = result.as_of - timedelta(days=HISTORY_DAYS - 1)
    history = [h for h in result.history if start <= h.day <= result.as_of]
    points = sorted(result.points, key=lambda p: p.day)

    fig = Figure(figsize=FIGSIZE, dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)

    if history:
        ax.plot([_num(h.day) for h in history], [h.quantity for h in history], color=_HISTORY_COLOR,
                linewidth=1.2, marker="o", markersize=2, label=t("chart.history", lang))
    days = [_num(p.day) for p in points]
    if history:  # join the forecast to the last observation so the two lines read as one series
        last = history[-1]
        line_days, line_means = [_num(last.day), *days], [last.quantity, *(p.mean for p in points)]
    else:
        line_days, line_means = days, [p.mean for p in points]
    ax.fill_between(days, [p.lower for p in points], [p.upper for p in points], color=_FORECAST_COLOR,
                    alpha=0.2, linewidth=0, label=t("chart.interval", lang, level=result.level))
    ax.plot(line_days, line_means, color=_FORECAST_COLOR, linewidth=2, marker="o", markersize=3,
            label=t("chart.forecast", lang))
    ax.axvline(_num(result.as_of), color=_AS_OF_COLOR, linestyle="--", linewidth=1,
               label=t("chart.as_of", lang, as_of=fmt_date(result.as_of, lang, "short")))
    requested = next((p for p in points if p.day == result.requested_day), points[-1])
    ax.errorbar([_num(requested.day)], [requested.mean], color=_FORECAST_COLOR, capsize=4, linewidth=1.2,
                yerr=[[max(requested.mean - requested.lower, 0.0)], [max(requested.upper - requested.mean, 0.0)]])
    ax.annotate(fmt_number(requested.mean, lang), (_num(requested.day), requested.mean),
                textcoords="offset points", xytext=(7, 0), ha="left", va="center", fontsize=8, color=_FORECAST_COLOR)

    ax.set_title(chart_title(result, lang), fontsize=11, loc="left")
    ax.set_ylabel(t("chart.ylabel", lang), fontsize=9)
    top = max([h.quantity for h in history] + [p.upper for p in points] + [1.0])
    ax.set_ylim(0, top * 1.35)  # headroom for the legend
    ax.xaxis.set_major_locator(AutoDateLocator(minticks=4, maxticks=10))
    ax.xaxis.set_major_formatter(_tick_formatter(lang))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: fmt_number(y, lang, 0)))
    ax.tick_params(labelsize=8)
    ax.grid(axis="y", alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(loc="upper left", fontsize=8, frameon=False, ncols=2)
    fig.tight_layout()

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _num(d: date) -> float:
    return float(date2num(d))
