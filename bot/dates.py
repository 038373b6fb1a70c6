"""Reading the days, ranges and periods store teams type, in French and English.

    a day      2024-07-01 · 01/07/2024 · 01/07 · le 30 novembre · 1er août · mardi 1er décembre · December 24
               aujourd'hui · demain · après-demain · hier · samedi · lundi prochain · dans 3 jours · J+3
    a range    ce week-end (Saturday and Sunday) · cette semaine (today to Sunday) · la semaine prochaine
               (Monday to Sunday of next week) · le week-end prochain
    a period   7j · 7 jours · +7 · 2 semaines · sur 7 jours · pendant une semaine · les 7 prochains jours

A day or a range names calendar days; a period is a number of days counted from
the first forecast day. "dans 3 jours" is one day (today + 3); "3 jours" is a
period of three days. Pure functions of the words and a reference day
(``today``); accents and case are ignored; slashed dates are day/month.

:func:`split_date` finds the date phrase in a command's words and returns the
other words untouched, so that nothing typed is dropped without a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from difflib import get_close_matches

from bot.dates_vocab import (
    MONTH_FIRST,
    MONTHS,
    NEXT_WORDS,
    NUMBER_WORDS,
    PAST_WORDS,
    RANGES,
    RELATIVE,
    WEEKDAYS,
    day_number,
    normalize,
    normalize_word,
)
from bot.errors import BadDate

__all__ = ["When", "DateSplit", "looks_like_date", "normalize", "parse_day", "parse_horizon", "parse_when",
           "split_date"]

MAX_SPAN = 6  # words in a date phrase ("pendant les 7 prochains jours", "le mardi 1er décembre 2026")
MAX_OFFSET_DIGITS = 5  # "dans 99999 jours" is read (and refused by the service), more digits is not a date

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
# day/month[/year]; "-" and "." only with a year, so "1.5" (litres) is never a date
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?$|^(\d{1,2})([.\-])(\d{1,2})\5(\d{2}|\d{4})$")
_DATE_LIKE = re.compile(r"^\d{1,4}([/.\-])\d{1,2}\1\d{1,4}$|^\d{1,2}/\d{1,2}$")
_DM = re.compile(r"^\d{1,2}/\d{1,2}$")
_GLUED_LETTER = re.compile(r"^\d+[dws]$")
_DAY_UNITS = {"j", "jr", "jrs", "jour", "jours", "d", "day", "days"}
_WEEK_UNITS = {"s", "sem", "sems", "semaine", "semaines", "w", "wk", "wks", "week", "weeks"}
_UNITS = "|".join(sorted(_DAY_UNITS | _WEEK_UNITS, key=len, reverse=True))
_PERIOD = re.compile(rf"^([+-]?)\s*(\d+)\s*({_UNITS})?$")
_J_PLUS = re.compile(r"^[jd]\s*\+\s*(\d+)$")  # "J+3": the day three days from today
_YEAR = re.compile(r"^\d{4}$")
_PERIOD_MARKERS = ("sur", "pendant", "over", "for", "during", "les", "the", "next", "last", "past")
_NEXT_PERIOD = frozenset({"prochains", "prochaines", "next"})
_PAST_PERIOD = frozenset({"derniers", "dernieres", "last", "past"})
MAX_PAST_DAYS = 3660
_LEADING = ("pour", "for", "on")
_LONG_MONTHS = [name for name in MONTHS if len(name) >= 4]


@dataclass(frozen=True)
class When:
    """What a date phrase names: one ``day``; a range ``day``..``until``; or a period of ``days`` days."""

    day: date | None = None
    until: date | None = None
    days: int | None = None

    @property
    def is_range(self) -> bool:
        return self.until is not None


@dataclass(frozen=True)
class DateSplit:
    """The words of a command split around its date phrase (``when`` None: no date was typed)."""

    rest: list[str] = field(default_factory=list)
    when: When | None = None
    phrase: str = ""


def looks_like_date(text: str) -> bool:
    """True for digit groups with ``/``, ``-`` or ``.`` separators (``31/02``, ``2024-13-01``), valid or not."""
    return bool(_DATE_LIKE.match(normalize(text)))


def parse_day(text: str, today: date) -> date:
    """The single day ``text`` names, relative to ``today``. Raises :class:`BadDate` otherwise."""
    when = parse_when(text, today)
    if when is None or when.day is None or when.until is not None:
        raise BadDate(text, "no_such_day" if looks_like_date(text) else "format")
    return when.day


def parse_horizon(text: str) -> int | None:
    """A number of days for ``7j``, ``7 jours``, ``+7``, ``2 semaines``, ``une semaine``; None if not a period.

    The number may be negative or zero (``-5j``): the caller says why it is not a period it can answer.
    """
    when = parse_when(text, date(2000, 1, 1))
    return when.days if when is not None else None


def parse_when(text: str | list[str], today: date) -> When | None:
    """What ``text`` (or its words) names, or None if it is not a date phrase at all.

    Raises :class:`BadDate` when ``text`` has the shape of a date that does not exist (``31/02``,
    ``le 31 juin``) or names the wrong weekday (``lundi 1er juillet`` when that is a Tuesday).
    """
    original = text if isinstance(text, str) else " ".join(text)
    words = [w for w in (normalize_word(x) for x in (text.split() if isinstance(text, str) else text)) if w]
    while words and words[0] in _LEADING:
        words = words[1:]
    if not words:
        return None
    for reader in (_relative, _in_n_days, _range, _period, _weekday, _explicit):
        when = reader(words, today, original)
        if when is not None:
            return when
    return None


# --------------------------------------------------------------------------- readers (words -> When | None)


def _relative(words: list[str], today: date, text: str) -> When | None:
    offset = RELATIVE.get(" ".join(words))
    return When(day=today + timedelta(days=offset)) if offset is not None else None


def _count(word: str) -> int | None:
    if word.isdigit():
        return int(word) if len(word) <= MAX_OFFSET_DIGITS else -1
    return NUMBER_WORDS.get(word)


def _in_n_days(words: list[str], today: date, text: str) -> When | None:
    """``dans 3 jours``, ``in 2 weeks``, ``d'ici 3 jours``, ``J+3``: that one day."""
    if len(words) == 1 and (m := _J_PLUS.match(words[0])):
        return When(day=_offset(today, m[1], 1, text))
    if len(words) < 2 or words[0] not in ("dans", "in", "d'ici"):
        return None
    rest = words[1:]
    if len(rest) == 1 and (m := _PERIOD.match(rest[0])) and m[3] and not m[1]:
        number, unit = m[2], m[3]
    elif len(rest) == 2 and rest[1] in _DAY_UNITS | _WEEK_UNITS and (n := _count(rest[0])) is not None:
        number, unit = str(n) if n >= 0 else "9" * (MAX_OFFSET_DIGITS + 1), rest[1]
    else:
        return None
    return When(day=_offset(today, number, 7 if unit in _WEEK_UNITS else 1, text))


