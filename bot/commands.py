"""Parsing of the slash commands into typed commands. Pure: text and a reference day in, a command out.

    /forecast <produit…> [date | demain | 7j]
    /recommend [client] <id> [n]          n in 1..20, default 5
    /predict [client] <id> <produit…>     /predict profil -> the what-if form
    /target <produit…> [n]                n in 1..50, default 10
    /commande [produit | rayon] [magasin <nom>] [date]   (/order; see bot.stores)
    /caddie magasin [<nom> | aucun]       link this channel to a store (see bot.stores)
    /forecast and /commande take a store clause: "magasin <nom>" (bot.stores.split_store_clause)
    <command> aide | help | ? | (empty)   -> help

Every problem raises :class:`bot.errors.UsageError` (or :class:`bot.errors.BadDate`)
naming precisely what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from bot.dates import looks_like_date, normalize, parse_day, parse_horizon
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

__all__ = [
    "Command", "ForecastCommand", "HelpCommand", "OrderCommand", "PredictCommand", "ProfileCommand",
    "RecommendCommand", "StoreLinkCommand", "TargetCommand", "parse_command", "parse_profile_submission",
]

RECOMMEND_N = (1, 20, 5)  # min, max, default
TARGET_N = (1, 50, 10)
MAX_HORIZON_TEXT_DAYS = 366  # beyond, "+9999" is a typo; the model's own horizon is checked by the service

HELP_WORDS = frozenset({"help", "aide", "?", "-h", "--help"})
_CUSTOMER_WORDS = {"client", "customer", "cli", "cust", "client:", "customer:"}
_PROFILE_WORDS = {"profil", "profile"}


@dataclass(frozen=True)
class ForecastCommand:
    product: str
    day: date | None  # a single day (None: the first forecast day)
    days: int | None  # or a period of that many days from the first forecast day
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
    name = command_name(command)
    tokens = (text or "").split()
    if name == "caddie" and tokens and normalize(tokens[0]) in STORE_WORDS:
        return parse_store_link(tokens[1:])
    if name in ("", "help", "aide", "caddie"):
        if tokens and command_name(tokens[0]) in COMMANDS and name == "caddie":
            return parse_command(tokens[0], " ".join(tokens[1:]), today)
        topic = command_name(tokens[0]) if tokens else ""
        return HelpCommand(topic if topic in COMMANDS else "")
    if name not in COMMANDS:
        raise UsageError(name, "unknown_command", name=f"/{name}")
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


def _forecast(tokens: list[str], today: date) -> ForecastCommand:
    whole = " ".join(tokens)
    if parse_horizon(whole) is not None or looks_like_date(whole) or _is_day(whole, today):
        raise UsageError("forecast", "missing_product")
    day: date | None = None
    days: int | None = None
    product_tokens = tokens
    # the date may be two words ("7 jours", "apres demain", "samedi prochain"): try the longer tail first
    for width in (2, 1):
        if len(tokens) <= width:
            continue
        tail = " ".join(tokens[-width:])
        horizon = parse_horizon(tail)
        if horizon is not None:
            if not 1 <= horizon <= MAX_HORIZON_TEXT_DAYS:
                raise UsageError("forecast", "bad_horizon", value=tail)
            days, product_tokens = horizon, tokens[:-width]
            break
        try:
            day, product_tokens = parse_day(tail, today), tokens[:-width]
            break
        except BadDate as exc:
            if width == 1 and looks_like_date(tail):  # "31/02": a date, but not a real one
                raise BadDate(exc.text, exc.hint, command="forecast") from None
    return ForecastCommand(product=" ".join(product_tokens), day=day, days=days)


def _is_day(text: str, today: date) -> bool:
    try:
        parse_day(text, today)
    except BadDate:
        return False
    return True


def _strip_customer_word(tokens: list[str]) -> list[str]:
    if tokens and normalize(tokens[0]) in _CUSTOMER_WORDS:
        return tokens[1:]
    return tokens


def _customer_id(command: str, tokens: list[str]) -> str:
    if not tokens:
        raise UsageError(command, "missing_customer")
    customer = tokens[0].lstrip("#").strip()
    if not customer:
        raise UsageError(command, "missing_customer")
    return customer


def _count(command: str, token: str, bounds: tuple[int, int, int]) -> int:
    low, high, _ = bounds
    try:
        n = int(token)
    except ValueError:
        raise UsageError(command, "bad_n", value=token) from None
    if not low <= n <= high:
        raise UsageError(command, "n_out_of_range", value=n, min=low, max=high)
    return n


def _recommend(tokens: list[str], today: date) -> RecommendCommand:
    tokens = _strip_customer_word(tokens)
    customer = _customer_id("recommend", tokens)
    rest = tokens[1:]
    if len(rest) > 1:
        raise UsageError("recommend", "too_many_args", extra=" ".join(rest[1:]))
    n = _count("recommend", rest[0], RECOMMEND_N) if rest else RECOMMEND_N[2]
    return RecommendCommand(customer_id=customer, n=n)


def _predict(tokens: list[str], today: date) -> PredictCommand | ProfileCommand:
    if len(tokens) == 1 and normalize(tokens[0]) in _PROFILE_WORDS:
        return ProfileCommand()
    tokens = _strip_customer_word(tokens)
    customer = _customer_id("predict", tokens)
    product = " ".join(tokens[1:]).strip()
    if not product:
        raise UsageError("predict", "missing_product")
    return PredictCommand(customer_id=customer, product=product)


def _target(tokens: list[str], today: date) -> TargetCommand:
    n = TARGET_N[2]
    product_tokens = tokens
    last = tokens[-1]
    if last.lstrip("+-").isdigit():
        if len(tokens) == 1:
            raise UsageError("target", "missing_product")
        n = _count("target", last, TARGET_N)
        product_tokens = tokens[:-1]
    return TargetCommand(product=" ".join(product_tokens), n=n)


_PARSERS = {"forecast": _forecast, "recommend": _recommend, "predict": _predict, "target": _target}
