"""Parsing slash commands into typed commands."""

from __future__ import annotations

from datetime import date

import pytest

from bot.commands import (
    ForecastCommand,
    HelpCommand,
    PredictCommand,
    ProfileCommand,
    RecommendCommand,
    TargetCommand,
    parse_command,
)
from bot.errors import BadDate, UsageError

TODAY = date(2024, 7, 1)  # a Monday


def parse(command: str, text: str):
    return parse_command(command, text, TODAY)


@pytest.mark.parametrize(("text", "expected"), [
    ("yaourt", ForecastCommand("yaourt", None, None)),
    ("yaourt nature", ForecastCommand("yaourt nature", None, None)),
    ("yaourt nature demain", ForecastCommand("yaourt nature", date(2024, 7, 2), None)),
    ("yaourt nature 2024-07-05", ForecastCommand("yaourt nature", date(2024, 7, 5), None)),
    ("lait 05/07", ForecastCommand("lait", date(2024, 7, 5), None)),
    ("pain samedi", ForecastCommand("pain", date(2024, 7, 6), None)),
    ("pain après-demain", ForecastCommand("pain", date(2024, 7, 3), None)),
    ("pain apres demain", ForecastCommand("pain", date(2024, 7, 3), None)),
    ("baguette tradition 7j", ForecastCommand("baguette tradition", None, 7)),
    ("baguette 7 jours", ForecastCommand("baguette", None, 7)),
    ("baguette +3", ForecastCommand("baguette", None, 3)),
    ("fruits de mer", ForecastCommand("fruits de mer", None, None)),  # "mer" is not a weekday
    ("coca 1.5", ForecastCommand("coca 1.5", None, None)),
])
def test_forecast(text: str, expected: ForecastCommand) -> None:
    assert parse("/forecast", text) == expected
    assert parse("forecast", text) == expected


@pytest.mark.parametrize("text", ["demain", "7j", "7 jours", "2024-07-05", "apres demain"])
def test_forecast_without_product(text: str) -> None:
    with pytest.raises(UsageError) as info:
        parse("/forecast", text)
    assert (info.value.command, info.value.problem) == ("forecast", "missing_product")


def test_forecast_impossible_date_is_a_bad_date() -> None:
    with pytest.raises(BadDate) as info:
        parse("/forecast", "lait 31/02")
    assert info.value.hint == "no_such_day"
    assert info.value.command == "forecast"


def test_forecast_zero_day_period() -> None:
    with pytest.raises(UsageError) as info:
        parse("/forecast", "lait 0j")
    assert info.value.problem == "bad_horizon"


@pytest.mark.parametrize(("text", "expected"), [
    ("client 42", RecommendCommand("42", 5)),
    ("42", RecommendCommand("42", 5)),
    ("customer 42 3", RecommendCommand("42", 3)),
    ("cli 42 20", RecommendCommand("42", 20)),
    ("Client #42 1", RecommendCommand("42", 1)),
])
def test_recommend(text: str, expected: RecommendCommand) -> None:
    assert parse("/recommend", text) == expected


@pytest.mark.parametrize(("text", "problem", "params"), [
    ("client", "missing_customer", {}),
    ("client 42 beaucoup", "bad_n", {"value": "beaucoup"}),
    ("client 42 0", "n_out_of_range", {"value": 0, "min": 1, "max": 20}),
    ("42 21", "n_out_of_range", {"value": 21, "min": 1, "max": 20}),
    ("42 5 6", "too_many_args", {"extra": "6"}),
])
def test_recommend_problems(text: str, problem: str, params: dict) -> None:
    with pytest.raises(UsageError) as info:
        parse("/recommend", text)
    assert info.value.command == "recommend"
    assert info.value.problem == problem
    assert info.value.params == params


def test_predict() -> None:
    assert parse("/predict", "client 42 lait demi-écrémé") == PredictCommand("42", "lait demi-écrémé")
    assert parse("/predict", "42 yaourt nature") == PredictCommand("42", "yaourt nature")
    assert parse("/predict", "profil") == ProfileCommand()
    assert parse("/predict", "Profile") == ProfileCommand()


@pytest.mark.parametrize(("text", "problem"), [("client 42", "missing_product"), ("client", "missing_customer"),
                                               ("42", "missing_product")])
