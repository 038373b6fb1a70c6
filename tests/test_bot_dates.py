"""Reading days and periods typed by store teams."""

from __future__ import annotations

from datetime import date

import pytest

from bot.dates import looks_like_date, normalize, parse_day, parse_horizon
from bot.errors import BadDate

FRIDAY = date(2024, 6, 28)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-07-01", date(2024, 7, 1)),
        ("01/07/2024", date(2024, 7, 1)),
        ("1/7/24", date(2024, 7, 1)),
        ("01.07.2024", date(2024, 7, 1)),
        ("01-07-2024", date(2024, 7, 1)),
        ("01/07", date(2024, 7, 1)),
        ("28/06", FRIDAY),  # today counts as the next occurrence of a day/month
        ("15/06", date(2024, 6, 15)),  # two weeks ago: that day (the service then says it is past)
        ("29/02", date(2024, 2, 29)),  # four months ago: that day
        ("demain", date(2024, 6, 29)),
        ("Demain", date(2024, 6, 29)),
        ("aujourd'hui", FRIDAY),
        ("aujourd’hui", FRIDAY),
        ("Aujourdhui", FRIDAY),
        ("après-demain", date(2024, 6, 30)),
        ("apres-demain", date(2024, 6, 30)),
        ("APRÈS DEMAIN", date(2024, 6, 30)),
        ("tomorrow", date(2024, 6, 29)),
        ("today", FRIDAY),
        ("lundi", date(2024, 7, 1)),
        ("samedi", date(2024, 6, 29)),
        ("vendredi", date(2024, 7, 5)),  # a weekday name is never today
        ("Monday", date(2024, 7, 1)),
        ("friday", date(2024, 7, 5)),
        ("samedi prochain", date(2024, 6, 29)),
        ("next sunday", date(2024, 6, 30)),
        ("  mercredi ", date(2024, 7, 3)),
    ],
)
def test_parse_day_reads_the_supported_forms(text: str, expected: date) -> None:
    assert parse_day(text, FRIDAY) == expected


def test_weekday_is_always_within_the_next_seven_days() -> None:
    for offset in range(7):
        today = date(2024, 7, 1 + offset)
        for name in ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"):
            delta = (parse_day(name, today) - today).days
            assert 1 <= delta <= 7


def test_year_boundary_for_day_month() -> None:
    assert parse_day("02/01", date(2024, 12, 30)) == date(2025, 1, 2)


@pytest.mark.parametrize(("text", "hint"), [
    ("31/02/2024", "no_such_day"),
    ("31/04", "no_such_day"),
    ("2024-13-01", "no_such_day"),
    ("lait", "format"),
    ("1.5", "format"),  # "1.5" (litres) is not a date
    ("", "format"),
    ("lun", "format"),  # abbreviations collide with product words
])
def test_parse_day_rejects_with_a_hint(text: str, hint: str) -> None:
    with pytest.raises(BadDate) as info:
        parse_day(text, FRIDAY)
    assert info.value.text == text
    assert info.value.hint == hint


@pytest.mark.parametrize(("text", "days"), [
    ("7j", 7), ("7J", 7), ("7 jours", 7), ("1 jour", 1), ("7d", 7), ("7 days", 7), ("+7", 7), ("+ 3", 3),
    ("2 semaines", 14), ("1w", 7), ("14jours", 14),
])
def test_parse_horizon(text: str, days: int) -> None:
    assert parse_horizon(text) == days


@pytest.mark.parametrize("text", ["7", "lait", "demain", "2024-07-01", "j7", ""])
def test_parse_horizon_returns_none_for_anything_else(text: str) -> None:
    assert parse_horizon(text) is None


def test_normalize_and_looks_like_date() -> None:
    assert normalize("  Après-Demain ") == "apres-demain"
    assert looks_like_date("31/02") and looks_like_date("2024-13-45") and looks_like_date("1/2/24")
    assert not looks_like_date("1.5") and not looks_like_date("yaourt")


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("05/01", date(2024, 12, 20), date(2025, 1, 5)),  # more than half a year back: next year's
        ("24/11", date(2026, 11, 25), date(2026, 11, 24)),  # yesterday stays yesterday
        ("29/02", date(2025, 6, 1), date(2028, 2, 29)),  # no 29 February this year: the next leap day
    ],
)
def test_day_month_without_year_picks_the_nearest_sensible_year(text: str, today: date, expected: date) -> None:
    assert parse_day(text, today) == expected
