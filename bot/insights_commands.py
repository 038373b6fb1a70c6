"""Parsing of ``/abtest`` and ``/client``. Pure: text in, a typed command out (or a UsageError naming the problem).

    /abtest                 every experiment, one line each
    /abtest <nom>           one experiment's report
    /client [client] <id>   a customer's card ("client n°42", "#42", "４２" are customer 42)
    <command> aide | help | ? | (empty /client)  -> help
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.commands import HELP_WORDS, MAX_TEXT_CHARS, HelpCommand, customer_id
from bot.dates import normalize
from bot.errors import UsageError
from bot.text import clean_input, shown, strip_emoji

_EXPERIMENT_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class AbtestCommand:
    name: str | None  # None: every experiment


@dataclass(frozen=True)
class ClientCommand:
    customer_id: str


def _tokens(command: str, text: str) -> list[str]:
    cleaned = strip_emoji(clean_input(text))
    if len(cleaned) > MAX_TEXT_CHARS:
        raise UsageError(command, "too_long", limit=40)
    return cleaned.split()


def parse_abtest(text: str) -> AbtestCommand | HelpCommand:
    tokens = _tokens("abtest", text)
    if len(tokens) == 1 and normalize(tokens[0]) in HELP_WORDS:
        return HelpCommand("abtest")
    if not tokens:
        return AbtestCommand(None)
    if len(tokens) > 1:
        raise UsageError("abtest", "abtest_extra", extra=shown(" ".join(tokens[1:]), 40))
    name = tokens[0].strip("«»\"'").lower()
    if not _EXPERIMENT_NAME.match(name):
        raise UsageError("abtest", "abtest_extra", extra=shown(tokens[0], 40))
    return AbtestCommand(name)


def parse_client(text: str) -> ClientCommand | HelpCommand:
    tokens = _tokens("client", text)
    if not tokens or (len(tokens) == 1 and normalize(tokens[0]) in HELP_WORDS):
        return HelpCommand("client")
    cid, rest = customer_id("client", tokens)
    if rest:
        raise UsageError("client", "client_extra", extra=shown(" ".join(rest), 40))
    return ClientCommand(cid)
