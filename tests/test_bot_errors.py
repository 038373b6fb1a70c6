"""One place maps every error to user text; the i18n catalogue behind it is complete in both languages."""

from __future__ import annotations

import logging
import re
import string
from datetime import date

import pytest

from bot.errors import BadDate, FormError, UsageError, error_id, form_error_messages, user_message
from bot.i18n import CATALOGUES, fmt_date, fmt_number, fmt_percent, join_list, t, tn
from ml.errors import (
    DataValidationError,
    DateOutOfRange,
    ModelNotReady,
    UnknownCustomer,
    UnknownProduct,
)


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    fr, en = CATALOGUES["fr"], CATALOGUES["en"]
    assert set(fr) == set(en)
    for key in fr:
        assert placeholders(fr[key]) == placeholders(en[key]), key
        assert fr[key].strip() and en[key].strip(), key


def test_t_falls_back_to_french_and_fills_placeholders() -> None:
    assert t("forecast.header", "de", product="Lait") == "Prévision\u00a0: Lait"
    assert t("forecast.header", "en-GB", product="Lait") == "Forecast: Lait"
    assert tn("reason.times", 1, "fr", times=1) == "acheté une fois"
    assert tn("reason.times", 12, "en", times=12) == "bought 12 times"
    with pytest.raises(KeyError):
        t("no.such.key", "fr")


def test_formatting() -> None:
    assert fmt_number(1234.5, "fr") == "1\u202f234,5"
    assert fmt_number(1234.5, "en") == "1,234.5"
    assert fmt_number(12.0, "fr") == "12"
    assert fmt_number(float("nan"), "fr") == "–"
    assert fmt_percent(0.38, "fr") == "38\u202f%"
    assert fmt_percent(0.38, "en") == "38%"
    assert fmt_percent(0.001, "fr") == "< 1\u202f%"
    assert fmt_date(date(2024, 7, 1), "fr") == "lundi 1er juillet 2024"
    assert fmt_date(date(2024, 7, 1), "fr", "short") == "01/07/2024"
    assert fmt_date(date(2024, 8, 15), "en") == "Thursday 15 August 2024"
    assert join_list(["a", "b", "c"], "fr") == "a, b ou c"
    assert join_list(["a", "b"], "en", "and") == "a and b"


def test_unknown_product_suggests_close_names() -> None:
    msg = user_message(UnknownProduct("yaourtt", ["Yaourt nature", "Yaourt fraise"]), "fr")
    assert "yaourtt" in msg
    assert "Vouliez-vous dire\u00a0: «\u00a0Yaourt nature\u00a0» ou «\u00a0Yaourt fraise\u00a0»\u202f?" in msg
    en = user_message(UnknownProduct("yaourtt", ["Yaourt nature"]), "en")
    assert "Did you mean" in en and "Yaourt nature" in en
    assert "orthographe" in user_message(UnknownProduct("zzz"), "fr")


def test_unknown_customer() -> None:
    msg = user_message(UnknownCustomer("4242", ["424", "42"]), "fr")
    assert "4242" in msg and "424, 42" in msg


def test_date_out_of_range_gives_the_valid_range_in_french() -> None:
    exc = DateOutOfRange(date(2024, 8, 1), date(2024, 7, 1), date(2024, 7, 14))
    msg = user_message(exc, "fr")
    assert "jeudi 1er août 2024" in msg
    assert "lundi 1er juillet 2024" in msg and "dimanche 14 juillet 2024" in msg


def test_model_not_ready_and_data_error(caplog: pytest.LogCaptureFixture) -> None:
    assert "forecast" in user_message(ModelNotReady("forecast", "no file"), "fr")
    with caplog.at_level(logging.ERROR, logger="bot.errors"):
        msg = user_message(DataValidationError("bad quantity", row=3, column="quantity"), "fr")
    ref = re.search(r"E-[0-9A-F]{6}", msg)
    assert ref and ref.group(0) in caplog.text


def test_usage_error_names_the_problem_and_shows_the_syntax() -> None:
    msg = user_message(UsageError("recommend", "n_out_of_range", value=30, min=1, max=20), "fr")
    assert "entre 1 et 20" in msg and "30" in msg
    assert "/recommend client <numéro> [nombre]" in msg
    msg = user_message(UsageError("forecast", "missing_product"), "en")
    assert "product name is missing" in msg and "/forecast <product>" in msg


def test_bad_date() -> None:
    msg = user_message(BadDate("31/02", "no_such_day", command="forecast"), "fr")
    assert "31/02" in msg and "n'existe pas" in msg and "/forecast" in msg
    assert "2024-07-01" in user_message(BadDate("hier"), "fr")


def test_form_error_messages() -> None:
    exc = FormError({"visits_per_month": "form.not_a_number"})
    assert form_error_messages(exc, "fr") == {"visits_per_month": t("form.not_a_number", "fr")}
    assert user_message(exc, "en") == t("error.form", "en")


def test_unknown_exception_logs_the_trace_but_shows_only_an_id(caplog: pytest.LogCaptureFixture) -> None:
    detail = "-".join(["customer", "4242"])  # a runtime value, as a customer id quoted by an error would be
    try:
        raise ZeroDivisionError(detail)
    except ZeroDivisionError as exc:
        with caplog.at_level(logging.ERROR, logger="bot.errors"):
            msg = user_message(exc, "fr")
    assert "4242" not in msg and "Traceback" not in msg and "ZeroDivisionError" not in msg
    ref = re.search(r"E-[0-9A-F]{6}", msg).group(0)
    logged = next(r for r in caplog.records if ref in r.getMessage()).getMessage()
    assert "ZeroDivisionError" in logged and "test_bot_errors.py" in logged, "the type and where it was raised"
    assert "customer-4242" not in logged, "not the message, which may quote customer data"


def test_error_ids_are_short_and_distinct() -> None:
    ids = {error_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(re.fullmatch(r"E-[0-9A-F]{6}", i) for i in ids)
