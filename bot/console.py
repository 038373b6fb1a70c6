"""A local console speaking the same commands as the Slack bot, for use without any Slack token.

    > /forecast yaourt demain
    > recommend client 42
    > help

Replies come from the same :func:`bot.dispatch.handle` as in Slack, their blocks rendered as plain
text by :func:`blocks_to_text`; forecast charts are saved as PNG files.
"""

from __future__ import annotations

import getpass
import html
import os
import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from bot import dispatch
from bot.access import CONSOLE
from bot.audit import Requester
from bot.commands import HELP_WORDS
from bot.customer_gate import CustomerGate
from bot.errors import COMMANDS
from bot.i18n import t

if TYPE_CHECKING:
    from ml.service import Caddie

QUIT = frozenset({"quit", "exit", "q", "quitter"})

_LINK = re.compile(r"<(?:[^|>]*\|)?([^>]*)>")  # Slack <url|label> / <@U123> -> label / content
_BOLD = re.compile(r"(?<![\w*])\*(\S(?:[^*\n]*\S)?)\*(?![\w*])")  # *gras* -> gras
_FENCE = re.compile(r"^```\n?|\n?```$", re.MULTILINE)  # code blocks keep their lines, lose the fences


_EMOJI = {":warning:": "⚠"}  # the Slack emoji codes the replies use


def _plain(text: str) -> str:
    """Slack mrkdwn as terminal text: links and bold unwrapped, fences dropped, ``&lt;`` back to ``<``, emoji."""
    text = html.unescape(_FENCE.sub("", _BOLD.sub(r"\1", _LINK.sub(lambda m: m.group(1), text))))
    for code, symbol in _EMOJI.items():
        text = text.replace(code, symbol)
    return text


def _text_of(obj: dict[str, Any] | None) -> str:
    return _plain(obj.get("text", "")) if isinstance(obj, dict) else ""


def _element_text(element: dict[str, Any]) -> str:
    kind = element.get("type")
    if kind in ("mrkdwn", "plain_text"):
        return _plain(element.get("text", ""))
    if kind == "image":
        return f"[{element.get('alt_text', 'image')}]"
    if kind == "button":
        return f"[{_text_of(element.get('text'))}]"
    return ""


def blocks_to_text(blocks: Iterable[dict[str, Any]]) -> str:
    """Renders Block Kit blocks (header, section, fields, context, divider, image, actions) as plain text."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            title = _text_of(block.get("text"))
            lines += [title, "=" * len(title)]
        elif kind == "section":
            if block.get("text"):
                lines.append(_text_of(block["text"]))
            lines += [_text_of(f) for f in block.get("fields", [])]
            if block.get("accessory"):
                accessory = _element_text(block["accessory"])
                if accessory:
                    lines.append(accessory)
        elif kind == "context":
            parts = [_element_text(e) for e in block.get("elements", [])]
            lines.append("  ".join(p for p in parts if p))
        elif kind == "divider":
            lines.append("-" * 40)
        elif kind == "image":
            lines.append(f"[{block.get('alt_text', 'image')}]")
        elif kind == "actions":
            parts = [_element_text(e) for e in block.get("elements", [])]
            lines.append(" ".join(p for p in parts if p))
    return "\n".join(lines)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return f"uid:{os.getuid()}"


class Console:
    """Runs command lines through :func:`bot.dispatch.handle` and writes readable answers to ``out``."""

    def __init__(self, caddie: Caddie, out: TextIO, *, gate: CustomerGate, lang: str = "fr", today: date,
                 charts_dir: Path = Path("charts"), user: str | None = None) -> None:
        self.caddie = caddie
        self.gate = gate  # the console is exempt from the channel rules, not from the audit log
        self.requester = Requester(user_id=user or _os_user(), team_id="", channel_id=CONSOLE, how=CONSOLE)
        self.out = out
        self.lang = lang
        self.today = today
        self.charts_dir = charts_dir

    def _say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def _msg(self, key: str, **params: object) -> str:
        return t(f"console.{key}", self.lang, **params)

    def run_line(self, line: str) -> bool:
        """Answers one line; False when the user asked to quit."""
        line = line.strip()
        if not line:
            return True
        word, _, rest = line.partition(" ")
        command = word.lstrip("/").lower()
        if command in QUIT:
            return False
        if command in HELP_WORDS:
            self._say(self._msg("help"))
            return True
        if command not in COMMANDS:
            self._say(self._msg("unknown", command=word))
            return True
        parsed = dispatch.parse("/" + command, rest.strip(), self.caddie, today=self.today)
        reply = self.gate.answer(parsed, self.caddie, self.requester, lang=self.lang)
        if reply.open_modal:
            self._say(self._msg("no_modal"))
            return True
        self._say(blocks_to_text(reply.blocks) if reply.blocks else reply.text)
        if reply.chart_png is not None:
            self.charts_dir.mkdir(parents=True, exist_ok=True)
            path = self.charts_dir / (reply.chart_filename or f"{command}.png")
            path.write_bytes(reply.chart_png)
            self._say(self._msg("chart", path=path))
        return True

    def loop(self, lines: TextIO, *, prompt: bool = True) -> int:
        """Reads commands until ``quit`` or end of input. Returns the exit status (0)."""
        self._say(self._msg("welcome"))
        while True:
            if prompt:
                print("> ", end="", file=self.out, flush=True)
            line = lines.readline()
            if not line or not self.run_line(line):
                break
        if prompt:
            self._say("")
        return 0
