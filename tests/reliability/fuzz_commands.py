"""Reliability probe: 50,000 fuzzed slash commands through the bot core, 0 internal-error answers expected.

    python -m tests.reliability.fuzz_commands [--n 50000] [--seed 0] [--model-dir DIR] [--charts]

Commands mix random unicode, real product names, dates and date words, customer ids in every script,
emoji, huge numbers, NUL bytes and control characters. Each goes through :func:`bot.dispatch.handle`
against a real :class:`ml.service.Caddie` (trained on the default data, the simulator
ending yesterday, unless ``--model-dir`` is given).
Prints ``N commands, K internal errors`` (and how many replies echoed a control character).
Charts are skipped unless ``--charts``: a chart failure is caught by the dispatcher and never changes
the reply (tested in tests/test_bot_dispatch.py), and drawing 15,000 charts would take an hour.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

COMMANDS = ["/forecast"] * 4 + ["/recommend"] * 2 + ["/predict"] * 2 + ["/target"] * 2 + [
    "/caddie", "/aide", "help", "forecast", "/meteo", "", "/FORECAST", "/forecast\x00", "//target"]
DATE_WORDS = [
    "demain", "aujourd'hui", "après-demain", "hier", "avant-hier", "samedi", "lundi prochain", "lundi dernier",
    "dans 3 jours", "dans une semaine", "in 3 days", "J+3", "7j", "7 jours", "+7", "-5j", "0j", "sur 7 jours",
    "pendant une semaine", "les 7 prochains jours", "2 semaines", "ce week-end", "this weekend",
    "la semaine prochaine", "cette semaine", "le week-end prochain", "le 30 novembre", "1er août", "31 décembre",
    "mardi 1er décembre", "30 nov", "December 24", "24/12", "31/02", "29/02", "2024-07-01", "01/07/2024",
    "le 15", "le 32", "le 31 juin", "30 novembr", "tomorrow", "next week", "dans 99999999 jours", "1/2", "matin",
    "soir", "le", "dans", "prochain", "12/13/2024", "9999-12-31", "0001-01-01", "le 0", "99j", "+99999999999999",
]
ID_WORDS = ["client", "customer", "cli", "n°", "no", "#", "client n°", "numéro", "client:", "Client #"]
IDS = ["42", "1", "0", "007", "４２", "٤٢", "४२", "²", "¹²", "½", "-1", "+42", "42.0", "1e9", "C042", "#",
       "n°42", "nº42", "#42", "9" * 30, "9" * 5000, "0" * 200 + "1", "𝟒𝟐", "Ⅻ", "42abc", "NaN", "inf"]
EMOJI = [":yogurt:", ":+1:", ":flag-fr:", "🥛", "🍞", "👍🏽", "👨‍👩‍👧", "🇫🇷", "1️⃣", "❤️", ":skin-tone-2:"]
NASTY = ["\x00", "\x00\x00", "\x07", "\x1b[31m", "\r\n", "\t", "\u200b", "\u202e", "\ufeff", "\ud800", "\uffff",
         "<script>", "&amp;", "<!channel>", "<@U123>", "*gras*", "`code`", "```", "%s", "{0}", "{product}", "\\",
         "'", "\"", "«", "»", "…", "-", "--", "?", "aide", "help", "profil", "magasin", "magasin 12"]
NUMBERS = ["1", "5", "20", "50", "51", "0", "-3", "1.5", "1,5", "10" * 50, "9" * 5000, "1e308", "２０", "٣", "³"]


def random_unicode(rng: random.Random, n: int) -> str:
    """``n`` characters from anywhere in Unicode (letters, marks, symbols, controls, surrogates, private use)."""
    out = []
    for _ in range(n):
        plane = rng.random()
        if plane < 0.5:
            out.append(chr(rng.randrange(0x20, 0x250)))
        elif plane < 0.8:
            out.append(chr(rng.randrange(0x250, 0x3000)))
        elif plane < 0.95:
            out.append(chr(rng.randrange(0x3000, 0x110000)))
        else:
            out.append(chr(rng.randrange(0, 0x20)))
    return "".join(out)


def random_text(rng: random.Random, products: list[str]) -> str:
    """A command text: 0 to 6 pieces drawn from products, dates, ids, numbers, emoji, nasty strings, noise."""
    pieces = []
    for _ in range(rng.randint(0, 6)):
        kind = rng.random()
        if kind < 0.25:
            name = rng.choice(products)
            pieces.append(name.lower() if rng.random() < 0.5 else name.split()[0])
        elif kind < 0.45:
            pieces.append(rng.choice(DATE_WORDS))
        elif kind < 0.57:
            pieces.append(f"{rng.choice(ID_WORDS)} {rng.choice(IDS)}" if rng.random() < 0.5 else rng.choice(IDS))
        elif kind < 0.65:
            pieces.append(rng.choice(NUMBERS))
        elif kind < 0.75:
            pieces.append(rng.choice(EMOJI))
        elif kind < 0.87:
            pieces.append(rng.choice(NASTY))
        else:
            pieces.append(random_unicode(rng, rng.randint(1, 12)))
    sep = rng.choice([" ", " ", " ", "", "  ", "\t", "\x00"])
    return sep.join(pieces)


def fuzzed_commands(n: int, products: list[str], seed: int = 0) -> Iterator[tuple[str, str]]:
    rng = random.Random(seed)
    for _ in range(n):
        yield rng.choice(COMMANDS), random_text(rng, products)


def is_internal(reply_text: str, lang: str) -> bool:
    from bot.i18n import t

    apology = t("error.internal", lang, error_id="{id}").split("{id}")[0]
    return apology[:40] in reply_text


def echoes_control(reply_text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\n" for ch in reply_text)


def _strings(value: object) -> Iterator[str]:
    """Every string inside nested dicts and lists (the texts of Block Kit blocks)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def run(caddie, commands: Iterator[tuple[str, str]], today: date, *, charts: bool = False) -> dict:
    """Every command through :func:`bot.dispatch.handle`; counts internal errors and echoed control characters."""
    from bot import dispatch

    counter = _Counter()
    bot_logger = logging.getLogger("bot")
    level = bot_logger.level
    bot_logger.addHandler(counter)
    bot_logger.setLevel(logging.ERROR)
    stats = {"commands": 0, "internal": 0, "echoed_control": 0, "errors": 0, "failures": []}
    patch = mock.patch.object(dispatch, "forecast_chart", lambda result, lang: b"") if not charts else None
    try:
        if patch is not None:
            patch.start()
        for i, (command, text) in enumerate(commands):
            lang = "en" if i % 5 == 0 else "fr"
            reply = dispatch.handle(command, text, caddie, lang=lang, today=today)
            stats["commands"] += 1
            stats["errors"] += bool(reply.blocks and reply.blocks[0].get("text", {}).get("text", "")
                                    .startswith(":warning:"))
            shown = "".join([reply.text, *_strings(reply.blocks)])
            internal, control = is_internal(reply.text, lang), echoes_control(shown)
            bad = internal or control
            stats["internal"] += internal
            stats["echoed_control"] += control
            if bad and len(stats["failures"]) < 20:
                stats["failures"].append((command, text[:200], reply.text[:300]))
    finally:
        if patch is not None:
            patch.stop()
        bot_logger.removeHandler(counter)
        bot_logger.setLevel(level)
    stats["logged_errors"] = len(counter.records)
    return stats


