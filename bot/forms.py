"""The what-if customer profile form: its block/action ids and the parsing of a submission.

Slack sends a modal's answers as ``view.state.values``:
``{block_id: {action_id: {"type": "plain_text_input", "value": "12,5"}}}`` or, for a
menu, ``{"type": "static_select", "selected_option": {"value": "p42", ...}}``.
:func:`parse_profile_submission` turns that into a product and a
:class:`ml.results.CustomerProfile`, or raises :class:`bot.errors.FormError`
naming every bad field at once (Slack shows each message under its field).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from bot.errors import FormError
from ml.results import CustomerProfile

PROFILE_CALLBACK_ID = "propensity_profile"

PRODUCT_BLOCK = "product"
PRODUCT_ACTION = "product_select"
VISITS_BLOCK = "visits_per_month"
VISITS_ACTION = "visits_per_month_input"
LAST_VISIT_BLOCK = "days_since_last_visit"
LAST_VISIT_ACTION = "days_since_last_visit_input"
TIMES_BOUGHT_BLOCK = "times_bought_product"
TIMES_BOUGHT_ACTION = "times_bought_product_input"
LAST_BOUGHT_BLOCK = "days_since_last_bought_product"
LAST_BOUGHT_ACTION = "days_since_last_bought_product_input"
BASKET_BLOCK = "avg_basket_value"
BASKET_ACTION = "avg_basket_value_input"


@dataclass(frozen=True)
class NumberField:
    """A numeric input of the form: its ids, whether it takes decimals, its bounds, whether it may be empty."""

    block_id: str
    action_id: str
    decimal: bool
    maximum: float
    optional: bool = False


NUMBER_FIELDS: tuple[NumberField, ...] = (
    NumberField(VISITS_BLOCK, VISITS_ACTION, decimal=True, maximum=100),
    NumberField(LAST_VISIT_BLOCK, LAST_VISIT_ACTION, decimal=False, maximum=3650),
    NumberField(TIMES_BOUGHT_BLOCK, TIMES_BOUGHT_ACTION, decimal=False, maximum=1000),
    NumberField(LAST_BOUGHT_BLOCK, LAST_BOUGHT_ACTION, decimal=False, maximum=3650, optional=True),
    NumberField(BASKET_BLOCK, BASKET_ACTION, decimal=True, maximum=10_000),
)

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def parse_number(text: str, *, decimal: bool) -> float:
    """``"12,5"``, ``"12.5"``, ``"1 234"``, ``"45 €"`` -> float. Raises ``ValueError`` with a ``form.*`` key."""
    s = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").rstrip("€").strip()
    if not _NUMBER.match(s):
        raise ValueError("form.not_a_number")
    value = float(s.replace(",", "."))
    if not math.isfinite(value):
        raise ValueError("form.not_a_number")
    if value < 0:
        raise ValueError("form.negative")
    if not decimal and value != int(value):
        raise ValueError("form.not_an_integer")
    return value


def _field_state(state_values: dict, block_id: str, action_id: str) -> dict:
    block = state_values.get(block_id) or {}
    if action_id in block:
        return block[action_id] or {}
    # tolerate another action_id in the right block (e.g. a form built by an older version)
    return next(iter(block.values()), None) or {}


def _selected_value(state: dict) -> str:
    option = state.get("selected_option") or {}
    value = option.get("value") if isinstance(option, dict) else None
    if value is None:
        value = state.get("value")
    return (value or "").strip()


def parse_profile_submission(state_values: dict) -> tuple[str, CustomerProfile]:
    """The product (id or name, as chosen) and the profile described by a submitted form.

    Raises :class:`FormError` mapping every invalid block_id to a ``form.*`` message key.
    """
    errors: dict[str, str] = {}
    product = _selected_value(_field_state(state_values, PRODUCT_BLOCK, PRODUCT_ACTION))
    if not product:
        errors[PRODUCT_BLOCK] = "form.product_required"

    values: dict[str, float | None] = {}
    for spec in NUMBER_FIELDS:
        raw = _selected_value(_field_state(state_values, spec.block_id, spec.action_id))
        if not raw:
            if spec.optional:
                values[spec.block_id] = None
            else:
                errors[spec.block_id] = "form.required"
            continue
        try:
            value = parse_number(raw, decimal=spec.decimal)
        except ValueError as exc:
            errors[spec.block_id] = str(exc)
            continue
        if value > spec.maximum:
            errors[spec.block_id] = "form.too_large"
            continue
        values[spec.block_id] = value

    last_visit, last_bought = values.get(LAST_VISIT_BLOCK), values.get(LAST_BOUGHT_BLOCK)
    if last_visit is not None and last_bought is not None and last_bought < last_visit:
        errors[LAST_BOUGHT_BLOCK] = "form.after_last_visit"
    if errors:
        raise FormError(errors)

    bought = values[LAST_BOUGHT_BLOCK]
    profile = CustomerProfile(
        visits_per_month=float(values[VISITS_BLOCK]),
        days_since_last_visit=int(values[LAST_VISIT_BLOCK]),
        times_bought_product=int(values[TIMES_BOUGHT_BLOCK]),
        days_since_last_bought_product=None if bought is None else int(bought),
        avg_basket_value=float(values[BASKET_BLOCK]),
    )
    return product, profile
