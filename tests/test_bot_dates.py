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


# --------------------------------------------------------------------------- month names, ranges, "dans 3 jours"
# expectations computed by hand from a calendar: Wednesday 26 June 2024

from bot.dates import When, parse_when, split_date  # noqa: E402

WEDNESDAY = date(2024, 6, 26)


def day(m: int, d: int, y: int = 2024) -> When:
    return When(day=date(y, m, d))


def span(first: date, last: date) -> When:
    return When(day=first, until=last)


@pytest.mark.parametrize(("text", "expected"), [
    # one day, counted from today
    ("dans 3 jours", day(6, 29)), ("in 3 days", day(6, 29)), ("dans une semaine", day(7, 3)),
    ("dans 2 semaines", day(7, 10)), ("dans 3j", day(6, 29)), ("J+3", day(6, 29)), ("d'ici 2 jours", day(6, 28)),
    ("dans deux jours", day(6, 28)), ("in a week", day(7, 3)),
    # periods: a number of days from the first forecast day
    ("3 jours", When(days=3)), ("7j", When(days=7)), ("sur 7 jours", When(days=7)),
    ("pendant une semaine", When(days=7)), ("les 7 prochains jours", When(days=7)), ("for 7 days", When(days=7)),
    ("the next 7 days", When(days=7)), ("une semaine", When(days=7)), ("pendant 10 jours", When(days=10)),
    ("-5j", When(days=-5)), ("0j", When(days=0)),
    # month names, French and English, with and without "le", "1er", weekday and year
    ("le 30 novembre", day(11, 30)), ("30 novembre", day(11, 30)), ("1er août", day(8, 1)),
    ("1er aout", day(8, 1)), ("31 décembre", day(12, 31)), ("30 nov", day(11, 30)), ("30 nov.", day(11, 30)),
    ("December 24", day(12, 24)), ("december 24th", day(12, 24)), ("24th of December", day(12, 24)),
    ("24 December 2025", day(12, 24, 2025)), ("le 14 juillet", day(7, 14)), ("14 juillet 2025", day(7, 14, 2025)),
    ("24/12", day(12, 24)), ("le 24/12", day(12, 24)), ("mardi 1er octobre", day(10, 1)),
    ("le dimanche 1er décembre", day(12, 1)), ("Tuesday October 1", day(10, 1)), ("le 15", day(7, 15)),
    ("le 26", day(6, 26)), ("le 31", day(7, 31)), ("premier juillet", day(7, 1)), ("pour le 30 juin", day(6, 30)),
    # weekdays
    ("samedi", day(6, 29)), ("mercredi", day(7, 3)), ("lundi dernier", day(6, 24)), ("last monday", day(6, 24)),
    ("next friday", day(6, 28)),
    # past days are days (the service says they are past)
    ("hier", day(6, 25)), ("avant-hier", day(6, 24)), ("yesterday", day(6, 25)), ("avant hier", day(6, 24)),
    # ranges
    ("ce week-end", span(date(2024, 6, 29), date(2024, 6, 30))),
    ("ce weekend", span(date(2024, 6, 29), date(2024, 6, 30))),
    ("this weekend", span(date(2024, 6, 29), date(2024, 6, 30))),
    ("le week-end prochain", span(date(2024, 6, 29), date(2024, 6, 30))),
    ("la semaine prochaine", span(date(2024, 7, 1), date(2024, 7, 7))),
    ("next week", span(date(2024, 7, 1), date(2024, 7, 7))),
    ("cette semaine", span(date(2024, 6, 26), date(2024, 6, 30))),
    ("la semaine dernière", span(date(2024, 6, 17), date(2024, 6, 23))),
    ("les 7 derniers jours", span(date(2024, 6, 19), date(2024, 6, 25))),
    ("the last 2 days", span(date(2024, 6, 24), date(2024, 6, 25))),
])
def test_parse_when(text: str, expected: When) -> None:
    assert parse_when(text, WEDNESDAY) == expected


def test_ranges_on_a_sunday() -> None:
    sunday = date(2024, 6, 30)
    assert parse_when("ce week-end", sunday) == span(sunday, sunday)  # what is left of it
    assert parse_when("le week-end prochain", sunday) == span(date(2024, 7, 6), date(2024, 7, 7))
    assert parse_when("cette semaine", sunday) == span(sunday, sunday)
    assert parse_when("la semaine prochaine", sunday) == span(date(2024, 7, 1), date(2024, 7, 7))


