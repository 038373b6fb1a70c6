"""Every command example shown to users (help catalogue, README's command table) works on the default data.

The default data is the simulator ending yesterday: an example works if it answers without an error with a
``today`` right after the data, and if it means the same days whatever the date (no fixed calendar date that
goes stale).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from bot.commands import ForecastCommand, parse_command
from bot.dispatch import handle
from bot.i18n import CATALOGUES, t
from tests.conftest import REPO

_BACKTICKED = re.compile(r"`(/(?:forecast|recommend|predict|target)\b[^`]*)`")
_IN_BRACKETS = re.compile(r"\((?:ex\.|e\.g\.)\s*(/(?:forecast|recommend|predict|target)\b[^)]*)\)")
# examples of README.md whose correction is written in /work/notes/parsing.md (README is edited at the merge)
README_PENDING = {"/forecast lait 05/07/2024": "a fixed date: stale on the default data; use `/forecast lait samedi`"}


def catalogue_examples() -> list[tuple[str, str]]:
    found = []
    for lang, catalogue in CATALOGUES.items():
        for key, text in catalogue.items():
            if key.startswith(("help.", "console.help", "home.")):
                found += [(lang, x.strip()) for x in _BACKTICKED.findall(text) + _IN_BRACKETS.findall(text)]
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


def _check(example: str, caddie, as_of: date, lang: str) -> None:
    command, _, text = example.partition(" ")
    today = as_of + timedelta(days=1)
    reply = handle(command, text, caddie, lang=lang, today=today)
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
    assert "/forecast lait 05/07/2024" in readme_examples()


@pytest.mark.parametrize(("lang", "example"), catalogue_examples())
def test_help_examples_work_on_the_default_data(lang: str, example: str, caddie, as_of: date) -> None:
    _check(example, caddie, as_of, lang)


@pytest.mark.parametrize("example", [
    pytest.param(x, marks=pytest.mark.xfail(strict=True, reason=README_PENDING[x])) if x in README_PENDING else x
    for x in readme_examples()
])
def test_readme_examples_work_on_the_default_data(example: str, caddie, as_of: date) -> None:
    _check(example, caddie, as_of, "fr")


def test_an_error_reply_is_detected(caddie, as_of: date) -> None:
    reply = handle("/forecast", "produit-qui-n-existe-pas", caddie, lang="fr", today=as_of + timedelta(days=1))
    assert _is_error(reply)
    assert t("error.internal", "fr", error_id="x")[:20] not in reply.text
