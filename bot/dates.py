"""Reading the days and periods store teams type: ``2024-07-01``, ``01/07``, ``demain``, ``samedi``, ``7j``.

Pure functions of the text and a reference day (``today``). Accents and case
are ignored. Slashed dates are day/month (French order).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from bot.errors import BadDate

_RELATIVE: dict[str, int] = {
    "aujourd'hui": 0, "aujourdhui": 0, "aujourd hui": 0, "auj": 0, "today": 0,
    "demain": 1, "tomorrow": 1,
    "apres-demain": 2, "apres demain": 2, "apresdemain": 2, "day after tomorrow": 2,
}

_WEEKDAYS: dict[str, int] = {}
for _i, _names in enumerate((
    ("lundi", "monday"), ("mardi", "tuesday"), ("mercredi", "wednesday"), ("jeudi", "thursday"),
    ("vendredi", "friday"), ("samedi", "saturday"), ("dimanche", "sunday"),
)):  # full names only: abbreviations ("mer", "sam", "sun") collide with product words
    for _name in _names:
        _WEEKDAYS[_name] = _i

_NEXT_WORDS = ("prochain", "prochaine", "next")

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
# day/month[/year]; "-" and "." only with a year, so "1.5" (litres) is never a date
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?$|^(\d{1,2})([.\-])(\d{1,2})\5(\d{2}|\d{4})$")
_DATE_LIKE = re.compile(r"^\d{1,4}([/.\-])\d{1,2}\1\d{1,4}$|^\d{1,2}/\d{1,2}$")
_HORIZON = re.compile(
    r"^\+?\s*(\d{1,4})\s*(j|jr|jrs|jour|jours|d|day|days|s|sem|semaine|semaines|w|wk|week|weeks)$"
)
_PLUS = re.compile(r"^\+\s*(\d{1,4})$")
_WEEK_UNITS = {"s", "sem", "semaine", "semaines", "w", "wk", "week", "weeks"}


def normalize(text: str) -> str:
    """Lower case, no accents, straight apostrophes, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    return " ".join(plain.lower().split())


def looks_like_date(text: str) -> bool:
    """True for digit groups with ``/``, ``-`` or ``.`` separators (``31/02``, ``2024-13-01``), valid or not."""
    return bool(_DATE_LIKE.match(normalize(text)))


def parse_day(text: str, today: date) -> date:
    """The day ``text`` names, relative to ``today``.

    Weekday names mean the next such day, never today; ``01/07`` means the next
    1 July (today included). Raises :class:`BadDate` otherwise.
    """
    s = normalize(text)
    if not s:
        raise BadDate(text)
    if s in _RELATIVE:
        return today + timedelta(days=_RELATIVE[s])
    words = s.split()
    if len(words) == 2 and words[1] in _NEXT_WORDS:
        words = words[:1]
    elif len(words) == 2 and words[0] == "next":
        words = words[1:]
    if len(words) == 1 and words[0] in _WEEKDAYS:
        ahead = (_WEEKDAYS[words[0]] - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    if m := _ISO.match(s):
        return _make(text, int(m[1]), int(m[2]), int(m[3]))
    if m := _DMY.match(s):
        if m[1] is not None:
            day, month, year = int(m[1]), int(m[2]), m[3]
        else:
            day, month, year = int(m[4]), int(m[6]), m[7]
        if year is not None:
            y = int(year)
            return _make(text, 2000 + y if len(year) == 2 else y, month, day)
        candidate = _make(text, today.year, month, day, leap_ok=True)
        # "24/11" typed on 25/11 means yesterday, not next year; "05/01" typed in December means January
        if candidate is None or candidate < today - timedelta(days=183):
            candidate = _make(text, today.year + 1, month, day, leap_ok=True)
            if candidate is None:  # 29/02 with no leap year soon: take the next one
                for y in range(today.year + 2, today.year + 9):
                    if (candidate := _make(text, y, month, day, leap_ok=True)) is not None:
                        break
        if candidate is None:
            raise BadDate(text, "no_such_day")
        return candidate
    raise BadDate(text, "no_such_day" if looks_like_date(s) else "format")


def _make(text: str, year: int, month: int, day: int, *, leap_ok: bool = False) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        if leap_ok and month == 2 and day == 29:
            return None
        raise BadDate(text, "no_such_day") from None


def parse_horizon(text: str) -> int | None:
    """A number of days for ``7j``, ``7 jours``, ``7d``, ``+7``, ``2 semaines``; None if ``text`` is not a period."""
    s = normalize(text)
    if m := _PLUS.match(s):
        return int(m[1])
    if m := _HORIZON.match(s):
        n = int(m[1])
        return n * 7 if m[2] in _WEEK_UNITS else n
    return None
