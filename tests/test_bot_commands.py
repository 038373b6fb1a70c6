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
