"""A small chain standing in for ``ml.service.Caddie`` in the bot's store tests (three stores, three products).

Only what the bot calls, with the service's contract: store queries are resolved by number, name or city
(``UnknownStore`` with close names otherwise), a store that does not sell a product raises ``NotSoldInStore``,
chain and region figures are sums of the store figures, ``result.scope`` says which. Each store's daily mean
is known (``MEANS``), so the tests can check which store a reply is for.
"""

from __future__ import annotations

import difflib
from datetime import date, timedelta

from bot.dates import normalize
from ml.errors import DateOutOfRange, NotSoldInStore, UnknownProduct, UnknownStore
from ml.results import (
    DailyQuantity,
    ForecastPoint,
    ForecastResult,
    OrderLine,
    OrderProposal,
    Product,
    Scope,
    ScopeLevel,
    Store,
)

AS_OF = date(2024, 6, 30)
STORES = (
    Store("1", "Lyon Part-Dieu", "Lyon", "Sud-Est", "urbain"),
    Store("2", "Nantes Centre", "Nantes", "Ouest", "urbain"),
    Store("3", "Rennes Cleunay", "Rennes", "Ouest", "supermarché"),
)
PRODUCTS = (
    Product("p1", "Yaourt nature", "crèmerie"),
    Product("p2", "Baguette tradition", "boulangerie"),
    Product("p3", "Saumon fumé", "traiteur"),
)
ASSORTMENT = {"1": {"p1", "p2", "p3"}, "2": {"p1", "p2"}, "3": {"p1", "p2"}}
MEANS = {("1", "p1"): 11.0, ("2", "p1"): 23.0, ("3", "p1"): 37.0,
         ("1", "p2"): 50.0, ("2", "p2"): 60.0, ("3", "p2"): 70.0, ("1", "p3"): 4.0}
HISTORY_FACTOR = 0.9  # history of a store = its mean x this, every day


class ChainDouble:
    as_of = AS_OF
    horizon_days = 14
    has_customers = False

    def __init__(self, *, stock: bool = True):
        self.stock = stock
        self.calls: list[tuple] = []

    def reference_day(self, today: date) -> date:
        if self.as_of < today <= self.as_of + timedelta(days=self.horizon_days):
            return today
        return self.as_of + timedelta(days=1)

    # -- stores
    def stores(self) -> list[Store]:
        return list(STORES)

    def resolve_store(self, query: str) -> Store:
        text = normalize(query)
        for store in STORES:
            if text in (store.store_id, normalize(store.name), normalize(store.city or "")):
                return store
        names = difflib.get_close_matches(query, [s.name for s in STORES] + [s.city for s in STORES], 3, 0.5)
        raise UnknownStore(query, [n for s in STORES for n in names if n in (s.name, s.city)][:3])

    def _product(self, query: str) -> Product:
        for product in PRODUCTS:
            if normalize(query) in normalize(product.name):
                return product
        raise UnknownProduct(query, [])

    def _scope(self, store: str | None, region: str | None) -> tuple[Scope, list[Store]]:
        if store:
            found = self.resolve_store(store)
            return Scope(ScopeLevel.STORE, store=found), [found]
        if region:
            members = [s for s in STORES if s.region == region]
            return Scope(ScopeLevel.REGION, region=region, n_stores=len(members)), members
        return Scope(ScopeLevel.CHAIN, n_stores=len(STORES)), list(STORES)

    # -- forecasts
    def forecast(self, product_query: str, day: date | None = None, *, store: str | None = None,
                 region: str | None = None) -> ForecastResult:
        self.calls.append(("forecast", product_query, day, store, region))
        product = self._product(product_query)
        scope, members = self._scope(store, region)
        if scope.store is not None and product.product_id not in ASSORTMENT[scope.store.store_id]:
            raise NotSoldInStore(product.name, scope.store.name)
        first = self.as_of + timedelta(days=1)
        day = day or first
        if not first <= day <= self.as_of + timedelta(days=self.horizon_days):
            raise DateOutOfRange(day, first, self.as_of + timedelta(days=self.horizon_days))
        mean = sum(MEANS.get((s.store_id, product.product_id), 0.0) for s in members)
        points = tuple(ForecastPoint(first + timedelta(days=i), mean, mean * 0.8, mean * 1.2)
                       for i in range((day - first).days + 1))
        history = tuple(DailyQuantity(self.as_of - timedelta(days=i), mean * HISTORY_FACTOR) for i in range(27, -1, -1))
        return ForecastResult(product, day, points, history, 80, "DoubleModel", self.as_of, scope)

    def forecast_top(self, n: int = 10, day: date | None = None, store: str | None = None) -> list[ForecastResult]:
        sold = ASSORTMENT[self.resolve_store(store).store_id] if store else {p.product_id for p in PRODUCTS}
        return [self.forecast(p.name, day, store=store) for p in PRODUCTS if p.product_id in sold][:n]

    # -- orders
    def orders(self, store: str, query: str | None = None, day: date | None = None) -> OrderProposal:
        self.calls.append(("orders", store, query, day))
        found = self.resolve_store(store)
        products = [self._product(query)] if query else [p for p in PRODUCTS if p.product_id in ASSORTMENT[found.store_id]]
        for product in products:
            if product.product_id not in ASSORTMENT[found.store_id]:
                raise NotSoldInStore(product.name, found.name)
        lines = tuple(self._line(found, p) for p in products)
        return OrderProposal(found, lines, day or self.as_of + timedelta(days=1), self.stock,
                             self.as_of if self.stock else None, "DoubleModel", self.as_of)

    def _line(self, store: Store, product: Product) -> OrderLine:
        """Period 3 days (lead 1 + review 2), packs of 6; stock 10 on hand and 2 on order when known."""
        mean = 3 * MEANS[(store.store_id, product.product_id)]
        quantile = mean * 1.25
        on_hand, on_order = (10.0, 2.0) if self.stock else (None, None)
        need = max(quantile - (on_hand or 0.0) - (on_order or 0.0), 0.0)
        packs = int(-(-need // 6))
        return OrderLine(product, packs * 6.0, packs, 6.0, 3, mean, quantile, quantile - mean, on_hand, on_order,
                         0.95, 1, 2)

    # -- what the App Home and the help read
    def products(self, n: int | None = None) -> list[Product]:
        return list(PRODUCTS)[:n]

    def model_cards(self) -> list:
        return []


def plain(text: str) -> str:
    """``text`` with French typography's non-breaking spaces as plain spaces, to compare with readable strings."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")
