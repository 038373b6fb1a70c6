"""Errors of the bot layer, and the ONE place turning any exception into text for a user.

    BotError
    ├── UsageError   (a command's arguments are wrong: names the problem)
    ├── BadDate      (a date the user typed cannot be read)
    └── FormError    (fields of the profile modal are invalid: block_id -> message key)

:func:`user_message` maps these and every :mod:`ml.errors` class to a helpful
sentence. Anything else is a bug: the user gets an apology with a short error
id, the log gets the trace under that same id.
"""

from __future__ import annotations

import logging
import secrets
from datetime import date

from bot.i18n import fmt_date, join_list, normalize_lang, t
from bot.logs import trace_without_message
from bot.metrics import count_error
from bot.text import shown
from ml.errors import (
    CaddieError,
    DataError,
    DateOutOfRange,
    ForecastsUnavailable,
    ModelNotReady,
    NoCustomerData,
    NotEnoughHistory,
    NotSoldInStore,
    UnknownCustomer,
    UnknownProduct,
    UnknownStore,
)
from ml.experiments.definition import BadExperiment, UnknownExperiment

logger = logging.getLogger(__name__)

COMMANDS: tuple[str, ...] = ("forecast", "recommend", "predict", "target", "order")
ALIASES: dict[str, str] = {"commande": "order"}  # /commande is /order in French
SLASH_COMMANDS: tuple[str, ...] = tuple(f"/{name}" for name in (*COMMANDS, *ALIASES, "caddie"))
INSIGHT_COMMANDS: tuple[str, ...] = ("abtest", "client")  # bot.listeners.insights: own listeners, same messages
MAX_SUGGESTIONS = 5


class BotError(Exception):
    """Base class of the errors a user causes in the bot layer."""


class UsageError(BotError):
    """The arguments of ``command`` are wrong. ``problem`` is a key of the ``problem.*`` messages."""

    def __init__(self, command: str, problem: str, **params: object):
        super().__init__(f"{command}: {problem} {params or ''}".strip())
        self.command = command
        self.problem = problem
        self.params = params


class BadDate(BotError):
    """``text`` is not a date the bot can read. ``hint`` is a key of the ``date_hint.*`` messages."""

    def __init__(self, text: str, hint: str = "format", command: str | None = None, **params: object):
        super().__init__(f"bad date: {text!r} ({hint})")
        self.text = text
        self.hint = hint
        self.command = command
        self.params = params  # for the hint: ``day`` (a date), ``date`` and ``extra`` (words as typed)


class FormError(BotError):
    """Invalid fields of a modal: ``errors`` maps each block_id to a ``form.*`` message key."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(f"invalid form fields: {sorted(errors)}")
        self.errors = dict(errors)


def error_id() -> str:
    """A short random reference shown to the user and written in the log, e.g. ``"E-3F9A2C"``."""
    return "E-" + secrets.token_hex(3).upper()


def command_name(command: str) -> str:
    """``"/forecast"``, ``"Forecast "`` -> ``"forecast"``; ``"/commande"`` -> ``"order"``."""
    name = command.strip().lstrip("/").lower()
    return ALIASES.get(name, name)


def usage(command: str, lang: str) -> str:
    """The one-line syntax of ``command`` (empty for an unknown command)."""
    name = command_name(command)
    return t(f"usage.{name}", lang) if name in (*COMMANDS, *INSIGHT_COMMANDS) else ""


def usage_hint(command: str, lang: str) -> str:
    name = command_name(command)
    if name not in (*COMMANDS, *INSIGHT_COMMANDS):
        return t("help.more", lang)
    return t("error.usage_hint", lang, usage=usage(name, lang), command=display_command(name, lang))


def display_command(name: str, lang: str) -> str:
    """The slash command as a user of ``lang`` types it: ``/commande`` in French, ``/order`` in English."""
    name = command_name(name)
    if name == "order" and normalize_lang(lang) == "fr":
        return "/commande"
    return f"/{name}"


def form_error_messages(exc: FormError, lang: str) -> dict[str, str]:
    """``{block_id: text}`` for Slack's ``response_action: "errors"``."""
    return {block_id: t(key, lang) for block_id, key in exc.errors.items()}


def _quoted_list(items: list[str], lang: str) -> str:
    if normalize_lang(lang) == "fr":
        return join_list([f"«\u00a0{x}\u00a0»" for x in items], lang)
    return join_list([f"\"{x}\"" for x in items], lang)


