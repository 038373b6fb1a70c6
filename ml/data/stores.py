"""Finding the store a team means: "Lyon Part-Dieu", "lyon part dieu", "lyon", "12", "n°12", "magasin 12".

Names, cities and regions are compared after :func:`~ml.data.catalog.normalize`
(case, accents, punctuation ignored). Resolution tries, in order:

1. the exact store id, or a store number ("12", "n°12", "magasin 12", "store #12");
2. a name equal to the query;
3. a city or region equal to the query: its only store, or :class:`~ml.errors.AmbiguousStore`
   listing the stores there;
4. names (with their city and region) holding every word of the query ("part dieu"), one or ambiguous.

A typo is never guessed silently (orders placed for the wrong store cost more than a
question): it raises :class:`~ml.errors.UnknownStore` with up to three close names.
"""

from __future__ import annotations

import re

import pandas as pd
from rapidfuzz import fuzz, process

from ml.data.catalog import normalize
from ml.errors import AmbiguousStore, UnknownStore
from ml.results import Store

SUGGESTION_CUTOFF = 70.0  # rapidfuzz WRatio (0..100) a name must reach to be suggested
# words that never identify a store on their own
STOPWORDS: frozenset[str] = frozenset({
    "magasin", "store", "shop", "mag", "carrefour", "market", "supermarche", "a", "au", "d", "de", "du", "des",
    "en", "l", "la", "le", "les", "sur", "the", "of", "in",
})
_NUMBER = re.compile(r"^(?:(?:magasin|store|shop|mag|supermarche)\s*)?(?:(?:n|no|num|numero|number|nr)\s*)?(\d+)$")


def _text(value: object) -> str | None:
    return None if value is None or pd.isna(value) or not str(value).strip() else str(value).strip()


class StoreCatalog:
    """Store lookup by id, number, name, city or region, over a stores table (STORE_COLUMNS)."""

    def __init__(self, stores: pd.DataFrame):
        self.stores = stores
        self._rows: dict[str, Store] = {}
        self._keys: dict[str, dict[str, list[str]]] = {"name": {}, "city": {}, "region": {}}
        self._words: dict[str, frozenset[str]] = {}
        for row in stores.itertuples(index=False):
            store = Store(str(row.store_id), _text(row.name) or str(row.store_id), _text(row.city),
                          _text(row.region), _text(row.format))
            self._rows[store.store_id] = store
            texts = {"name": store.name, "city": store.city, "region": store.region}
            for kind, text in texts.items():
                if text and normalize(text):
                    self._keys[kind].setdefault(normalize(text), []).append(store.store_id)
            self._words[store.store_id] = frozenset(
                " ".join(normalize(t) for t in texts.values() if t).split()) - STOPWORDS
        self._lower_ids = {sid.lower(): sid for sid in self._rows}
        self._numbers = {int(sid): sid for sid in self._rows if sid.isdigit()}
        self._names = [normalize(s.name) for s in self._rows.values()]
        self._ids = list(self._rows)

    def resolve(self, query: str) -> str:
        """The store id ``query`` designates; raises :class:`UnknownStore` (or :class:`AmbiguousStore`)."""
        raw = str(query).strip()
        if raw in self._rows:
            return raw
        if raw.lower() in self._lower_ids:
            return self._lower_ids[raw.lower()]
        text = normalize(raw)
        number = _NUMBER.match(text)
        if number:
            found = self._numbers.get(int(number.group(1)))
            if found is None:
                raise UnknownStore(raw, self.suggestions(raw))
            return found
        for kind in ("name", "city", "region"):
            if text in self._keys[kind]:
                return self._one(raw, self._keys[kind][text])
        words = set(text.split()) - STOPWORDS
        if words:
            holding = [sid for sid, key_words in self._words.items() if words <= key_words]
            if holding:
                return self._one(raw, holding)
        raise UnknownStore(raw, self.suggestions(raw))

    def _one(self, query: str, store_ids: list[str]) -> str:
        if len(store_ids) == 1:
            return store_ids[0]
        raise AmbiguousStore(query, sorted(self._rows[sid].name for sid in store_ids))

    def suggestions(self, query: str, n: int = 3) -> list[str]:
        """Display names of up to ``n`` stores whose name, city or region look like ``query``."""
        text = normalize(query)
        if not text:
            return []
        labels = [f"{name} {normalize(s.city or '')}".strip() for name, s in zip(self._names, self._rows.values())]
        matches = process.extract(text, labels, scorer=fuzz.WRatio, score_cutoff=SUGGESTION_CUTOFF, limit=n)
        return [self._rows[self._ids[index]].name for _, _, index in matches]

    def store(self, store_id: str) -> Store:
        """The :class:`~ml.results.Store` of a known id (raises :class:`UnknownStore` otherwise)."""
        try:
            return self._rows[str(store_id)]
        except KeyError:
            raise UnknownStore(str(store_id), self.suggestions(str(store_id))) from None

    def regions(self) -> list[str]:
        """The regions of the chain, as written in the stores table, sorted."""
        return sorted({s.region for s in self._rows.values() if s.region})

    def stores_in_region(self, region: str) -> list[Store]:
        """The stores of ``region`` (case and accents ignored), in table order; empty for an unknown region."""
        return [self._rows[sid] for sid in self._keys["region"].get(normalize(region), [])]
