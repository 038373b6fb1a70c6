"""The words of dates, in French and English, after :func:`normalize` (lower case, no accents).

Abbreviations of weekdays ("mer", "sam", "sun") are left out: they collide with
product words. Month names count only next to a day number ("30 nov"), so that
"Mars" (the bar) stays a product.
"""

from __future__ import annotations

import re
import unicodedata

from bot.text import digits_to_ascii

RELATIVE: dict[str, int] = {
    "aujourd'hui": 0, "aujourdhui": 0, "aujourd hui": 0, "auj": 0, "today": 0,
    "demain": 1, "tomorrow": 1,
    "apres-demain": 2, "apres demain": 2, "apresdemain": 2, "day after tomorrow": 2, "the day after tomorrow": 2,
    "hier": -1, "yesterday": -1,
    "avant-hier": -2, "avant hier": -2, "avanthier": -2, "day before yesterday": -2, "the day before yesterday": -2,
}

WEEKDAYS: dict[str, int] = {}
for _i, _names in enumerate((
    ("lundi", "monday"), ("mardi", "tuesday"), ("mercredi", "wednesday"), ("jeudi", "thursday"),
    ("vendredi", "friday"), ("samedi", "saturday"), ("dimanche", "sunday"),
)):
    for _name in _names:
        WEEKDAYS[_name] = _i

NEXT_WORDS = frozenset({"prochain", "prochaine", "next", "qui vient"})
PAST_WORDS = frozenset({"dernier", "derniere", "last", "passe", "passee"})

_MONTH_NAMES = (
    ("janvier", "janv", "jan", "january"), ("fevrier", "fevr", "fev", "feb", "february"),
    ("mars", "mar", "march"), ("avril", "avr", "apr", "april"), ("mai", "may"), ("juin", "jun", "june"),
    ("juillet", "juil", "jul", "july"), ("aout", "aug", "august"), ("septembre", "sept", "sep", "september"),
    ("octobre", "oct", "october"), ("novembre", "nov", "november"), ("decembre", "dec", "december"),
)
MONTHS: dict[str, int] = {name: i for i, names in enumerate(_MONTH_NAMES, start=1) for name in names}
# month before the day ("December 24", "dec 24th"): English usage only; not "mar"/"mars" ("Mars 2" is two bars)
# nor "may" ("dressing may 10 oz"): write "24 May"
_ENGLISH_MONTHS = {"jan", "january", "feb", "february", "march", "apr", "april", "jun", "june", "jul",
                   "july", "aug", "august", "sep", "sept", "september", "oct", "october", "nov", "november",
                   "dec", "december"}
MONTH_FIRST: dict[str, int] = {name: MONTHS[name] for name in _ENGLISH_MONTHS}

NUMBER_WORDS: dict[str, int] = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9,
    "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15,
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
}

RANGES: dict[str, str] = {
    "ce week end": "this_weekend", "le week end": "this_weekend", "this week end": "this_weekend",
    "the week end": "this_weekend", "week end prochain": "next_weekend", "le week end prochain": "next_weekend",
    "le prochain week end": "next_weekend", "prochain week end": "next_weekend", "next week end": "next_weekend",
    "le week end dernier": "last_weekend", "week end dernier": "last_weekend", "last week end": "last_weekend",
    "cette semaine": "this_week", "this week": "this_week",
    "la semaine prochaine": "next_week", "semaine prochaine": "next_week", "la prochaine semaine": "next_week",
    "next week": "next_week",
    "la semaine derniere": "last_week", "semaine derniere": "last_week", "last week": "last_week",
}

_DAY_NUMBER = re.compile(r"^(\d{1,2})(er|re|e|eme|st|nd|rd|th)?$")
_EDGE_PUNCTUATION = ".,;:!?()[]\"«»"


def normalize(text: str) -> str:
    """Lower case, no accents, straight apostrophes, ASCII digits, single spaces."""
    decomposed = unicodedata.normalize("NFKD", digits_to_ascii(text))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    return " ".join(plain.lower().split())


def normalize_word(word: str) -> str:
    """One word normalised, without punctuation around it (``"Nov."`` -> ``"nov"``, ``"(demain)"`` -> ``"demain"``)."""
    return normalize(word).strip(_EDGE_PUNCTUATION)


def day_number(word: str) -> int | None:
    """``"1"``, ``"01"``, ``"1er"``, ``"24th"``, ``"premier"`` -> the day of the month; None otherwise."""
    if word in ("premier", "first"):
        return 1
    m = _DAY_NUMBER.match(word)
    return int(m[1]) if m else None
