"""Finding the product a store team means: "yaourt", "Yaourts", "yogurt", "pates", "yaourr"...

Names and aliases are compared after :func:`normalize` (case, accents,
punctuation and naive plurals removed). Resolution tries, in order:

1. the exact product id;
2. a name or alias equal to the query;
3. names or aliases containing every word of the query ("yaourt" -> "yaourt nature");
4. a close spelling (rapidfuzz), for typos.

Ties go to the more popular product. Anything else raises
:class:`~ml.errors.UnknownProduct` with up to three suggestions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
from rapidfuzz import fuzz, process

from ml.errors import UnknownProduct
from ml.results import Product

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_NON_WORD = re.compile(r"[^a-z0-9]+")
FUZZY_CUTOFF = 80.0  # rapidfuzz score (0..100) a typo must reach
SUGGESTION_CUTOFF = 60.0
# words that never identify a product on their own ("a" must not match "fromage à raclette")
STOPWORDS: frozenset[str] = frozenset({
    "a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "un", "une", "pour", "avec",
    "the", "of", "and", "with", "x",
})


def _singular(word: str) -> str:
    """Naive French/English singular: chevaux->cheval is out of scope, gâteaux->gateau, berries->berry, pâtes->pate."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("eaux") or word.endswith("eux"):
        return word[:-1]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def normalize(text: str) -> str:
    """Lowercase, strip accents, turn punctuation into spaces, collapse spaces, singularise each word.

    >>> normalize("  Pâtes  FRAÎCHES! ")
    'pate fraiche'
    """
    text = unicodedata.normalize("NFKD", str(text).translate(_LIGATURES).lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_singular(word) for word in _NON_WORD.sub(" ", text).split())


@dataclass(frozen=True, slots=True)
class _Key:
    text: str  # normalised name or alias
    product_id: str
    is_name: bool


class ProductCatalog:
    """Product lookup by id, name or alias; ``popularity`` (e.g. units sold) breaks ties."""

    def __init__(self, products: pd.DataFrame, popularity: Mapping[str, float] | None = None):
        self.products = products
        self.popularity = dict(popularity or {})
        self._rows: dict[str, Product] = {}
        self._lower_ids: dict[str, str] = {}
        keys: list[_Key] = []
        categories = products["category"] if "category" in products else pd.Series(pd.NA, index=products.index)
        aliases = products["aliases"] if "aliases" in products else pd.Series("", index=products.index)
        for pid, name, category, alias_text in zip(products["product_id"], products["name"], categories, aliases):
            pid = str(pid)
            self._rows[pid] = Product(pid, str(name), None if pd.isna(category) else str(category))
            self._lower_ids.setdefault(pid.lower(), pid)
            keys.append(_Key(normalize(name), pid, True))
            for alias in ("" if pd.isna(alias_text) else str(alias_text)).split("|"):
                if normalize(alias):
                    keys.append(_Key(normalize(alias), pid, False))
        self._keys = [k for k in keys if k.text]
        self._texts = [k.text for k in self._keys]
        self._key_words = [frozenset(k.text.split()) for k in self._keys]
        self._words = sorted({w for words in self._key_words for w in words if len(w) > 3})
        self._word_products: dict[str, set[str]] = {}
        for key, words in zip(self._keys, self._key_words):
            for word in words:
                self._word_products.setdefault(word, set()).add(key.product_id)
        self._order = {pid: i for i, pid in enumerate(self._rows)}

    def _rank(self, product_id: str) -> tuple[float, int]:
        return (-self.popularity.get(product_id, 0.0), self._order[product_id])

    def _best(self, product_ids: set[str] | list[str]) -> str:
        return min(product_ids, key=self._rank)

    def _containing(self, query: str, prefix: bool = False) -> tuple[set[str], set[str]]:
        """Products whose name (first set) or alias (second set) holds every word of ``query``.

        Stop words of the query are ignored; with ``prefix`` a query word of 3+
        letters may also be the start of a word ("choc" -> "chocolat").
        """
        words = set(query.split()) - STOPWORDS
        by_name: set[str] = set()
        by_alias: set[str] = set()
        if not words or (prefix and any(len(w) < 3 for w in words)):
            return by_name, by_alias
        for key, key_words in zip(self._keys, self._key_words):
            if prefix:
                found = all(any(k.startswith(w) for k in key_words) for w in words)
            else:
                found = words <= key_words
            if found:
                (by_name if key.is_name else by_alias).add(key.product_id)
        return by_name, by_alias

    def _fuzzy(self, query: str, cutoff: float, limit: int) -> list[tuple[str, float]]:
        """(product_id, score) of the closest names/aliases, best first, one entry per product."""
        cutoff = max(cutoff, 90.0) if len(query) <= 3 else cutoff
        matches = process.extract(query, self._texts, scorer=fuzz.ratio, score_cutoff=cutoff, limit=limit * 8)
        # also compare with single words of multi-word names ("yaourr" ~ "yaourt" of "yaourt nature")
        word_scores: dict[str, float] = {}
        if " " not in query:
            for word, score, _ in process.extract(query, self._words, scorer=fuzz.ratio, score_cutoff=cutoff,
                                                  limit=limit * 4):
                for pid in self._word_products[word]:
                    word_scores[pid] = max(word_scores.get(pid, 0.0), score - 1)
        best: dict[str, float] = dict(word_scores)
        for _, score, index in matches:
            pid = self._keys[index].product_id
            best[pid] = max(best.get(pid, 0.0), score)
        ranked = sorted(best.items(), key=lambda item: (-round(item[1]), self._rank(item[0])))
        return ranked[:limit]

    def resolve(self, query: str) -> str:
        """The product id ``query`` designates, or raise :class:`UnknownProduct` with suggestions."""
        raw = str(query).strip()
        if raw in self._rows:
            return raw
        if raw.lower() in self._lower_ids:
            return self._lower_ids[raw.lower()]
        text = normalize(raw)
        if not text:
            raise UnknownProduct(raw, [])
        exact_names = {k.product_id for k in self._keys if k.text == text and k.is_name}
        if exact_names:
            return self._best(exact_names)
        exact_aliases = {k.product_id for k in self._keys if k.text == text}
        if exact_aliases:
            return self._best(exact_aliases)
        for prefix in (False, True):
            by_name, by_alias = self._containing(text, prefix=prefix)
            if by_name or by_alias:
                return self._best(by_name or by_alias)
        fuzzy = self._fuzzy(text, FUZZY_CUTOFF, limit=5)
        if fuzzy:
            top = round(fuzzy[0][1])
            return self._best([pid for pid, score in fuzzy if round(score) == top])
        raise UnknownProduct(raw, self.suggestions(raw))

    def suggestions(self, query: str, n: int = 3) -> list[str]:
        """Display names of up to ``n`` products whose names look like ``query`` (may be empty)."""
        text = normalize(query)
        if not text:
            return []
        return [self._rows[pid].name for pid, _ in self._fuzzy(text, SUGGESTION_CUTOFF, limit=n)]

    def product(self, product_id: str) -> Product:
        """The :class:`~ml.results.Product` of a known id (raises :class:`UnknownProduct` otherwise)."""
        try:
            return self._rows[str(product_id)]
        except KeyError:
            raise UnknownProduct(str(product_id), self.suggestions(str(product_id))) from None

    def name(self, product_id: str) -> str:
        return self.product(product_id).name
