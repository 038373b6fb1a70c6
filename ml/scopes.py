"""The chain's structure as the service sees it: stores, regions, what each store sells, best sellers per scope.

Built once at start-up from the snapshot; every method is a dict look-up (or a fuzzy match of a short name).
"""

from __future__ import annotations

import pandas as pd
from rapidfuzz import process

from ml.data.catalog import normalize
from ml.data.stores import StoreCatalog
from ml.errors import UnknownStore
from ml.precomputed import CHAIN_SCOPE
from ml.results import Scope, ScopeLevel, Store

REGION_CUTOFF = 80.0  # rapidfuzz score a region typo must reach


def _text(value: object) -> str | None:
    return None if value is None or pd.isna(value) or str(value).strip() == "" else str(value)


class ChainScopes:
    """Stores, regions and assortments of a chain (a log without stores is a chain of one store)."""

    def __init__(self, stores: pd.DataFrame, volume: pd.DataFrame):
        self._stores: dict[str, Store] = {
            str(r.store_id): Store(str(r.store_id), str(r.name), _text(r.city), _text(r.region), _text(r.format))
            for r in stores.itertuples(index=False)
        }
        self._catalog = StoreCatalog(stores)
        regions: dict[str, list[str]] = {}
        for store in self._stores.values():
            if store.region is not None:
                regions.setdefault(store.region, []).append(store.store_id)
        self._regions = {name: tuple(ids) for name, ids in sorted(regions.items())}
        self._region_keys = {normalize(name): name for name in self._regions}
        self._assortment: dict[str, frozenset[str]] = {}
        self._ranked: dict[tuple[str, str], list[str]] = {}
        products = volume["product_id"].astype(str)
        for sid, part in products.groupby(volume["store_id"].astype(str), sort=False):  # best sellers first
            mine = part.tolist()
            self._assortment[str(sid)] = frozenset(mine)
            self._ranked[(ScopeLevel.STORE.value, str(sid))] = mine
        self._rank_aggregates(volume.astype({"store_id": str, "product_id": str}))

    def _rank_aggregates(self, volume: pd.DataFrame) -> None:
        region_of = {sid: s.region for sid, s in self._stores.items()}
        frame = volume.assign(region=volume["store_id"].map(region_of))
        self._ranked[(ScopeLevel.CHAIN.value, CHAIN_SCOPE)] = _best_first(frame)
        for region, part in frame.dropna(subset=["region"]).groupby("region"):
            self._ranked[(ScopeLevel.REGION.value, str(region))] = _best_first(part)

    # ------------------------------------------------------------------ stores and regions
    def stores(self) -> list[Store]:
        return list(self._stores.values())

    def regions(self) -> list[str]:
        return list(self._regions)

    def store(self, query: str) -> Store:
        """The store ``query`` names (id, name, city, fuzzily), or :class:`UnknownStore` with suggestions."""
        return self._stores[self._catalog.resolve(query)]

    def region(self, query: str) -> str:
        """The region ``query`` names (case, accents and small typos forgiven), or :class:`UnknownStore`."""
        text = normalize(query)
        if text in self._region_keys:
            return self._region_keys[text]
        match = process.extractOne(text, list(self._region_keys), score_cutoff=REGION_CUTOFF) if text else None
        if match is None:
            close = process.extract(text, list(self._region_keys), limit=3, score_cutoff=50.0) if text else []
            raise UnknownStore(str(query).strip(), [self._region_keys[k] for k, _, _ in close])
        return self._region_keys[match[0]]

    def scope(self, store: str | None = None, region: str | None = None) -> Scope:
        """The scope named by a store query (first), else a region query, else the whole chain."""
        if store is not None and str(store).strip():
            return Scope(ScopeLevel.STORE, store=self.store(store), n_stores=1)
        if region is not None and str(region).strip():
            name = self.region(region)
            return Scope(ScopeLevel.REGION, region=name, n_stores=len(self._regions[name]))
        return Scope(ScopeLevel.CHAIN, n_stores=len(self._stores))

    # ------------------------------------------------------------------ assortments
    def sells(self, store_id: str, product_id: str) -> bool:
        return product_id in self._assortment.get(store_id, frozenset())

    def ranked(self, scope: Scope) -> list[str]:
        """Products of ``scope`` by recent sales, best first (a store: only what it sells)."""
        return self._ranked.get(key(scope), [])


def _best_first(volume: pd.DataFrame) -> list[str]:
    """Product ids by recent sales (then sales over the assortment window), best first."""
    totals = volume.groupby("product_id")[["recent", "quantity"]].sum().reset_index()
    totals = totals.sort_values(["recent", "quantity", "product_id"], ascending=[False, False, True], kind="stable")
    return totals["product_id"].astype(str).tolist()


def key(scope: Scope) -> tuple[str, str]:
    """(level, scope name) as used by ``ml.precomputed``: a store id, a region name or CHAIN_SCOPE."""
    if scope.level is ScopeLevel.STORE:
        assert scope.store is not None
        return ScopeLevel.STORE.value, scope.store.store_id
    if scope.level is ScopeLevel.REGION:
        assert scope.region is not None
        return ScopeLevel.REGION.value, scope.region
    return ScopeLevel.CHAIN.value, CHAIN_SCOPE