def user_message(exc: BaseException, lang: str = "fr", *, command: str | None = None) -> str:
    """The text to show a user for ``exc``. Never raises; never contains a trace.

    ``command`` (e.g. ``"/forecast"``) adds that command's syntax where it helps. Counted by type (``/metrics``).
    """
    count_error(exc)
    try:
        return _known_message(exc, lang, command)
    except Exception:  # a bug in a message must not hide the original error
        logger.error("could not render a message for %s", type(exc).__name__)
        return _internal(exc, lang)


def _known_message(exc: BaseException, lang: str, command: str | None) -> str:
    if isinstance(exc, UsageError):
        params = {"command": f"/{exc.command}", **_shown_params(exc.params, lang)}
        problem = t(f"problem.{exc.problem}", lang, **params)
        return f"{problem}\n{usage_hint(exc.command, lang)}"
    if isinstance(exc, BadDate):
        hint = t(f"date_hint.{exc.hint}", lang, **_shown_params(exc.params, lang))
        text = f"{t('error.bad_date', lang, text=shown(exc.text))} {hint}"
        where = exc.command or command
        return f"{text}\n{usage_hint(where, lang)}" if where else text
    if isinstance(exc, FormError):
        return t("error.form", lang)
    if isinstance(exc, UnknownProduct):
        first = t("error.unknown_product", lang, query=shown(exc.query))
        if exc.suggestions:
            names = _quoted_list(exc.suggestions[:MAX_SUGGESTIONS], lang)
            return f"{first} {t('error.suggestions', lang, suggestions=names)}"
        return f"{first} {t('error.no_suggestions', lang)}"
    if isinstance(exc, UnknownCustomer):
        first = t("error.unknown_customer", lang, customer=shown(exc.customer_id, 24))
        if exc.suggestions:
            ids = ", ".join(exc.suggestions[:MAX_SUGGESTIONS])
            return f"{first} {t('error.customer_suggestions', lang, suggestions=ids)}"
        known = getattr(exc, "known", None)
        if known:
            return f"{first} {t('error.customer_range', lang, low=known[0], high=known[1])}"
        return first
    if isinstance(exc, UnknownStore):
        first = t("error.unknown_store", lang, query=exc.query)
        if exc.suggestions:
            names = _quoted_list(exc.suggestions[:MAX_SUGGESTIONS], lang)
            return f"{first} {t('error.store_suggestions', lang, suggestions=names)}"
        return f"{first} {t('error.no_store_suggestions', lang)}"
    if isinstance(exc, UnknownExperiment):
        first = t("error.unknown_experiment", lang, name=shown(exc.name, 64))
        if exc.known:
            return f"{first} {t('error.known_experiments', lang, names=', '.join(exc.known))}"
        return f"{first} {t('error.no_experiments', lang)}"
    if isinstance(exc, BadExperiment):
        return t("error.bad_experiment", lang, detail=str(exc))
    if isinstance(exc, NotSoldInStore):
        return t("error.not_sold_in_store", lang, product=exc.product_name, store=exc.store_name)
    if isinstance(exc, NoCustomerData):
        return t("error.no_customer_data", lang, data=exc.data_name)
    if isinstance(exc, DateOutOfRange):
        key = "error.date_past" if exc.requested < exc.earliest else "error.date_out_of_range"
        return t(key, lang, requested=fmt_date(exc.requested, lang),
                 earliest=fmt_date(exc.earliest, lang), latest=fmt_date(exc.latest, lang))
    if isinstance(exc, NotEnoughHistory):
        return t("error.not_enough_history", lang, product=exc.product_name)
    if isinstance(exc, ModelNotReady):
        return t("error.model_not_ready", lang, model=exc.model)
    if isinstance(exc, ForecastsUnavailable):
        logger.error("forecasts not read: %s", exc.reason)
        return t("error.forecasts_unavailable", lang)
    if isinstance(exc, DataError):
        ref = error_id()
        logger.error("data error [%s]: %s", ref, exc, exc_info=exc)
        return t("error.data", lang, error_id=ref)
    if isinstance(exc, (CaddieError, BotError)):
        # a subclass added later without a message of its own: still not a trace
        logger.warning("no specific message for %s", type(exc).__name__)
    return _internal(exc, lang)


def _shown_params(params: dict[str, object], lang: str) -> dict[str, object]:
    """Parameters of a message as shown: dates in words, user text cleaned and cut to a readable length."""
    return {k: fmt_date(v, lang) if isinstance(v, date) else shown(v) if isinstance(v, str) else v
            for k, v in params.items()}


def _internal(exc: BaseException, lang: str) -> str:
    ref = error_id()
    # the message of an unexpected error may quote what the user typed (a customer id): type and stack only
    logger.error("unexpected error [%s]: %s\n%s", ref, type(exc).__name__, trace_without_message(exc))
    return t("error.internal", lang, error_id=ref)
