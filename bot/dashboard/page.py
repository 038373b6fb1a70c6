"""The dashboard's HTML (French or English), charts inlined as base64 PNG. Pure: a Dashboard in, a page out.

Each chart is an ``<img>`` with its size and a text alternative; a four-line script marks each image with
``data-rendered="<width>x<height>"`` once the browser has decoded it (what the headless-browser test reads).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from html import escape

from bot.dashboard.data import Dashboard, metric
from bot.i18n import fmt_date, fmt_number, fmt_percent
from bot.insights_charts import bar_chart, line_chart

_TEXT = {
    "fr": {"title": "caddie — tableau de bord", "data": "Données « {data} » au {as_of}",
           "accuracy": "Précision des modèles", "accuracy_trend": "Erreur des prévisions servies, par jour",
           "no_trend": "Pas encore de prévisions servies et vérifiées : la courbe apparaît quand les ventes des "
                       "jours prévus sont arrivées.",
           "holdout": "Erreur sur la période de test (MASE, plus bas = mieux), modèle et références",
           "stores": "Prévisions et commandes par magasin",
           "stores_forecast": "Demain : unités prévues (10 meilleures ventes du magasin)",
           "stores_orders": "Commande du jour : unités à commander",
           "experiments": "Tests A/B des recommandations",
           "exp_chart": "« {name} » : conversion par bras (IC 95 %)",
           "no_experiments": "Aucune expérience en cours.",
           "segments": "Segments de clients", "segments_chart": "Clients par segment",
           "segments_locked": "Réservé aux clés d'API de portée « customers » (en-tête Authorization: Bearer).",
           "problems": "Sections indisponibles pour l'instant : {names}.",
           "seg.new": "nouveaux", "seg.loyal": "fidèles", "seg.regular": "réguliers", "seg.at_risk": "à risque",
           "seg.lapsed": "perdus", "col.segment": "Segment", "col.customers": "Clients",
           "col.visits": "Visites / an", "col.spend": "Dépense / an",
           "col.arm": "Bras", "col.rate": "Conversion", "col.ci": "IC 95 %", "col.n": "Clients",
           "col.p": "p (vs témoin)", "wape": "WAPE", "coverage": "couverture de l'intervalle"},
    "en": {"title": "caddie — dashboard", "data": "Data \"{data}\" as of {as_of}",
           "accuracy": "Model accuracy", "accuracy_trend": "Error of the forecasts served, per day",
           "no_trend": "No served forecast has been checked yet: the trend appears once the sales of the "
                       "forecast days have arrived.",
           "holdout": "Error on the test period (MASE, lower is better), model and baselines",
           "stores": "Forecasts and orders per store",
           "stores_forecast": "Tomorrow: units forecast (the store's 10 best sellers)",
           "stores_orders": "Today's order: units to order",
           "experiments": "Recommendation A/B tests",
           "exp_chart": "\"{name}\": conversion per arm (95% CI)",
           "no_experiments": "No experiment is running.",
           "segments": "Customer segments", "segments_chart": "Customers per segment",
           "segments_locked": "For API keys of scope \"customers\" only (header Authorization: Bearer).",
           "problems": "Sections unavailable right now: {names}.",
           "seg.new": "new", "seg.loyal": "loyal", "seg.regular": "regular", "seg.at_risk": "at risk",
           "seg.lapsed": "lapsed", "col.segment": "Segment", "col.customers": "Customers",
           "col.visits": "Visits / year", "col.spend": "Spend / year",
           "col.arm": "Arm", "col.rate": "Conversion", "col.ci": "95% CI", "col.n": "Customers",
           "col.p": "p (vs control)", "wape": "WAPE", "coverage": "interval coverage"},
}

_STYLE = """body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:960px;color:#222}
h1{font-size:1.5rem}h2{font-size:1.15rem;border-bottom:1px solid #ddd;padding-bottom:.3rem;margin-top:2rem}
img{max-width:100%;height:auto;display:block;margin:.5rem 0}table{border-collapse:collapse;margin:.5rem 0}
td,th{padding:.2rem .6rem;border-bottom:1px solid #eee;text-align:right}td:first-child,th:first-child{text-align:left}
.note{color:#666;font-size:.9rem}"""
_SCRIPT = """window.addEventListener("load",()=>{for(const i of document.querySelectorAll("img.chart")){
i.dataset.rendered=(i.complete?i.naturalWidth:0)+"x"+(i.complete?i.naturalHeight:0)}
document.body.dataset.ready="1"});"""


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img class="chart" alt="{escape(alt)}" src="data:image/png;base64,{data}">'


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _note(text: str) -> str:
    return f'<p class="note">{escape(text)}</p>'


def render(dashboard: Dashboard, lang: str = "fr") -> str:
    tx = _TEXT["fr" if lang == "fr" else "en"]
    parts = [f"<h1>{escape(tx['title'])}</h1>",
             _note(tx["data"].format(data=dashboard.data_name, as_of=fmt_date(dashboard.as_of, lang)))]
    if dashboard.problems:
        parts.append(_note(tx["problems"].format(names=", ".join(dashboard.problems))))
    for section in (_accuracy, _stores, _experiments, _segments):
        parts.append(section(dashboard, tx, lang))
    body = "\n".join(parts)
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(tx["title"])}</title>'
            f"<style>{_STYLE}</style></head><body>\n{body}\n<script>{_SCRIPT}</script></body></html>")


def _accuracy(d: Dashboard, tx: dict[str, str], lang: str) -> str:
    out = [f"<h2>{escape(tx['accuracy'])}</h2>"]
    if d.accuracy:
        labels = [fmt_date(a.day, lang, "tick") for a in d.accuracy]
        series = {tx["wape"]: [a.wape if a.wape is not None else float("nan") for a in d.accuracy],
                  tx["coverage"]: [a.coverage for a in d.accuracy]}
        out.append(_img(line_chart(labels, series, tx["accuracy_trend"]), tx["accuracy_trend"]))
    else:
        out.append(_note(tx["no_trend"]))
    forecast = next((c for c in d.cards if c.task == "forecast"), None)
    if forecast is not None:
        own = metric(forecast, "MASE")
        bars = [(forecast.model, own.value)] if own is not None else []
        bars += [(name, m.value) for name, ms in forecast.baselines.items() for m in ms if m.name == "MASE"]
        if bars:
            out.append(_img(bar_chart([b[0] for b in bars], [b[1] for b in bars], tx["holdout"]), tx["holdout"]))
    return "\n".join(out)


def _stores(d: Dashboard, tx: dict[str, str], lang: str) -> str:
    out = [f"<h2>{escape(tx['stores'])}</h2>"]
    if d.stores:
        names = [s.store for s in d.stores]
        out.append(_img(bar_chart(names, [s.forecast_units for s in d.stores], tx["stores_forecast"]),
                        tx["stores_forecast"]))
        out.append(_img(bar_chart(names, [s.order_units for s in d.stores], tx["stores_orders"], color="#2e8b57"),
                        tx["stores_orders"]))
    return "\n".join(out)


def _experiments(d: Dashboard, tx: dict[str, str], lang: str) -> str:
    out = [f"<h2>{escape(tx['experiments'])}</h2>"]
    if not d.experiments:
        out.append(_note(tx["no_experiments"]))
    for report in d.experiments:
        title = tx["exp_chart"].format(name=report.name)
        arms = report.arms
        out.append(_img(bar_chart([a.name for a in arms], [a.rate for a in arms], title, percent=True,
                                  errors=[(a.interval.low, a.interval.high) for a in arms]), title))
        p_values = {c.arm: c.test.p_value for c in report.comparisons if c.test is not None}
        rows = [[a.name, fmt_percent(a.rate, lang, 1),
                 f"{fmt_percent(a.interval.low, lang, 1)} – {fmt_percent(a.interval.high, lang, 1)}",
                 fmt_number(a.customers, lang, 0), f"{p_values[a.name]:.2g}" if a.name in p_values else "–"]
                for a in arms]
        out.append(_table([tx["col.arm"], tx["col.rate"], tx["col.ci"], tx["col.n"], tx["col.p"]], rows))
    return "\n".join(out)


def _segments(d: Dashboard, tx: dict[str, str], lang: str) -> str:
    out = [f"<h2>{escape(tx['segments'])}</h2>"]
    if d.segments is None:
        out.append(_note(tx["segments_locked"]))
        return "\n".join(out)
    name: Callable[[str], str] = lambda s: tx.get(f"seg.{s}", s)  # noqa: E731
    out.append(_img(bar_chart([name(s.name) for s in d.segments], [s.customers for s in d.segments],
                              tx["segments_chart"], color="#8e44ad"), tx["segments_chart"]))
    rows = [[name(s.name), fmt_number(s.customers, lang, 0), fmt_number(s.mean_visits, lang, 1),
             fmt_number(s.mean_spend, lang, 0)] for s in d.segments]
    out.append(_table([tx["col.segment"], tx["col.customers"], tx["col.visits"], tx["col.spend"]], rows))
    return "\n".join(out)
