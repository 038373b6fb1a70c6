"""App Home in plain words for store teams: no acronyms nor class names; live accuracy when sales came back."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from bot.home_rendering import HomeAccuracy, home_view, one_in, sparkline, times_in_ten
from bot.i18n import NNBSP
from bot.model_figures import technical_figures
from ml.live_accuracy import PeriodAccuracy, summarise, Realised
from ml.results import Metric, ModelCard

JARGON = ("MASE", "WAPE", "NDCG", "ndcg", "recall", "Brier", "brier", "roc_auc", "auc", "GlobalGBM", "ItemKNN",
          "LinearRegressionPrototype", "SeasonalNaive")


def cards() -> list[ModelCard]:
    trained, start, end = datetime(2024, 7, 1, 6, 0), date(2023, 7, 1), date(2024, 6, 30)
    return [
        ModelCard("forecast", "GlobalGBM", trained, "simulateur", start, end,
                  (Metric("MASE", 0.81, False), Metric("WAPE", 0.123, False), Metric("coverage", 0.79, True)),
                  {"SeasonalNaive": (Metric("MASE", 1.02, False), Metric("WAPE", 0.18, False))}),
        ModelCard("recommend", "ItemKNN", trained, "simulateur", start, end,
                  (Metric("recall@10", 0.2, True), Metric("ndcg@10", 0.11, True)),
                  {"popular": (Metric("recall@10", 0.25, True),)}),
        ModelCard("propensity", "LinearRegressionPrototype", trained, "simulateur", start, end,
                  (Metric("roc_auc", 0.83, True), Metric("brier", 0.07, False)), {}),
    ]


def text_of(view: dict) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


def test_home_speaks_plain_french_from_the_test_figures() -> None:
    body = text_of(home_view(cards(), [], "fr"))
    assert not [word for word in JARGON if word in body]
    assert f"les prévisions se sont trompées de *12{NNBSP}%* en moyenne" in body
    assert f"mieux que la méthode simple de référence (18{NNBSP}%)" in body
    assert "dans la fourchette annoncée 8 fois sur 10" in body
    assert "*1 sur 5* figurait dans leurs suggestions" in body
    assert "fait aussi bien ou mieux (1 sur 4)" in body  # recall 0.20 against a baseline at 0.25: said
    assert "au bon client *8 fois sur 10*" in body
    assert "tableau de bord" in body


def test_home_in_english() -> None:
    body = text_of(home_view(cards(), [], "en"))
    assert not [word for word in JARGON if word in body]
    assert "the forecasts were off by *12%* on average" in body and "*1 in 5* was among their suggestions" in body


def test_home_shows_yesterday_and_the_28_day_trend_when_sales_came_back() -> None:
    def week(start: int, rows: list[Realised]) -> PeriodAccuracy:
        return PeriodAccuracy(date(2024, 7, start), date(2024, 7, start + 6), summarise(rows))

    weeks = [week(1, [Realised(10, 0, 20, 8)]), week(8, []), week(15, [Realised(10, 5, 15, 10)]),
             week(22, [Realised(12, 0, 20, 10), Realised(9, 8, 10, 10)])]
    yesterday = summarise([Realised(12, 0, 20, 10), Realised(9, 8, 10, 10)])  # 3 off over 20 sold: 15 %
    month = summarise([Realised(10, 0, 20, 8), Realised(10, 5, 15, 10), Realised(12, 0, 20, 10),
                       Realised(9, 8, 10, 10)])  # forecast 41, sold 38: 8 % too many; 4 of 4 inside
    live = HomeAccuracy(date(2024, 7, 28), yesterday, weeks, month)
    body = text_of(home_view(cards(), [], "fr", live))
    assert f"Hier, les prévisions se sont trompées de *15{NNBSP}%* en moyenne (prévu 21, vendu 20)" in body
    assert f"25{NNBSP}% · – · 0{NNBSP}% · 15{NNBSP}%" in body and "`█·▁▅`" in body
    assert f"un peu trop hautes (8{NNBSP}% de trop)" in body
    assert "fourchette annoncée 10 fois sur 10" in body
    assert "Lors du dernier test sur des ventes passées" not in body  # the live figures replace the test's
    no_sales_yet = text_of(home_view(cards(), [], "en", HomeAccuracy(date(2024, 7, 28), None, weeks, month)))
    assert "Yesterday's sales have not arrived yet" in no_sales_yet


@pytest.mark.parametrize(("share", "fr", "en"), [(0.2, "1 sur 5", "1 in 5"), (0.34, "1 sur 3", "1 in 3"),
                                                 (0.6, f"60{NNBSP}%", "60%")])
def test_one_in(share: float, fr: str, en: str) -> None:
    assert one_in(share, "fr") == fr and one_in(share, "en") == en


def test_times_in_ten_and_sparkline() -> None:
    assert times_in_ten(0.83, "fr") == "8 fois sur 10" and times_in_ten(0.86, "en") == "9 times in 10"
    assert sparkline([0.1, None, 0.2, 0.4]) == "▃·▅█"
    assert sparkline([0.0, 0.0]) == "▁▁"


def test_technical_figures_for_the_dashboard() -> None:
    rows = technical_figures(cards())
    forecast = [r for r in rows if r.task == "forecast"]
    assert [(r.model, r.metric, r.value, r.is_baseline) for r in forecast] == [
        ("GlobalGBM", "MASE", 0.81, False), ("GlobalGBM", "WAPE", 0.123, False), ("GlobalGBM", "coverage", 0.79, False),
        ("SeasonalNaive", "MASE", 1.02, True), ("SeasonalNaive", "WAPE", 0.18, True)]
    assert any(r.metric == "brier" and r.model == "LinearRegressionPrototype" for r in rows)
