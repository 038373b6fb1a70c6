"""Parsing of the slash commands into typed commands. Pure: text and a reference day in, a command out.

    /forecast <produit…> [date | période]   date: demain, samedi, le 30 novembre, dans 3 jours, ce week-end…
                                            période: 7j, 7 jours, sur 7 jours, pendant une semaine
    /recommend [client] <id> [n]            n in 1..20, default 5; "client n°42", "#42", "４２" are customer 42
    /predict [client] <id> <produit…>       /predict profil -> the what-if form
    /target <produit…> [n]                  n in 1..50, default 10
    /commande [produit | rayon] [magasin <nom>] [date]   (/order; see bot.stores)
    /caddie magasin [<nom> | aucun]         link this channel to a store (see bot.stores)
    <command> aide | help | ? | (empty)     -> help

/forecast and /commande take a store clause, "magasin <nom>" / "store <name>", read first
(:func:`bot.stores.split_store_clause`).

Nothing typed is dropped silently: every word is either understood or named in
the error. Every problem raises :class:`bot.errors.UsageError` (or
:class:`bot.errors.BadDate`) naming precisely what is wrong. NUL bytes, control
characters and emoji never reach the service.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from bot.dates import DateSplit, normalize, split_date
from bot.dates_vocab import normalize_word
from bot.errors import COMMANDS, BadDate, UsageError, command_name
from bot.forms import parse_profile_submission
from bot.stores import (
    ORDER,
    STORE_WORDS,
    OrderCommand,
    StoreClause,
    StoreLinkCommand,
    parse_order,
    parse_store_link,
    split_store_clause,
)
from bot.text import ascii_digits, clean_input, has_numeric_sign, shown, strip_emoji

__all__ = [
    "Command", "ForecastCommand", "HelpCommand", "OrderCommand", "PredictCommand", "ProfileCommand",
    "RecommendCommand", "StoreLinkCommand", "TargetCommand", "customer_id", "parse_command", "parse_profile_submission", "product_and_date",
]

RECOMMEND_N = (1, 20, 5)  # min, max, default
TARGET_N = (1, 50, 10)
MAX_HORIZON_TEXT_DAYS = 366  # beyond, "+9999" is a typo; the model's own horizon is checked by the service
MAX_CUSTOMER_DIGITS = 18  # longer is not an id any data set uses: "not a customer number"
MAX_COUNT_DIGITS = 6
MAX_WORDS = 40  # a product, a date and a store fit in far less: longer text is refused, never cut
MAX_TEXT_CHARS = 10_000  # a 5000-digit "customer number" still gets "not a customer number"

HELP_WORDS = frozenset({"help", "aide", "?", "-h", "--help"})
_CUSTOMER_WORDS = {"client", "cliente", "customer", "cli", "cust", "clt"}
_NUMBER_WORDS = {"n°", "nº", "n", "no", "nr", "num", "numero", "number", "#"}
_ID_PREFIX = re.compile(r"^(?:n\s*[°º.]|no\.?|#+)\s*(.+)$", re.IGNORECASE)
_ALPHANUMERIC_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-.]{0,39}$")
_PROFILE_WORDS = {"profil", "profile"}


@dataclass(frozen=True)
class ForecastCommand:
    product: str
    day: date | None  # a single day, or the first day of a range (None: the first forecast day)
    days: int | None  # or a period of that many days from the first forecast day
    until: date | None = None  # the last day of a range ("ce week-end": Saturday..Sunday)
    store: StoreClause = StoreClause()  # "magasin Nantes" in the text; empty: the channel's store


@dataclass(frozen=True)
class RecommendCommand:
    customer_id: str
    n: int


@dataclass(frozen=True)
class PredictCommand:
    customer_id: str
    product: str


@dataclass(frozen=True)
class TargetCommand:
    product: str
    n: int


@dataclass(frozen=True)
class HelpCommand:
    command: str  # "forecast", ... or "" for the general help


@dataclass(frozen=True)
class ProfileCommand:
    """``/predict profil``: the slack layer opens the what-if modal."""


Command = (ForecastCommand | RecommendCommand | PredictCommand | TargetCommand | HelpCommand | ProfileCommand
           | OrderCommand | StoreLinkCommand)


def parse_command(command: str, text: str, today: date) -> Command:
    """The command typed as ``command`` (``"/forecast"`` or ``"forecast"``) with arguments ``text``.

    ``today`` is the reference day for relative dates (``demain``, ``samedi``).
    """
    name = command_name(clean_input(command))
    cleaned = clean_input(text)
    tokens = cleaned.split()
    if len(cleaned) > MAX_TEXT_CHARS or len(tokens) > MAX_WORDS:
        raise UsageError(name if name in COMMANDS else "", "too_long", limit=MAX_WORDS)
    if name == "caddie" and tokens and normalize(tokens[0]) in STORE_WORDS:
        return parse_store_link(tokens[1:])
    if name in ("", "help", "aide", "caddie"):
        if tokens and command_name(tokens[0]) in COMMANDS and name == "caddie":
            return parse_command(tokens[0], " ".join(tokens[1:]), today)
        topic = command_name(tokens[0]) if tokens else ""
        return HelpCommand(topic if topic in COMMANDS else "")
    if name not in COMMANDS:
        raise UsageError(name, "unknown_command", name=shown(f"/{name}"))
    if len(tokens) == 1 and normalize(tokens[0]) in HELP_WORDS:
        return HelpCommand(name)
    if name == ORDER:
        return parse_order(tokens, today)
    if not tokens:
        return HelpCommand(name)
    if name == "forecast":
        tokens, store = split_store_clause(tokens, today)
        if not tokens:
            raise UsageError("forecast", "missing_product")
        return replace(_forecast(tokens, today), store=store)
    return _PARSERS[name](tokens, today)


def product_and_date(command: str, tokens: list[str], today: date) -> DateSplit:
    """The product words (emoji removed) and the date phrase of ``tokens``; a problem names ``command``.

    Reusable by every command taking a product and a date: what is neither is left in ``rest``.
    """
    words = strip_emoji(" ".join(tokens)).split()
    try:
        return split_date(words, today)
    except BadDate as exc:
        exc.command = command
        raise


def _forecast(tokens: list[str], today: date) -> ForecastCommand:
    split = product_and_date("forecast", tokens, today)
    product = " ".join(split.rest)
    if not product:
        raise UsageError("forecast", "missing_product")
    when = split.when
    if when is None:
        return ForecastCommand(product=product, day=None, days=None)
    if when.days is not None:
        if not 1 <= when.days <= MAX_HORIZON_TEXT_DAYS:
            raise UsageError("forecast", "bad_horizon", value=shown(split.phrase))
        return ForecastCommand(product=product, day=None, days=when.days)
    return ForecastCommand(product=product, day=when.day, days=None, until=when.until)


def _product_without_date(command: str, tokens: list[str], today: date) -> str:
    """The product of a command that takes no date: a date typed anyway is named, not sent as a product."""
    split = product_and_date(command, tokens, today)
    if split.when is not None:
        raise UsageError(command, "no_date", value=shown(split.phrase))
    product = " ".join(split.rest)
    if not product:
        raise UsageError(command, "missing_product")
    return product


def customer_id(command: str, tokens: list[str]) -> tuple[str, list[str]]:
    """The customer id at the start of ``tokens`` and the tokens after it.

    ``client 42``, ``client n°42``, ``client no 42``, ``#42``, ``４２`` (any script's digits) all give ``"42"``;
    ids with letters (``C042``) are kept as typed. ``²``, ``lait`` or 5000 digits are not a customer number.
    """
    rest = strip_emoji(" ".join(tokens)).split()
    if rest and normalize_word(rest[0]).rstrip(":") in _CUSTOMER_WORDS:
        rest = rest[1:]
    if rest and normalize(rest[0]).rstrip(".:") in _NUMBER_WORDS and len(rest) > 1:
        rest = rest[1:]
    if not rest:
        raise UsageError(command, "missing_customer")
    token = rest[0]
    if (m := _ID_PREFIX.match(token)) and ascii_digits(m[1].lstrip("#")) is not None:
        token = m[1].lstrip("#")
    elif token.startswith("#"):
        token = token.lstrip("#")
    if not token:
        raise UsageError(command, "missing_customer")
    return _valid_customer(command, token), rest[1:]


def _valid_customer(command: str, token: str) -> str:
    digits = ascii_digits(token)
    if digits is not None:
        if len(digits) > MAX_CUSTOMER_DIGITS:
            raise UsageError(command, "not_a_customer", value=shown(token, 24))
        return digits
    if has_numeric_sign(token) or not _ALPHANUMERIC_ID.match(token) or not any(c.isdigit() for c in token):
        raise UsageError(command, "not_a_customer", value=shown(token, 24))
    return token


def _count(command: str, token: str, bounds: tuple[int, int, int]) -> int:
    low, high, _ = bounds
    sign, body = ("-", token[1:]) if token[:1] in "-−" else ("", token.lstrip("+"))
    digits = ascii_digits(body)
    if digits is None:
        raise UsageError(command, "bad_n", value=shown(token, 24))
    if len(digits.lstrip("0")) > MAX_COUNT_DIGITS:
        raise UsageError(command, "n_out_of_range", value=shown(token, 24), min=low, max=high)
    n = int(sign + digits)
    if not low <= n <= high:
        raise UsageError(command, "n_out_of_range", value=n, min=low, max=high)
    return n


def _recommend(tokens: list[str], today: date) -> RecommendCommand:
    customer, rest = customer_id("recommend", tokens)
    if len(rest) > 1:
        raise UsageError("recommend", "too_many_args", extra=shown(" ".join(rest[1:])))
    n = _count("recommend", rest[0], RECOMMEND_N) if rest else RECOMMEND_N[2]
    return RecommendCommand(customer_id=customer, n=n)


def _predict(tokens: list[str], today: date) -> PredictCommand | ProfileCommand:
    if len(tokens) == 1 and normalize(tokens[0]) in _PROFILE_WORDS:
        return ProfileCommand()
    customer, rest = customer_id("predict", tokens)
    if not rest:
        raise UsageError("predict", "missing_product")
    return PredictCommand(customer_id=customer, product=_product_without_date("predict", rest, today))


def _is_count(token: str) -> bool:
    body = token[1:] if token[:1] in "+-−" else token
    return ascii_digits(body) is not None or (has_numeric_sign(body) and not any(c.isalpha() for c in body))


def _target(tokens: list[str], today: date) -> TargetCommand:
    n = TARGET_N[2]
    product_tokens = tokens
    if _is_count(tokens[-1]):
        if len(tokens) == 1:
            raise UsageError("target", "missing_product")
        n = _count("target", tokens[-1], TARGET_N)
        product_tokens = tokens[:-1]
    return TargetCommand(product=_product_without_date("target", product_tokens, today), n=n)


_PARSERS = {"forecast": _forecast, "recommend": _recommend, "predict": _predict, "target": _target}
