"""Every command example shown to users (help catalogue, README's command table) works on the default data.

The default data is the simulator ending yesterday: an example works if it answers without an error with a
``today`` right after the data, and if it means the same days whatever the date (no fixed calendar date that
goes stale).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.channels import ChannelStores, Where, links_engine
from bot.commands import ForecastCommand, parse_command
from bot.dispatch import handle
from bot.i18n import CATALOGUES, t
from tests.conftest import REPO

_BACKTICKED = re.compile(r"`(/(?:forecast|recommend|predict|target|commande|order|caddie)\b[^`]*)`")
_IN_BRACKETS = re.compile(r"\((?:ex\.|e\.g\.)\s*(/(?:forecast|recommend|predict|target|commande|order|caddie)\b[^)]*)\)")


def catalogue_examples() -> list[tuple[str, str]]:
    found = []
    for lang, catalogue in CATALOGUES.items():
        for key, text in catalogue.items():
            if key.startswith(("help.", "console.help", "home.")):
                found += [(lang, x.strip()) for x in _BACKTICKED.findall(text) + _IN_BRACKETS.findall(text)
                          if "<" not in x]  # "/caddie magasin <nom>" shows a placeholder, not an example
    return sorted(set(found))


def readme_examples() -> list[str]:
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    table = [line for line in lines if line.startswith("| `/")]
    return sorted({x.strip() for line in table for x in _BACKTICKED.findall(line)})


def _is_error(reply) -> bool:
    return reply.blocks and reply.blocks[0].get("text", {}).get("text", "").startswith(":warning:")


def _days_asked(command: str, text: str, today: date) -> list[int]:
    """The days the example asks for, counted from ``today`` (the first forecast day)."""
    cmd = parse_command(command, text, today)
    if not isinstance(cmd, ForecastCommand):
        return []
    if cmd.days is not None:
        return [cmd.days - 1]
    return [(d - today).days for d in (cmd.day, cmd.until) if d is not None]


def _in_a_channel(folder: Path, example: str, caddie) -> Where:
    """A Slack channel of its own, as a user types there: linked to no store, except for an order typed without
    a store, which is meant for a store's channel (linked here to the chain's first supermarket)."""
    links = ChannelStores(links_engine(f"sqlite:///{folder / 'links.db'}"))
    command, _, text = example.partition(" ")
    if command in ("/commande", "/order") and not re.search(r"\b(magasin|store)\b", text):
        store = next(s for s in caddie.stores() if s.format == "supermarche")
        links.link("C0EXAMPLE", store.store_id, "U0EXAMPLE")
    return Where(channel="C0EXAMPLE", user="U0EXAMPLE", links=links)


def _check(example: str, caddie, as_of: date, lang: str, where: Where) -> None:
    command, _, text = example.partition(" ")
    today = as_of + timedelta(days=1)
    reply = handle(command, text, caddie, lang=lang, today=today, where=where)
    assert not _is_error(reply), f"{example!r}: {reply.text}"
    assert reply.text.strip()
    # whatever the day of the week the data ends on, the example asks for days the forecast covers:
    # no fixed calendar date that goes stale on the default data (the simulator ending yesterday)
    for shift in range(0, 700, 101):  # 7 different weekdays, two years
        asked = _days_asked(command, text, today + timedelta(days=shift))
        assert all(0 <= k < caddie.horizon_days for k in asked), f"{example!r} asks for days {asked}"


def test_there_are_examples_to_check() -> None:
    examples = [x for _, x in catalogue_examples()]
    assert len(examples) >= 15
    assert any("ce week-end" in x for x in examples) and any(x.startswith("/recommend") for x in examples)
    assert any(x.startswith("/commande") for x in readme_examples())


@pytest.mark.parametrize(("lang", "example"), catalogue_examples())
def test_help_examples_work_on_the_default_data(lang: str, example: str, caddie, as_of: date,
                                               tmp_path: Path) -> None:
    _check(example, caddie, as_of, lang, _in_a_channel(tmp_path, example, caddie))


@pytest.mark.parametrize("example", readme_examples())
def test_readme_examples_work_on_the_default_data(example: str, caddie, as_of: date, tmp_path: Path) -> None:
    _check(example, caddie, as_of, "fr", _in_a_channel(tmp_path, example, caddie))


def test_an_error_reply_is_detected(caddie, as_of: date) -> None:
    reply = handle("/forecast", "produit-qui-n-existe-pas", caddie, lang="fr", today=as_of + timedelta(days=1))
    assert _is_error(reply)
    assert t("error.internal", "fr", error_id="x")[:20] not in reply.text
