"""End to end through the bot core: command text in, reply out, against a real trained Caddie."""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta

import pytest

from bot.dispatch import Reply, handle, home, profile_form, slugify, submit_profile
from bot.i18n import fmt_date
from bot.rendering import (
    BASKET_ACTION,
    BASKET_BLOCK,
    LAST_BOUGHT_ACTION,
    LAST_BOUGHT_BLOCK,
    LAST_VISIT_ACTION,
    LAST_VISIT_BLOCK,
    PRODUCT_ACTION,
    PRODUCT_BLOCK,
    TIMES_BOUGHT_ACTION,
    TIMES_BOUGHT_BLOCK,
    VISITS_ACTION,
    VISITS_BLOCK,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def ask(caddie, command: str, text: str, as_of: date, lang: str = "fr", today: date | None = None) -> Reply:
    return handle(command, text, caddie, lang=lang, today=today or as_of + timedelta(days=1))


def test_forecast_tomorrow_with_chart(caddie, as_of: date) -> None:
    reply = ask(caddie, "/forecast", "yaourt nature demain", as_of)
    day = as_of + timedelta(days=2)
    assert reply.in_channel and not reply.open_modal
    assert "Yaourt nature" in reply.text
    assert fmt_date(day, "fr") in reply.text and fmt_date(as_of, "fr") in reply.text
    assert reply.chart_png is not None and reply.chart_png.startswith(PNG_SIGNATURE)
    assert reply.chart_filename == f"prevision-yaourt-nature-{day.isoformat()}.png"


def test_forecast_period_lists_every_day(caddie, as_of: date) -> None:
    reply = ask(caddie, "forecast", "baguette tradition 7j", as_of)
    assert reply.in_channel
    for i in range(1, 8):
        assert fmt_date(as_of + timedelta(days=i), "fr", "day") in reply.text
    assert "```" in str(reply.blocks)


def test_historical_data_still_answers_tomorrow(caddie, as_of: date) -> None:
    reply = ask(caddie, "/forecast", "yaourt nature demain", as_of, today=as_of + timedelta(days=400))
    assert reply.in_channel
    assert fmt_date(as_of + timedelta(days=2), "fr") in reply.text


def test_forecast_beyond_the_horizon_gives_the_valid_range(caddie, as_of: date) -> None:
    reply = ask(caddie, "/forecast", f"yaourt nature +{caddie.horizon_days + 5}", as_of)
    assert not reply.in_channel and reply.chart_png is None
    assert fmt_date(as_of + timedelta(days=caddie.horizon_days), "fr") in reply.text


def test_unknown_product(caddie, as_of: date) -> None:
    reply = ask(caddie, "/forecast", "xqzw vbnm", as_of)
    assert not reply.in_channel
    assert "xqzw vbnm" in reply.text and "produit" in reply.text


def test_recommend(caddie, as_of: date) -> None:
    reply = ask(caddie, "/recommend", "client 1 3", as_of)
    assert reply.in_channel
    assert "client 1" in reply.text
    assert re.search(r"^1\. \*", reply.text, re.M) and not re.search(r"^4\. \*", reply.text, re.M)


def test_unknown_customer(caddie, as_of: date) -> None:
    reply = ask(caddie, "/recommend", "client 99999999", as_of)
    assert not reply.in_channel and "99999999" in reply.text


def test_predict_and_target(caddie, as_of: date) -> None:
    reply = ask(caddie, "/predict", "client 1 baguette tradition", as_of)
    assert reply.in_channel and "%" in reply.text and "Client 1" in reply.text
    reply = ask(caddie, "/target", "baguette tradition 5", as_of, lang="en")
    assert reply.in_channel
    assert 1 <= len(re.findall(r"^\d+\. Customer ", reply.text, re.M)) <= 5


def test_help_usage_and_profile_are_ephemeral(caddie, as_of: date) -> None:
    reply = ask(caddie, "/forecast", "aide", as_of)
    assert not reply.in_channel and "/forecast" in reply.text and reply.blocks
    reply = ask(caddie, "/recommend", "client 42 99", as_of)
    assert not reply.in_channel and "entre 1 et 20" in reply.text and "Syntaxe" in reply.text
    reply = ask(caddie, "/predict", "profil", as_of)
    assert reply.open_modal and not reply.in_channel


def test_never_raises_and_hides_the_trace(caddie, as_of: date, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        reply = handle("/forecast", "yaourt", None, today=as_of)  # type: ignore[arg-type]
    assert not reply.in_channel
    ref = re.search(r"E-[0-9A-F]{6}", reply.text).group(0)
    assert "Traceback" not in reply.text and "NoneType" not in reply.text
    assert ref in caplog.text


def test_profile_form_and_submission(caddie, as_of: date) -> None:
    form = profile_form(caddie, lang="fr")
    options = form["blocks"][1]["element"]["options"]
    assert options
    values = {
        PRODUCT_BLOCK: {PRODUCT_ACTION: {"type": "static_select", "selected_option": options[0]}},
        VISITS_BLOCK: {VISITS_ACTION: {"type": "plain_text_input", "value": "8"}},
        LAST_VISIT_BLOCK: {LAST_VISIT_ACTION: {"type": "plain_text_input", "value": "2"}},
        TIMES_BOUGHT_BLOCK: {TIMES_BOUGHT_ACTION: {"type": "plain_text_input", "value": "5"}},
        LAST_BOUGHT_BLOCK: {LAST_BOUGHT_ACTION: {"type": "plain_text_input", "value": "6"}},
        BASKET_BLOCK: {BASKET_ACTION: {"type": "plain_text_input", "value": "52,40"}},
    }
    ack = submit_profile(values, caddie, lang="fr")
    assert ack["response_action"] == "update"
    assert "%" in str(ack["view"]["blocks"]) and "Profil simulé" in str(ack["view"]["blocks"])
    values[VISITS_BLOCK][VISITS_ACTION]["value"] = "souvent"
    ack = submit_profile(values, caddie, lang="fr")
    assert ack == {"response_action": "errors", "errors": {VISITS_BLOCK: "Entrez un nombre, par exemple 12,5."}}


def test_home_view_shows_cards_and_forecasts(caddie, as_of: date) -> None:
    view = home(caddie, lang="fr")
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    shown = str(view["blocks"])
    assert caddie.forecast_top(1)[0].product.name in shown
    # plain words for store teams: no model class names, no metric acronyms; the test error in percent
    assert not any(card.model in shown for card in caddie.model_cards())
    assert not any(word in shown for word in ("MASE", "WAPE", "NDCG", "ndcg", "Brier", "brier", "roc_auc"))
    wape = next(m.value for c in caddie.model_cards() if c.task == "forecast" for m in c.metrics if m.name == "WAPE")
    assert f"trompées de *{round(100 * wape)}" in shown


def test_slug_and_filename() -> None:
    assert slugify("Yaourt nature 1,5 % Matière grasse") == "yaourt-nature-1-5-matiere-grasse"
    assert slugify("!!!") == "produit"