def _offset(today: date, number: str, unit: int, text: str) -> date:
    if len(number) > MAX_OFFSET_DIGITS:
        raise BadDate(text, "too_far")
    return today + timedelta(days=int(number) * unit)


def _range(words: list[str], today: date, text: str) -> When | None:
    name = RANGES.get(" ".join(words).replace("-", " ").replace("weekend", "week end"))
    if name is None:
        return None
    monday = today - timedelta(days=today.weekday())
    if name == "this_week":
        return When(day=today, until=monday + timedelta(days=6))
    if name == "next_week":
        return When(day=monday + timedelta(days=7), until=monday + timedelta(days=13))
    if name == "last_week":
        return When(day=monday - timedelta(days=7), until=monday - timedelta(days=1))
    saturday = monday + timedelta(days=5)
    if name == "this_weekend":  # on a Sunday, what is left of it: Sunday
        return When(day=max(saturday, today), until=saturday + timedelta(days=1))
    if name == "next_weekend":  # the coming one; on a Saturday or Sunday, the one after
        start = saturday + timedelta(days=7) if today.weekday() >= 5 else saturday
        return When(day=start, until=start + timedelta(days=1))
    return When(day=saturday - timedelta(days=7), until=saturday - timedelta(days=6))  # last weekend


def _period(words: list[str], today: date, text: str) -> When | None:
    """``7j``, ``7 jours``, ``+7``, ``2 semaines``, ``sur 7 jours``, ``pendant une semaine``, ``les 7 prochains
    jours``."""
    marked = past = False
    while words and words[0] in _PERIOD_MARKERS:
        words, marked, past = words[1:], True, past or words[0] in _PAST_PERIOD
    past = past or (marked and any(w in _PAST_PERIOD for w in words))  # "les 7 derniers jours", "the last 7 days"
    words = [w for w in words if w not in _NEXT_PERIOD | _PAST_PERIOD] if marked else words
    n = _period_days(words)
    if n is None or not past:
        return None if n is None else When(days=n)
    if not 0 < n <= MAX_PAST_DAYS:
        raise BadDate(text, "too_far")
    return When(day=today - timedelta(days=n), until=today - timedelta(days=1))


