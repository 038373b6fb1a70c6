"""French typography and grammar of the replies: « 1er », unité/unités, « moins d'une unité », non-breaking spaces."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.i18n import CATALOGUES, fmt_date, fmt_expected, fmt_number, fmt_percent, french_spacing, t
from bot.rendering import reason_text
from ml.results import Reason, ReasonCode

NBSP, NNBSP = "\u00a0", "\u202f"


def test_first_of_the_month_is_1er_in_french_only() -> None:
    assert fmt_date(date(2026, 12, 1), "fr") == "mardi 1er décembre 2026"
    assert fmt_date(date(2024, 8, 1), "fr") == "jeudi 1er août 2024"
    assert fmt_date(date(2024, 8, 2), "fr") == "vendredi 2 août 2024"
    assert fmt_date(date(2026, 12, 1), "en") == "Tuesday 1 December 2026"
    assert fmt_date(date(2024, 8, 1), "fr", "short") == "01/08/2024"


@pytest.mark.parametrize(("x", "fr", "en"), [
    (0.0, "0 unité attendue", "0 units expected"),
    (0.02, "moins d'une unité attendue", "less than one unit expected"),
    (0.1, "moins d'une unité attendue (0,1 en moyenne)", "less than one unit expected (0.1 on average)"),
    (0.5, "moins d'une unité attendue (0,5 en moyenne)", "less than one unit expected (0.5 on average)"),
    (0.97, "1 unité attendue", "1 unit expected"),  # shown as 1: one unit
    (1.0, "1 unité attendue", "1 unit expected"),
    (1.5, "1,5 unité attendue", "1.5 units expected"),  # French singular below 2
    (1.96, "2 unités attendues", "2 units expected"),
    (12.34, "12,3 unités attendues", "12.3 units expected"),
    (1234.0, f"1{NNBSP}234 unités attendues", "1,234 units expected"),
])
def test_expected_quantities_agree_with_their_unit(x: float, fr: str, en: str) -> None:
    assert fmt_expected(x, "fr") == fr
    assert fmt_expected(x, "en") == en


def test_last_time_reads_la_derniere_fois() -> None:
    reason = Reason(ReasonCode.REPEAT, {"times": 3, "last_days_ago": 14})
    assert reason_text(reason, "fr") == "acheté 3 fois, la dernière fois il y a 14 jours"
    assert reason_text(reason, "en") == "bought 3 times, last time 14 days ago"


def test_non_breaking_spaces_in_french() -> None:
    assert fmt_percent(0.38, "fr") == f"38{NNBSP}%" and fmt_percent(0.38, "en") == "38%"
    assert fmt_number(1234567.5, "fr") == f"1{NNBSP}234{NNBSP}567,5"
    assert t("help.examples", "fr", examples="x") == f"Exemples{NBSP}: x"
    assert t("error.suggestions", "fr", suggestions="y") == f"Vouliez-vous dire{NBSP}: y{NNBSP}?"
    assert t("problem.too_many_args", "fr", extra="z") == f"Je ne comprends pas «{NBSP}z{NBSP}»."
    assert french_spacing("a : `b : c` ?") == f"a{NBSP}: `b : c`{NNBSP}?"  # code is left as typed


def test_no_breakable_space_before_french_punctuation_anywhere_in_the_catalogue() -> None:
    for key, text in CATALOGUES["fr"].items():
        outside_code = "".join(text.split("`")[::2])
        assert not re.search(r" [:;?!%»]|« ", outside_code), key
