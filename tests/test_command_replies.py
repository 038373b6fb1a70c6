"""Issue 10, point 7, end to end: command text in, reply out, against a real trained Caddie.

The fixture's data ends on Sunday 30 June 2024; ``today`` is Monday 1 July 2024, the first forecast day.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.dispatch import Reply, handle
from bot.i18n import fmt_date, fmt_expected, t

MONDAY = date(2024, 7, 1)


def ask(caddie, command: str, text: str, lang: str = "fr", today: date = MONDAY) -> Reply:
    return handle(command, text, caddie, lang=lang, today=today)


def is_error(reply: Reply) -> bool:
    return reply.blocks[0].get("text", {}).get("text", "").startswith(":warning:")


def test_dans_3_jours_is_that_day_and_3_jours_a_period(caddie, as_of: date) -> None:
    assert as_of == date(2024, 6, 30)
    day = ask(caddie, "/forecast", "baguette dans 3 jours")
    assert not is_error(day)
    assert "jeudi 4 juillet 2024" in day.text and "au total" not in day.text
    assert day.chart_filename.endswith("2024-07-04.png")
    period = ask(caddie, "/forecast", "baguette 3 jours")
    assert "Du lundi 1er juillet 2024 au mercredi 3 juillet 2024" in period.text and "au total" in period.text
    english = ask(caddie, "/forecast", "milk in 3 days", lang="en")
    assert "Thursday 4 July 2024" in english.text


def test_a_range_shows_its_days_and_their_total(caddie) -> None:
    reply = ask(caddie, "/forecast", "champagne ce week-end")
    assert not is_error(reply), reply.text
    saturday, sunday = date(2024, 7, 6), date(2024, 7, 7)
    assert f"Du {fmt_date(saturday, 'fr')} au {fmt_date(sunday, 'fr')}" in reply.text
    points = [p for p in caddie.forecast("champagne", sunday).points if p.day >= saturday]
    assert [p.day for p in points] == [saturday, sunday]
    assert fmt_expected(sum(p.mean for p in points), "fr") in reply.text
    assert "sam. 06/07" in reply.text and "dim. 07/07" in reply.text and "ven. 05/07" not in reply.text


def test_this_week_starts_today_and_next_week_is_monday_to_sunday(caddie) -> None:
    wednesday = date(2024, 7, 3)
    reply = ask(caddie, "/forecast", "lait cette semaine", today=wednesday)
    assert "Du mercredi 3 juillet 2024 au dimanche 7 juillet 2024" in reply.text
    reply = ask(caddie, "/forecast", "lait la semaine prochaine")
    assert "Du lundi 8 juillet 2024 au dimanche 14 juillet 2024" in reply.text


@pytest.mark.parametrize("text", ["yaourt hier", "yaourt avant-hier", "yaourt lundi dernier"])
def test_a_past_day_is_said_to_be_past(caddie, text: str) -> None:
    reply = ask(caddie, "/forecast", text)
    assert is_error(reply)
    assert "déjà passé" in reply.text and "lundi 1er juillet 2024" in reply.text
    assert "Je ne trouve pas le produit" not in reply.text


@pytest.mark.parametrize(("text", "day"), [("yaourt le 30 novembre", "samedi 30 novembre 2024"),
                                           ("champagne 1er août", "jeudi 1er août 2024"),
                                           ("lait le 14 juillet", None)])
def test_month_names_are_read_never_blamed_on_the_product(caddie, text: str, day: str | None) -> None:
    reply = ask(caddie, "/forecast", text)
    assert "Je ne trouve pas le produit" not in reply.text
    if day is None:  # 14 July is within the horizon
        assert not is_error(reply) and "dimanche 14 juillet 2024" in reply.text
    else:
        assert day in reply.text and "du lundi 1er juillet 2024 au dimanche 14 juillet 2024" in reply.text


@pytest.mark.parametrize(("text", "named"), [("yaourt -5j", "-5j"), ("yaourt demain matin", "matin"),
                                             ("yaourt le 30 novembr", "novembr"), ("yaourt demain 7j", "7j")])
def test_what_is_not_understood_is_said(caddie, text: str, named: str) -> None:
    reply = ask(caddie, "/forecast", text)
    assert is_error(reply) and named in reply.text
    assert "Je ne trouve pas le produit" not in reply.text


def test_emoji_around_the_product_are_ignored(caddie) -> None:
    for text in (":yogurt: yaourt nature demain", "🥛 lait demain", "lait 👍🏽 demain"):
        reply = ask(caddie, "/forecast", text)
        assert not is_error(reply), reply.text
        assert "mardi 2 juillet 2024" in reply.text


def test_customer_numbers_in_every_form(caddie) -> None:
    expected = ask(caddie, "/recommend", "42").text
    assert "client 42" in expected
    for text in ("client n°42", "client no 42", "#42", "client ４２", "client ٤٢", "client numéro 42"):
        assert ask(caddie, "/recommend", text).text == expected


@pytest.mark.parametrize("text", ["client ²", "¹²", "9" * 5000, "client lait"])
def test_not_a_customer_number_is_a_clear_message(caddie, text: str) -> None:
    reply = ask(caddie, "/recommend", text)
    assert is_error(reply)
    assert "n'est pas un numéro de client" in reply.text and "Désolé" not in reply.text
    assert len(reply.text) < 400


def test_an_unknown_customer_gets_the_shape_of_a_customer_number(caddie) -> None:
    ids = [int(c) for c in caddie.customers()]
    reply = ask(caddie, "/recommend", "client 99999")
    assert f"vont de {min(ids)} à {max(ids)}" in reply.text
    assert ask(caddie, "/predict", "client 99999 lait", lang="en").text.count(f"from {min(ids)} to {max(ids)}") == 1


def test_control_characters_are_never_echoed(caddie) -> None:
    reply = ask(caddie, "/forecast", "yaou\x00rt\x1b[31m xyz\x00\x07")
    assert is_error(reply)
    shown = reply.text + str(reply.blocks)
    assert "\x00" not in shown and "\x1b" not in shown and "\x07" not in shown
    assert "\\x00" not in shown


def test_past_and_beyond_messages_in_english(caddie, as_of: date) -> None:
    reply = ask(caddie, "/forecast", "yogurt yesterday", lang="en")
    assert "already past" in reply.text and fmt_date(as_of, "en") in reply.text
    first, last = as_of + timedelta(days=1), as_of + timedelta(days=caddie.horizon_days)
    assert t("error.date_past", "en", requested=fmt_date(as_of, "en"), earliest=fmt_date(first, "en"),
             latest=fmt_date(last, "en")) in reply.text