def _caddie(model_dir: Path | None):
    from ml.service import Caddie

    if model_dir is not None:
        return Caddie.load(model_dir)
    from ml.data.simulator import simulate
    from ml.settings import MLSettings
    from ml.train import train_all

    root = Path(tempfile.mkdtemp(prefix="caddie-fuzz-"))
    settings = MLSettings(model_dir=root / "models", database_url=f"sqlite:///{root / 'caddie.db'}",
                          _env_file=None)
    train_all(settings, dataset=simulate())  # the default data: the simulator ending yesterday
    return Caddie.load(root / "models")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model-dir", type=Path, default=None, help="a trained model set (default: train one)")
    parser.add_argument("--charts", action="store_true", help="draw the charts too (slow)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.CRITICAL)
    caddie = _caddie(args.model_dir)
    products = [p.name for p in caddie.products()]
    started = time.perf_counter()
    stats = run(caddie, fuzzed_commands(args.n, products, args.seed), caddie.as_of + timedelta(days=1),
                charts=args.charts)
    elapsed = time.perf_counter() - started
    print(f"{stats['commands']} commands, {stats['internal']} internal errors")
    print(f"{stats['echoed_control']} replies echoing a control character; {stats['errors']} error replies "
          f"(bad input, answered with a message); {stats['logged_errors']} errors logged; {elapsed:.0f} s")
    for failure in stats["failures"]:
        print("FAILED:", repr(failure))
    return 1 if stats["internal"] or stats["echoed_control"] else 0


if __name__ == "__main__":
    sys.exit(main())