def _period_days(words: list[str]) -> int | None:
    if (m := _PERIOD.match(" ".join(words))) and (m[3] or m[1] == "+"):
        if len(m[2]) > MAX_OFFSET_DIGITS:
            return 10 ** MAX_OFFSET_DIGITS  # beyond any horizon: the caller says so
        n = int(m[2]) * (7 if m[3] in _WEEK_UNITS else 1)
        return -n if m[1] == "-" else n
    if len(words) == 2 and words[1] in _DAY_UNITS | _WEEK_UNITS and (n := NUMBER_WORDS.get(words[0])) is not None:
        return n * (7 if words[1] in _WEEK_UNITS else 1)
    return None


def _weekday(words: list[str], today: date, text: str) -> When | None:
    """``samedi``, ``samedi prochain``, ``next saturday``, ``lundi dernier``; ``mardi 1er décembre`` (checked)."""
    if words[0] in ("le", "the", "ce", "this"):
        words = words[1:]
    if words and words[0] in ("next", "last") and len(words) == 2:
        words = [words[1], "prochain" if words[0] == "next" else "dernier"]
    if not words or words[0] not in WEEKDAYS:
        return None
    weekday = WEEKDAYS[words[0]]
    tail = words[1:]
    if not tail or (len(tail) == 1 and tail[0] in NEXT_WORDS):
        return When(day=today + timedelta(days=(weekday - today.weekday()) % 7 or 7))
    if len(tail) == 1 and tail[0] in PAST_WORDS:
        return When(day=today - timedelta(days=(today.weekday() - weekday) % 7 or 7))
    named = _explicit(tail, today, text)
    if named is None or named.day is None:
        return None
    if named.day.weekday() != weekday:
        raise BadDate(text, "wrong_weekday", day=named.day)
    return named


def _explicit(words: list[str], today: date, text: str) -> When | None:
    """ISO and slashed dates; ``le 30 novembre [2024]``, ``1er août``, ``30 nov``, ``December 24[th] [2024]``,
    ``le 15``."""
    article = words[0] in ("le", "the")
    if words[0] in ("le", "the", "on"):
        words = words[1:]
    if not words:
        return None
    if len(words) == 1:
        when = _numeric(words[0], today, text)
        return when if when is not None or not article else _day_of_month(words[0], today, text)
    year = None
    if len(words) >= 3 and _YEAR.match(words[-1]):
        year, words = int(words[-1]), words[:-1]
    if len(words) == 3 and words[1] == "of":
        words = [words[0], words[2]]
    if len(words) != 2:
        return None
    day, month = day_number(words[0]), MONTHS.get(words[1])
    if day is None or month is None:
        day, month = day_number(words[1]), MONTH_FIRST.get(words[0])
    if day is None or month is None:
        return None
    if year is not None:
        return When(day=_make(text, year, month, day))
    return When(day=_nearest(text, today, month, day))


def _day_of_month(word: str, today: date, text: str) -> When | None:
    """``le 15`` (the word after "le"): the next 15th of a month, today included."""
    if (day := day_number(word)) is None:
        return None
    if not 1 <= day <= 31:
        raise BadDate(text, "no_such_day")
    year, month = today.year, today.month
    for _ in range(3):
        try:
            candidate = date(year, month, day)
        except ValueError:
            candidate = None
        if candidate is not None and candidate >= today:
            return When(day=candidate)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise BadDate(text, "no_such_day")  # pragma: no cover - every day number 1..31 comes back within 3 months


def _numeric(word: str, today: date, text: str) -> When | None:
    if m := _ISO.match(word):
        return When(day=_make(text, int(m[1]), int(m[2]), int(m[3])))
    if m := _DMY.match(word):
        if m[1] is not None:
            day, month, year = int(m[1]), int(m[2]), m[3]
        else:
            day, month, year = int(m[4]), int(m[6]), m[7]
        if year is not None:
            return When(day=_make(text, 2000 + int(year) if len(year) == 2 else int(year), month, day))
        return When(day=_nearest(text, today, month, day))
    if looks_like_date(word):
        raise BadDate(text, "no_such_day")
    return None


