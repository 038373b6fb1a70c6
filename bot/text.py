"""Cleaning what users type before it is parsed: control characters, emoji, digits from other scripts.

Pure functions. Nothing here knows the commands; :mod:`bot.commands` and
:mod:`bot.dates` call them so that no NUL byte, control character or emoji
reaches the service or is ever echoed back in a reply.
"""

from __future__ import annotations

import re
import unicodedata

# Slack sends emoji as ":name:" codes (":yogurt:", ":flag-fr:", ":+1:", ":skin-tone-2:")
_SLACK_EMOJI = re.compile(r":[a-z0-9_+\-']+:")
# characters that are part of emoji sequences without being symbols themselves
_EMOJI_JOINERS = {"\u200d", "\ufe0f", "\ufe0e", "\u20e3"}
_SPACES = re.compile(r"\s+")
MAX_ECHO = 60  # characters of user text quoted back in a message


def clean_input(text: str | None) -> str:
    """``text`` without NUL bytes, control or format characters; tabs and line breaks become spaces.

    Unpaired surrogates (invalid UTF-16 halves) are dropped too.
    """
    out = []
    for ch in text or "":
        category = unicodedata.category(ch)
        if ch.isspace():
            out.append(" ")
        elif category in ("Cc", "Cf", "Cs", "Co", "Cn") and ch not in _EMOJI_JOINERS:
            continue
        else:
            out.append(ch)
    return _SPACES.sub(" ", "".join(out)).strip()


def strip_emoji(text: str) -> str:
    """``":yogurt: yaourt 🥛"`` -> ``"yaourt"``: Slack emoji codes and pictographic symbols removed.

    Symbols that carry meaning in the text (``°`` of ``n°``, ``%``, ``€``) are kept.
    """
    text = _SLACK_EMOJI.sub(" ", text)
    kept = [ch for ch in text if not _is_emoji_char(ch)]
    return _SPACES.sub(" ", "".join(kept)).strip()


def _is_emoji_char(ch: str) -> bool:
    if ch in _EMOJI_JOINERS:
        return True
    category = unicodedata.category(ch)
    if category == "So":
        return ch not in "°©®™№"
    if category == "Sk" and 0x1F3FB <= ord(ch) <= 0x1F3FF:  # skin tones
        return True
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF  # regional indicators (flags)


def ascii_digits(token: str) -> str | None:
    """The decimal digits of ``token`` as ASCII (``"４２"``, ``"٤٢"`` -> ``"42"``); None if any character is not a
    decimal digit. Superscripts and other numeric signs (``"²"``, ``"½"``) are not decimal digits."""
    if not token:
        return None
    digits = []
    for ch in token:
        value = unicodedata.decimal(ch, None)
        if value is None:
            return None
        digits.append(str(value))
    return "".join(digits)


def has_numeric_sign(token: str) -> bool:
    """True if ``token`` holds a numeric character that is not a decimal digit (``"²"``, ``"¹²"``, ``"½"``, ``"Ⅻ"``)."""
    return any(unicodedata.numeric(ch, None) is not None and unicodedata.decimal(ch, None) is None for ch in token)


def digits_to_ascii(text: str) -> str:
    """Every decimal digit of ``text`` in ASCII, everything else unchanged (``"lait ٣ج"`` -> ``"lait 3ج"``)."""
    return "".join(str(unicodedata.decimal(ch)) if unicodedata.decimal(ch, None) is not None else ch
                   for ch in text)


def shown(text: object, limit: int = MAX_ECHO) -> str:
    """User text as quoted back in a reply: cleaned and at most ``limit`` characters (``…`` beyond)."""
    value = clean_input(str(text))
    return value if len(value) <= limit else value[: limit - 1] + "…"
