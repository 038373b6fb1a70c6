"""Block Kit builders: content in French and English, and Slack's limits on large inputs."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from bot import rendering as r
from bot.home_rendering import home_view
from ml.results import (
    DailyQuantity,
    ForecastPoint,
    ForecastResult,
    Metric,
    ModelCard,
    Product,
    PropensityResult,
    Reason,
    ReasonCode,
    Recommendation,
    RecommendationResult,
    TargetCustomer,
    TargetResult,
)

AS_OF = date(2024, 6, 30)
YAOURT = Product("p1", "Yaourt nature", "Crèmerie")


def forecast(days: int = 1, product: Product = YAOURT) -> ForecastResult:
    points = tuple(ForecastPoint(AS_OF + timedelta(days=i + 1), 12.3 + i, 8.0 + i, 16.5 + i) for i in range(days))
    history = tuple(DailyQuantity(AS_OF - timedelta(days=i), 10.0 + i % 7) for i in range(60, -1, -1))
    return ForecastResult(product, points[-1].day, points, history, 80, "GlobalGBM", AS_OF)


def recommendations(n: int = 3, name: str = "Baguette tradition") -> RecommendationResult:
    reasons = [Reason(ReasonCode.REPEAT, {"times": 12, "last_days_ago": 3}),
               Reason(ReasonCode.ALSO_BOUGHT, {"anchor": "Baguette tradition"}),
               Reason(ReasonCode.POPULAR, {"share": 0.38})]
    items = tuple(Recommendation(Product(f"p{i}", f"{name} {i}"), 1.0 / (i + 1), reasons[i % 3]) for i in range(n))
    return RecommendationResult("42", items, "Recommender", AS_OF)


def all_blocks(blocks: list[dict]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def check_limits(blocks: list[dict], max_blocks: int = 50) -> None:
    assert len(blocks) <= max_blocks
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
        if block["type"] == "context":
            assert 1 <= len(block["elements"]) <= 10
            assert all(len(e["text"]) <= 3000 for e in block["elements"])


def test_forecast_single_day() -> None:
    text, blocks = r.forecast_blocks(forecast(1), "fr")
    assert "Prévision\u00a0: Yaourt nature" in text
    assert "lundi 1er juillet 2024" in text and "12,3" in text and "intervalle à 80\u202f%" in text
    assert "8 – 16,5" in text
    assert "dimanche 30 juin 2024" in text and "GlobalGBM" in text
    assert blocks[0]["type"] == "header"
    assert "```" not in all_blocks(blocks)


def test_forecast_period_has_a_daily_table() -> None:
    text, blocks = r.forecast_blocks(forecast(7), "fr", table=True)
    body = all_blocks(blocks)
    assert "```" in body
    for day in ("lun. 01/07", "dim. 07/07"):
        assert day in text and day in body
    total = sum(12.3 + i for i in range(7))
    assert r.fmt_quantity(total, "fr") in text


def test_forecast_in_english() -> None:
    text, _ = r.forecast_blocks(forecast(1), "en")
    assert "Forecast: Yaourt nature" in text and "Monday 1 July 2024" in text and "80% interval" in text


def test_requested_day_inside_a_longer_result() -> None:
    result = forecast(5)
    result = ForecastResult(result.product, AS_OF + timedelta(days=2), result.points, result.history, 80, "m", AS_OF)
    text, _ = r.forecast_blocks(result, "fr")
    assert "mardi 2 juillet 2024" in text and "13,3" in text


def test_reason_texts() -> None:
    assert r.reason_text(Reason(ReasonCode.REPEAT, {"times": 12, "last_days_ago": 3}), "fr") == \
        "acheté 12 fois, la dernière fois il y a 3 jours"
    assert r.reason_text(Reason(ReasonCode.ALSO_BOUGHT, {"anchor": "Baguette tradition"}), "fr") == \
        "souvent acheté avec Baguette tradition"
    assert r.reason_text(Reason(ReasonCode.POPULAR, {"share": 0.38}), "fr") == "populaire\u00a0: 38\u202f% des clients"
    assert r.reason_text(Reason(ReasonCode.REPEAT, {"times": 1, "last_days_ago": 0}), "fr", AS_OF) == \
        "acheté une fois, la dernière fois le 30/06/2024"
    assert r.reason_text(Reason(ReasonCode.POPULAR, {}), "fr") == "suggéré par le modèle"  # malformed params
    assert r.reason_text(Reason(ReasonCode.REPEAT, {"times": "x"}), "fr") == "suggéré par le modèle"


def test_recommendations_are_numbered_with_reasons() -> None:
    text, blocks = r.recommendation_blocks(recommendations(3), "fr")
    assert "1. *Baguette tradition 0* — acheté 12 fois, la dernière fois il y a 3 jours" in text
    assert "2. *Baguette tradition 1* — souvent acheté avec Baguette tradition" in text
    assert "3. *Baguette tradition 2* — populaire\u00a0: 38\u202f% des clients" in text
    assert "client 42" in text
    empty_text, _ = r.recommendation_blocks(RecommendationResult("42", (), "Recommender", AS_OF), "fr")
    assert "Aucune suggestion" in empty_text


def propensity(customer: str | None = "42", probability: float = 0.63, base: float = 0.21,
               drivers: tuple[str, ...] = ("product_frequency", "visit_recency")) -> PropensityResult:
    return PropensityResult(customer, Product("p3", "Lait demi-écrémé"), probability, 14, base, "PropensityGBM",
                            AS_OF, drivers, is_profile=customer is None)


def test_propensity() -> None:
    text, _ = r.propensity_blocks(propensity(), "fr")
    assert "63\u202f%" in text and "14 prochains jours" in text
    assert "3 fois la moyenne des clients (21\u202f%)" in text
    assert "achète souvent ce produit et est venu récemment" in text
    assert "moins que la moyenne" in r.propensity_blocks(propensity(probability=0.05), "fr")[0]
    assert "proche de la moyenne" in r.propensity_blocks(propensity(probability=0.22), "fr")[0]
    assert "Presque aucun" in r.propensity_blocks(propensity(base=0.0), "fr")[0]
    assert "Profil simulé" in r.propensity_blocks(propensity(customer=None), "fr")[0]
    assert "some new code" in r.propensity_blocks(propensity(drivers=("some_new_code",)), "fr")[0]


def test_target() -> None:
    result = TargetResult(YAOURT, (TargetCustomer("7", 0.87), TargetCustomer("12", 0.5)), 14, "PropensityGBM", AS_OF)
    text, _ = r.target_blocks(result, "fr")
    assert "1. Client 7 — 87\u202f%" in text and "2. Client 12 — 50\u202f%" in text
    assert "Aucun client" in r.target_blocks(TargetResult(YAOURT, (), 14, "m", AS_OF), "fr")[0]


def test_help() -> None:
    text, blocks = r.help_blocks("", "fr")
    for command in ("/forecast", "/recommend", "/predict", "/target"):
        assert command in text
    assert "Exemples" in text and "demain" in text
    text, _ = r.help_blocks("forecast", "en")
    assert "/forecast plain yogurt tomorrow" in text and "/recommend" not in text
    check_limits(blocks)


def test_user_text_is_escaped() -> None:
    text, blocks = r.forecast_blocks(forecast(1, Product("p9", "Chips <paprika> & sel")), "fr")
    body = all_blocks(blocks[1:])
    assert "&lt;paprika&gt; &amp; sel" in text and "<paprika>" not in body
    assert blocks[0]["text"]["text"] == "Prévision\u00a0: Chips <paprika> & sel"  # plain_text header: not escaped
    _, blocks = r.error_blocks("Syntaxe : `/forecast <produit>`", "fr")
    assert "&lt;produit&gt;" in blocks[0]["text"]["text"]


def test_limits_on_large_inputs() -> None:
    long_name = "Très long nom de produit " * 20
    product = Product("p", long_name)
    _, blocks = r.forecast_blocks(forecast(400, product), "fr", table=True)
    check_limits(blocks)
    _, blocks = r.recommendation_blocks(recommendations(500, long_name), "fr")
    check_limits(blocks)
    assert blocks[-1]["type"] == "context" and "de plus" in blocks[-1]["elements"][0]["text"]
    customers = tuple(TargetCustomer(str(i) * 200, 0.5) for i in range(300))
    _, blocks = r.target_blocks(TargetResult(product, customers, 14, "m", AS_OF), "en")
    check_limits(blocks)
    text, blocks = r.logistics_blocks([forecast(1, product)] * 300, AS_OF + timedelta(days=1), "fr")
    check_limits(blocks)
    assert len(text) <= 3000
    view = home_view([card()] * 80, [forecast(1, product)] * 200, "fr")
    check_limits(view["blocks"], max_blocks=100)
    modal = r.profile_modal([Product(str(i) * 200, long_name) for i in range(300)], "fr")
    options = modal["blocks"][1]["element"]["options"]
    assert len(options) == 100
    assert all(len(o["text"]["text"]) <= 75 and len(o["value"]) <= 150 for o in options)


def card(task: str = "forecast") -> ModelCard:
    return ModelCard(task, "GlobalGBM", datetime(2024, 7, 1, 6, 0), "simulateur", date(2023, 7, 1), AS_OF,
                     (Metric("MASE", 0.8123, False),), {"SeasonalNaive": (Metric("MASE", 1.02, False),)})


def test_home_view() -> None:
    view = home_view([card(), card("recommend")], [forecast(1)], "fr")
    assert view["type"] == "home"
    body = all_blocks(view["blocks"])
    assert "Prévision des ventes" in body and "Suggestions de produits" in body
    assert "Yaourt nature" in body and "12,3" in body
    empty = all_blocks(home_view([], [], "en")["blocks"])
    assert "No trained model yet" in empty and "No forecast available" in empty


def test_profile_modal() -> None:
    products = [YAOURT, Product("p2", "Baguette tradition")]
    modal = r.profile_modal(products, "fr")
    assert modal["type"] == "modal" and modal["callback_id"] == r.PROFILE_CALLBACK_ID
    assert len(modal["title"]["text"]) <= 24
    inputs = {b["block_id"]: b for b in modal["blocks"] if b["type"] == "input"}
    assert set(inputs) == {r.PRODUCT_BLOCK, r.VISITS_BLOCK, r.LAST_VISIT_BLOCK, r.TIMES_BOUGHT_BLOCK,
                           r.LAST_BOUGHT_BLOCK, r.BASKET_BLOCK}
    assert inputs[r.PRODUCT_BLOCK]["element"]["action_id"] == r.PRODUCT_ACTION
    assert [o["value"] for o in inputs[r.PRODUCT_BLOCK]["element"]["options"]] == ["p1", "p2"]
    assert inputs[r.LAST_BOUGHT_BLOCK]["optional"] is True
    assert inputs[r.VISITS_BLOCK]["element"]["action_id"] == r.VISITS_ACTION
    free = r.profile_modal([], "en")
    assert free["blocks"][1]["element"]["type"] == "plain_text_input"


def test_profile_result_modal() -> None:
    modal = r.profile_result_modal(propensity(customer=None), "fr")
    assert modal["type"] == "modal" and "submit" not in modal
    assert "63\u202f%" in all_blocks(modal["blocks"])


def test_logistics_blocks() -> None:
    day = AS_OF + timedelta(days=1)
    text, blocks = r.logistics_blocks([forecast(1), forecast(1, Product("p2", "Baguette tradition"))], day, "fr")
    assert "Prévision de la demande — lundi 1er juillet 2024" in text
    assert "Yaourt nature" in text and "Baguette tradition" in text and "12,3" in text
    assert "```" in all_blocks(blocks)
    text, _ = r.logistics_blocks([], day, "en")
    assert "No forecast available for Monday 1 July 2024" in text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_builder_returns_json_serialisable_dicts(lang: str) -> None:
    outputs = [r.forecast_blocks(forecast(3), lang, table=True)[1], r.recommendation_blocks(recommendations(), lang)[1],
               r.propensity_blocks(propensity(), lang)[1], r.help_blocks("", lang)[1],
               home_view([card()], [forecast()], lang), r.profile_modal([YAOURT], lang)]
    for out in outputs:
        json.dumps(out)