def _nearest(text: str, today: date, month: int, day: int) -> date:
    """Day and month without a year: this year's, unless that was more than half a year ago.

    "24/11" typed on 25/11 is yesterday (the service says it is past); "05/01" typed in December is January;
    29 February with no leap year this year is the next one.
    """
    candidate = _make(text, today.year, month, day, leap_ok=True)
    if candidate is None or candidate < today - timedelta(days=183):
        candidate = _make(text, today.year + 1, month, day, leap_ok=True)
        year = today.year + 2
        while candidate is None and year <= today.year + 8:
            candidate, year = _make(text, year, month, day, leap_ok=True), year + 1
    if candidate is None:  # pragma: no cover - a leap year comes every 8 years at most
        raise BadDate(text, "no_such_day")
    return candidate


def _make(text: str, year: int, month: int, day: int, *, leap_ok: bool = False) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        if leap_ok and month == 2 and day == 29:
            return None
        raise BadDate(text, "no_such_day") from None


# --------------------------------------------------------------------------- finding the date in a command


def split_date(tokens: list[str], today: date) -> DateSplit:
    """The date phrase among ``tokens`` (at the end, or at the start) and the other tokens, untouched.

    Raises :class:`BadDate` when the words hold something that is meant as a date but cannot be read: an
    impossible day (``31/02``), words after the date that are not understood (``demain matin``), two dates
    (``demain 7j``), or date words left over (``yaourt hier soir``). A date word is never left in the product.
    """
    n = len(tokens)
    for width in range(min(MAX_SPAN, n), 0, -1):  # at the end, the longest phrase first
        when = parse_when(tokens[n - width:], today)
        if when is not None:
            return _checked(DateSplit(tokens[: n - width], when, " ".join(tokens[n - width:])))
    for width in range(min(MAX_SPAN, n - 1), 0, -1):  # at the start ("demain yaourt")
        when = parse_when(tokens[:width], today) if not _ambiguous(tokens[:width]) else None
        if when is not None:
            return _checked(DateSplit(tokens[width:], when, " ".join(tokens[:width])))
    for start in range(1, n - 1):  # a day in the middle, followed by words that are not understood
        for width in range(min(MAX_SPAN, n - 1 - start), 0, -1):
            span = tokens[start:start + width]
            when = parse_when(span, today) if not _ambiguous(span) else None
            if when is not None and when.days is None:  # "12 days of Xmas" is a name, "demain matin" is not
                raise BadDate(" ".join(tokens[start:]), "trailing", date=" ".join(span),
                              extra=" ".join(tokens[start + width:]))
    return _checked(DateSplit(list(tokens), None, ""))


def _ambiguous(span: list[str]) -> bool:
    """One token that is a date or period only at the end of a command: "1/2" (a fraction), "3D", "25W" (a size)."""
    return len(span) == 1 and bool(_DM.match(normalize(span[0])) or _GLUED_LETTER.match(normalize(span[0])))


def _checked(split: DateSplit) -> DateSplit:
    words = [normalize_word(x) for x in split.rest]
    for k in range(len(words)):
        if _is_date_word(words, k):
            while k > 0 and (words[k - 1] in ("le", "the", "dans", "in") or day_number(words[k - 1]) is not None):
                k -= 1  # "le 30 novembr": the whole date is named, not only the misspelt month
            left = " ".join(split.rest[k:])
            if split.when is not None:
                raise BadDate(f"{left} {split.phrase}", "two_dates")
            raise BadDate(left, "format")
    return split


def _is_date_word(words: list[str], k: int) -> bool:
    """``words[k]`` is meant as (part of) a date: ``hier``, ``samedi``, ``-5j``, ``J+3``, ``31/13``, ``dans 3``…"""
    word = words[k]
    if word in RELATIVE or word in WEEKDAYS or _J_PLUS.match(word) or (_DATE_LIKE.match(word) and not _DM.match(word)):
        return True
    if (m := _PERIOD.match(word)) and (m[3] or m[1] == "+") and not _GLUED_LETTER.match(word):
        return True
    neighbours = words[max(k - 1, 0):k] + words[k + 1:k + 2]
    if word in ("dans", "in") and words[k + 1:k + 2] and words[k + 1].isdigit():
        return k + 2 >= len(words) or words[k + 2] in _DAY_UNITS | _WEEK_UNITS  # "dans 3", "in 3 dys"
    if not any(day_number(x) is not None for x in neighbours) or word in ("mars", "may", "mai"):
        return False
    if word in MONTHS:
        return True
    after_day = k > 0 and day_number(words[k - 1]) is not None
    return after_day and len(word) >= 4 and bool(get_close_matches(word, _LONG_MONTHS, n=1, cutoff=0.85))
