"""Fuzzed commands through the bot core against a real Caddie: never the internal-error apology.

Charts are not drawn here (a chart failure is caught by the dispatcher and never changes the reply); the
50,000-command figure comes from ``python -m tests.reliability.fuzz_commands``.
"""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import dispatch
from tests.reliability.fuzz_commands import (
    COMMANDS,
    DATE_WORDS,
    EMOJI,
    IDS,
    NASTY,
    NUMBERS,
    echoes_control,
    fuzzed_commands,
    is_internal,
    run,
)

PIECES = DATE_WORDS + IDS + NUMBERS + EMOJI + NASTY + ["yaourt", "Lait demi-écrémé", "champagne", "client", "n°"]
_piece = st.one_of(st.sampled_from(PIECES), st.text(max_size=12),
                   st.text(alphabet=st.characters(codec=None, categories=("Nd", "No", "So", "Cc", "Cf")),
                           max_size=6))
_texts = st.one_of(st.text(max_size=80), st.lists(_piece, max_size=7).map(" ".join))


@settings(max_examples=1500, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(COMMANDS), text=_texts, lang=st.sampled_from(["fr", "en"]))
def test_no_fuzzed_command_gets_the_internal_error_apology(caddie, as_of: date, command: str, text: str,
                                                          lang: str) -> None:
    with mock.patch.object(dispatch, "forecast_chart", lambda result, lang: b""):
        reply = dispatch.handle(command, text, caddie, lang=lang, today=as_of + timedelta(days=1))
    assert not is_internal(reply.text, lang), (command, text, reply.text)
    assert not echoes_control(reply.text), (command, text, reply.text)
    assert "\x00" not in str(reply.blocks)


def test_probe_mix_of_3000_commands(caddie, as_of: date) -> None:
    products = [p.name for p in caddie.products()]
    stats = run(caddie, fuzzed_commands(3000, products, seed=7), as_of + timedelta(days=1))
    assert stats["commands"] == 3000
    assert (stats["internal"], stats["echoed_control"], stats["logged_errors"]) == (0, 0, 0), stats["failures"]
    assert 0 < stats["errors"] < 3000  # the mix holds both answers and bad input


def test_the_probe_detects_internal_errors_and_echoes() -> None:
    from bot.i18n import t

    assert is_internal(t("error.internal", "fr", error_id="E-1"), "fr")
    assert is_internal(t("error.internal", "en", error_id="E-1"), "en")
    assert not is_internal(t("error.unknown_product", "fr", query="x"), "fr")
    assert echoes_control("produit « a\x00b »") and not echoes_control("ligne 1\nligne 2")
    assert all(unicodedata.category(c) != "Cc" for c in "".join(PIECES[:5]))