def test_predict_problems(text: str, problem: str) -> None:
    with pytest.raises(UsageError) as info:
        parse("/predict", text)
    assert info.value.problem == problem


def test_target() -> None:
    assert parse("/target", "baguette") == TargetCommand("baguette", 10)
    assert parse("/target", "yaourt nature 20") == TargetCommand("yaourt nature", 20)
    assert parse("/target", "yaourt nature 50") == TargetCommand("yaourt nature", 50)


@pytest.mark.parametrize(("text", "problem"), [("10", "missing_product"), ("baguette 51", "n_out_of_range"),
                                               ("baguette 0", "n_out_of_range")])
def test_target_problems(text: str, problem: str) -> None:
    with pytest.raises(UsageError) as info:
        parse("/target", text)
    assert info.value.problem == problem


@pytest.mark.parametrize("command", ["/forecast", "/recommend", "/predict", "/target"])
@pytest.mark.parametrize("text", ["", "  ", "help", "aide", "AIDE", "?"])
def test_help(command: str, text: str) -> None:
    assert parse(command, text) == HelpCommand(command.lstrip("/"))


def test_unknown_command() -> None:
    with pytest.raises(UsageError) as info:
        parse("/meteo", "demain")
    assert info.value.problem == "unknown_command"


# --------------------------------------------------------------------------- issue 10: nothing dropped, dates, ids
# expectations computed by hand from a calendar: Wednesday 26 June 2024

WEDNESDAY = date(2024, 6, 26)


@pytest.mark.parametrize(("text", "expected"), [
    ("baguette dans 3 jours", ForecastCommand("baguette", date(2024, 6, 29), None)),  # that day, not 3 days
    ("baguette 3 jours", ForecastCommand("baguette", None, 3)),
    ("baguette sur 7 jours", ForecastCommand("baguette", None, 7)),
    ("baguette pendant une semaine", ForecastCommand("baguette", None, 7)),
    ("champagne 1er août", ForecastCommand("champagne", date(2024, 8, 1), None)),
    ("yaourt le 30 novembre", ForecastCommand("yaourt", date(2024, 11, 30), None)),
    ("lait le 14 juillet", ForecastCommand("lait", date(2024, 7, 14), None)),
    ("lait December 24", ForecastCommand("lait", date(2024, 12, 24), None)),
    ("lait 24/12", ForecastCommand("lait", date(2024, 12, 24), None)),
    ("lait hier", ForecastCommand("lait", date(2024, 6, 25), None)),
    ("champagne ce week-end", ForecastCommand("champagne", date(2024, 6, 29), None, until=date(2024, 6, 30))),
    ("lait la semaine prochaine", ForecastCommand("lait", date(2024, 7, 1), None, until=date(2024, 7, 7))),
    ("lait cette semaine", ForecastCommand("lait", date(2024, 6, 26), None, until=date(2024, 6, 30))),
    (":yogurt: yaourt", ForecastCommand("yaourt", None, None)),
    ("🥛 lait demain", ForecastCommand("lait", date(2024, 6, 27), None)),
    ("lait 👍🏽 demain", ForecastCommand("lait", date(2024, 6, 27), None)),
    ("yaourt\x00 nature\x07 demain", ForecastCommand("yaourt nature", date(2024, 6, 27), None)),
    ("yaourt\tnature\ndemain", ForecastCommand("yaourt nature", date(2024, 6, 27), None)),
])
def test_forecast_dates_and_ranges(text: str, expected: ForecastCommand) -> None:
    assert parse_command("/forecast", text, WEDNESDAY) == expected


@pytest.mark.parametrize(("text", "value"), [("yaourt -5j", "-5j"), ("yaourt 0j", "0j"),
                                             ("yaourt 400j", "400j"), ("yaourt +99999999999", "+99999999999")])
