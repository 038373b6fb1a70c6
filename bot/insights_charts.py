"""Charts of the customer card and the dashboard: matplotlib's object API on the Agg canvas, PNG bytes out.

Each function takes typed results (no pandas) and returns a PNG; the dashboard inlines them as base64.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.i18n import fmt_date, t
from ml.customer_card import CustomerCard

DPI = 100
BLUE, GREY, GREEN, RED = "#1f6fb5", "#8a8a8a", "#2e8b57", "#c0392b"


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _figure(width: float = 7.0, height: float = 3.0) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def client_timeline_chart(card: CustomerCard, lang: str = "fr") -> bytes:
    """Visits per month (bars) and spend per month (line, right axis) over the card's timeline."""
    fig = _figure()
    ax = fig.add_subplot(1, 1, 1)
    labels = [fmt_date(p.month, lang, "short")[3:] for p in card.timeline]  # "07/2024" / "-07-01" trimmed
    if lang != "fr":
        labels = [p.month.strftime("%b %y") for p in card.timeline]
    x = range(len(card.timeline))
    ax.bar(x, [p.visits for p in card.timeline], color=BLUE, alpha=0.8, label=t("client.chart_visits", lang))
    ax.set_xticks(list(x), labels, rotation=45, fontsize=7)
    ax.set_ylabel(t("client.chart_visits", lang))
    if card.mean_basket is not None:
        right = ax.twinx()
        right.plot(list(x), [p.spend for p in card.timeline], color=GREEN, marker="o", markersize=3)
        right.set_ylabel(t("client.chart_spend", lang))
    ax.set_title(t("client.chart_title", lang, customer=card.customer_id), fontsize=10)
    return _png(fig)


def bar_chart(labels: Sequence[str], values: Sequence[float], title: str, *, errors: Sequence[tuple[float, float]]
              | None = None, color: str = BLUE, percent: bool = False) -> bytes:
    """Horizontal bars (long labels fit), with optional (low, high) intervals."""
    fig = _figure(7.0, max(2.2, 0.45 * len(labels) + 1.0))
    ax = fig.add_subplot(1, 1, 1)
    y = list(range(len(labels)))[::-1]
    xerr = None
    if errors is not None:
        xerr = [[max(v - lo, 0.0) for v, (lo, _) in zip(values, errors)],
                [max(hi - v, 0.0) for v, (_, hi) in zip(values, errors)]]
    ax.barh(y, list(values), xerr=xerr, color=color, alpha=0.85, capsize=4)
    ax.set_yticks(y, list(labels), fontsize=8)
    if percent:
        ax.xaxis.set_major_formatter(lambda v, _: f"{100 * v:.0f} %")
    ax.set_title(title, fontsize=10)
    return _png(fig)


def line_chart(x_labels: Sequence[str], series: dict[str, Sequence[float]], title: str) -> bytes:
    """One line per named series over shared x labels."""
    fig = _figure()
    ax = fig.add_subplot(1, 1, 1)
    colors = [BLUE, GREEN, RED, GREY]
    for i, (name, values) in enumerate(series.items()):
        ax.plot(range(len(values)), list(values), marker="o", markersize=3, color=colors[i % 4], label=name)
    step = max(1, len(x_labels) // 10)
    ax.set_xticks(list(range(0, len(x_labels), step)), list(x_labels)[::step], rotation=45, fontsize=7)
    if len(series) > 1:
        ax.legend(fontsize=8)
    ax.set_title(title, fontsize=10)
    return _png(fig)
