"""The what-if profile form: parsing a Slack view_submission's state.values."""

from __future__ import annotations

import pytest

from bot.commands import parse_profile_submission
from bot.errors import FormError
from bot.forms import parse_number
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
from ml.results import CustomerProfile


def state(product: str | None = "p7", visits: str = "6", last_visit: str = "3", times: str = "4",
          last_bought: str | None = "10", basket: str = "45,80") -> dict:
    def text(block: str, action: str, value: str | None) -> dict:
        return {block: {action: {"type": "plain_text_input", "value": value}}}

    selected = {"text": {"type": "plain_text", "text": "Yaourt nature"}, "value": product} if product else None
    values = {PRODUCT_BLOCK: {PRODUCT_ACTION: {"type": "static_select", "selected_option": selected}}}
    for block, action, value in ((VISITS_BLOCK, VISITS_ACTION, visits),
                                 (LAST_VISIT_BLOCK, LAST_VISIT_ACTION, last_visit),
                                 (TIMES_BOUGHT_BLOCK, TIMES_BOUGHT_ACTION, times),
                                 (LAST_BOUGHT_BLOCK, LAST_BOUGHT_ACTION, last_bought),
                                 (BASKET_BLOCK, BASKET_ACTION, basket)):
        values |= text(block, action, value)
    return values


def test_valid_submission() -> None:
    product, profile = parse_profile_submission(state(visits="2,5"))
    assert product == "p7"
    assert profile == CustomerProfile(visits_per_month=2.5, days_since_last_visit=3, times_bought_product=4,
                                      days_since_last_bought_product=10, avg_basket_value=45.8)


def test_optional_last_bought_means_never() -> None:
    _, profile = parse_profile_submission(state(times="0", last_bought=None))
    assert profile.days_since_last_bought_product is None
    _, profile = parse_profile_submission(state(times="0", last_bought="  "))
    assert profile.days_since_last_bought_product is None


def test_product_from_a_text_input() -> None:
    values = state()
    values[PRODUCT_BLOCK] = {PRODUCT_ACTION: {"type": "plain_text_input", "value": " yaourt "}}
    assert parse_profile_submission(values)[0] == "yaourt"


@pytest.mark.parametrize(("field", "value", "key"), [
    ("visits", "", "form.required"),
    ("visits", "beaucoup", "form.not_a_number"),
    ("visits", "-1", "form.negative"),
    ("visits", "1000", "form.too_large"),
    ("last_visit", "2,5", "form.not_an_integer"),
    ("times", "", "form.required"),
    ("basket", "12,5,3", "form.not_a_number"),
    ("basket", "nan", "form.not_a_number"),
    ("basket", "1e9", "form.not_a_number"),
])
def test_invalid_fields(field: str, value: str, key: str) -> None:
    blocks = {"visits": VISITS_BLOCK, "last_visit": LAST_VISIT_BLOCK, "times": TIMES_BOUGHT_BLOCK,
              "basket": BASKET_BLOCK}
    with pytest.raises(FormError) as info:
        parse_profile_submission(state(**{field: value}))
    assert info.value.errors == {blocks[field]: key}


def test_every_error_is_reported_at_once() -> None:
    with pytest.raises(FormError) as info:
        parse_profile_submission(state(product=None, visits="x", basket=""))
    assert info.value.errors == {PRODUCT_BLOCK: "form.product_required", VISITS_BLOCK: "form.not_a_number",
                                 BASKET_BLOCK: "form.required"}


def test_product_bought_after_the_last_visit_is_inconsistent() -> None:
    with pytest.raises(FormError) as info:
        parse_profile_submission(state(last_visit="10", last_bought="2"))
    assert info.value.errors == {LAST_BOUGHT_BLOCK: "form.after_last_visit"}


def test_missing_blocks_are_required_fields() -> None:
    with pytest.raises(FormError) as info:
        parse_profile_submission({})
    assert set(info.value.errors) == {PRODUCT_BLOCK, VISITS_BLOCK, LAST_VISIT_BLOCK, TIMES_BOUGHT_BLOCK, BASKET_BLOCK}


@pytest.mark.parametrize(("text", "value"), [("12,5", 12.5), ("12.5", 12.5), ("1 234", 1234.0), ("45 €", 45.0),
                                             (",5", 0.5), ("3", 3.0)])
def test_parse_number(text: str, value: float) -> None:
    assert parse_number(text, decimal=True) == value