def test_periods_that_cannot_be_answered_are_named(text: str, value: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_command("/forecast", text, WEDNESDAY)
    assert (info.value.problem, info.value.params) == ("bad_horizon", {"value": value})


@pytest.mark.parametrize(("text", "hint"), [
    ("yaourt demain matin", "trailing"), ("yaourt demain 7j", "two_dates"), ("yaourt le 31 juin", "no_such_day"),
    ("lait mardi 1er décembre", "wrong_weekday"), ("lait hier soir", "trailing"),
])
def test_date_problems_name_the_date_and_the_command(text: str, hint: str) -> None:
    with pytest.raises(BadDate) as info:
        parse_command("/forecast", text, WEDNESDAY)
    assert (info.value.hint, info.value.command) == (hint, "forecast")


@pytest.mark.parametrize("text", ["🥛", ":yogurt:", "ce week-end", "dans 3 jours"])
def test_forecast_without_a_product_says_so(text: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_command("/forecast", text, WEDNESDAY)
    assert info.value.problem == "missing_product"


def test_only_control_characters_is_the_help() -> None:
    assert parse_command("/forecast", "\x00\x00\x1b", WEDNESDAY) == HelpCommand("forecast")


@pytest.mark.parametrize(("text", "expected"), [
    ("client n°42", "42"), ("client N° 42", "42"), ("client no 42", "42"), ("client nº42", "42"),
    ("client numéro 42", "42"), ("#42", "42"), ("client #0042", "0042"), ("４２", "42"), ("٤٢", "42"),
    ("customer: 42", "42"), ("client C042", "C042"), ("client\x00 42", "42"), (":bust_in_silhouette: client 42", "42"),
])
def test_customer_numbers(text: str, expected: str) -> None:
    assert parse_command("/recommend", text, WEDNESDAY) == RecommendCommand(expected, 5)
    assert parse_command("/predict", f"{text} lait", WEDNESDAY) == PredictCommand(expected, "lait")


@pytest.mark.parametrize(("text", "shown"), [
    ("client ²", "²"), ("¹²", "¹²"), ("client lait", "lait"), ("client 4²", "4²"),
    ("9" * 5000, "9" * 23 + "…"), ("client ½", "½"),
])
def test_not_a_customer_number(text: str, shown: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_command("/recommend", text, WEDNESDAY)
    assert (info.value.problem, info.value.params) == ("not_a_customer", {"value": shown})


@pytest.mark.parametrize(("text", "problem", "value"), [
    ("42 ²", "bad_n", "²"), ("42 " + "9" * 5000, "n_out_of_range", "9" * 23 + "…"), ("42 -3", "n_out_of_range", -3),
])
def test_recommend_count_problems(text: str, problem: str, value: object) -> None:
    with pytest.raises(UsageError) as info:
        parse_command("/recommend", text, WEDNESDAY)
    assert (info.value.problem, info.value.params["value"]) == (problem, value)


def test_recommend_count_in_other_scripts() -> None:
    assert parse_command("/recommend", "client ٤٢ ٣", WEDNESDAY) == RecommendCommand("42", 3)
    assert parse_command("/target", "yaourt ２０", WEDNESDAY) == TargetCommand("yaourt", 20)


@pytest.mark.parametrize(("command", "text", "phrase"), [
    ("/target", "yaourt demain", "demain"), ("/target", "yaourt ce week-end 20", "ce week-end"),
    ("/predict", "42 lait le 14 juillet", "le 14 juillet"),
])
def test_commands_without_dates_name_the_date(command: str, text: str, phrase: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_command(command, text, WEDNESDAY)
    assert (info.value.problem, info.value.params) == ("no_date", {"value": phrase})


def test_target_strips_emoji_and_reads_superscripts_as_bad_counts() -> None:
    assert parse_command("/target", ":champagne: champagne 20", WEDNESDAY) == TargetCommand("champagne", 20)
    with pytest.raises(UsageError) as info:
        parse_command("/target", "yaourt ²", WEDNESDAY)
    assert (info.value.problem, info.value.params) == ("bad_n", {"value": "²"})


@pytest.mark.parametrize("text", ["a " * 41, "9" * 10_001])
def test_text_too_long_is_refused_not_cut(text: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_command("/forecast", text, WEDNESDAY)
    assert (info.value.problem, info.value.params) == ("too_long", {"limit": 40})


def test_an_emoji_is_not_a_customer_number() -> None:
    with pytest.raises(UsageError) as info:
        parse_command("/recommend", "client 🥛", WEDNESDAY)
    assert info.value.problem == "missing_customer"