@pytest.mark.parametrize("text", ["mars", "lait", "12 mois", "weekend", "x12", "7", "1.5", "dans", "le"])
def test_not_a_date(text: str) -> None:
    assert parse_when(text, WEDNESDAY) is None


@pytest.mark.parametrize(("text", "hint"), [
    ("le 31 juin", "no_such_day"), ("30 février", "no_such_day"), ("32/12", "no_such_day"), ("le 32", "no_such_day"),
    ("dans 9999999 jours", "too_far"), ("mardi 1er décembre", "wrong_weekday"),
    ("les 99999 derniers jours", "too_far"),
])
def test_dates_that_do_not_exist(text: str, hint: str) -> None:
    with pytest.raises(BadDate) as info:
        parse_when(text, WEDNESDAY)
    assert info.value.hint == hint


def test_wrong_weekday_names_the_real_one() -> None:
    with pytest.raises(BadDate) as info:
        parse_when("mardi 1er décembre", WEDNESDAY)  # 1 December 2024 is a Sunday
    assert info.value.params == {"day": date(2024, 12, 1)}
    assert parse_when("mardi 1er décembre", date(2026, 11, 25)) == day(12, 1, 2026)  # a Tuesday in 2026


@pytest.mark.parametrize(("text", "rest", "when"), [
    ("yaourt nature demain", "yaourt nature", day(6, 27)),
    ("demain yaourt nature", "yaourt nature", day(6, 27)),
    ("baguette dans 3 jours", "baguette", day(6, 29)),
    ("champagne 1er août", "champagne", day(8, 1)),
    ("lait le 14 juillet", "lait", day(7, 14)),
    ("lait ce week-end", "lait", span(date(2024, 6, 29), date(2024, 6, 30))),
    ("yaourt 7j", "yaourt", When(days=7)),
    ("lait 1/2 écrémé", "lait 1/2 écrémé", None),  # a fraction in a name is not a date
    ("barre mars", "barre mars", None),
    ("comté 12 mois", "comté 12 mois", None),
    ("coca 1.5", "coca 1.5", None),
    # real product names (Online Retail, Complete Journey) with sizes and numbers: not dates
    ("3D christmas stickers", "3D christmas stickers", None),
    ("multicolour 3D balls garland", "multicolour 3D balls garland", None),
    ("silicon cube 25W, blue", "silicon cube 25W, blue", None),
    ("set 10 cards 12 days of xmas", "set 10 cards 12 days of xmas", None),
    ("salad dressing may 10 oz", "salad dressing may 10 oz", None),
    ("rawhide chews 11 in 1 ct", "rawhide chews 11 in 1 ct", None),
    ("firewood 6 ct -3 lb", "firewood 6 ct -3 lb", None),
    ("3D christmas stickers demain", "3D christmas stickers", day(6, 27)),
])
def test_split_date(text: str, rest: str, when: When | None) -> None:
    split = split_date(text.split(), WEDNESDAY)
    assert (" ".join(split.rest), split.when) == (rest, when)


@pytest.mark.parametrize(("text", "shown", "hint", "params"), [
    ("yaourt demain matin", "demain matin", "trailing", {"date": "demain", "extra": "matin"}),
    ("yaourt hier soir", "hier soir", "trailing", {"date": "hier", "extra": "soir"}),
    ("yaourt demain 7j", "demain 7j", "two_dates", {}),
    ("yaourt le 30 novembr", "le 30 novembr", "trailing", {"date": "le 30", "extra": "novembr"}),
    ("yaourt 3 decembr 2024", "3 decembr 2024", "format", {}),
    ("lait 31/02", "31/02", "no_such_day", {}),
    ("yaourt le 31 juin", "le 31 juin", "no_such_day", {}),
])
def test_a_date_word_is_never_left_in_the_product(text: str, shown: str, hint: str, params: dict) -> None:
    with pytest.raises(BadDate) as info:
        split_date(text.split(), WEDNESDAY)
    assert info.value.hint == hint
    assert info.value.params == params
    assert shown in info.value.text
