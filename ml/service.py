"""The facade the bot talks to: loads the trained models once and answers in ``ml.results`` dataclasses.

Every method takes plain strings and dates, resolves product and store names fuzzily, and raises the errors
of :mod:`ml.errors` for anything a user can get wrong. Nothing here knows Slack.

A chain has stores, grouped in regions. Forecasts are per store x product; a region's figure is the sum of its
stores' forecasts and the chain's the sum of all stores' (bottom-up), with intervals computed for the aggregate.
They are all computed ahead (at training, or by the nightly batch) and read from the database's latest run of
the served data, or from the model set's files when there is none (``ml.forecast_sources``): answering is one
indexed read, never a call to the forecaster.

    caddie = Caddie.load("models")                     # the model set's own forecasts
    caddie = Caddie.load("models", database_url="sqlite:///var/caddie.db")  # the database's run when it has one
    caddie.stores()                                   # [Store("1", "Lyon Part-Dieu", ...), ...]
    caddie.resolve_store("lyon")                      # Store(...), or UnknownStore with suggestions
    caddie.forecast("yaourt", day, store="Lyon")      # that store's forecast and its own history
    caddie.forecast("yaourt", day, region="Sud-Est")  # the sum of the region's stores
    caddie.forecast("yaourt", day)                    # the chain: the sum of every store
    caddie.orders("Lyon", "crèmerie")                 # OrderProposal for that store's dairy products
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from ml import modelsets, registry
from ml.forecast_sources import ForecastSource, StoredForecast, open_forecasts
from ml.modelsets import ServedSet
from ml.privacy import ErasureList, normalize_customer_id
from ml.data.catalog import ProductCatalog
from ml.evaluation import HEADLINE_METRICS
from ml.errors import (
    DateOutOfRange,
    NoCustomerData,
    NotEnoughHistory,
    NotSoldInStore,
    UnknownCustomer,
    UnknownProduct,
)
from ml.ordering import OrderDesk
from ml.precomputed import LazyHistory
from ml.results import (
    CustomerProfile,
    DailyQuantity,
    ForecastPoint,
    ForecastResult,
    Metric,
    ModelCard,
    OrderProposal,
    Product,
    PropensityResult,
    Reason,
    ReasonCode,
    Recommendation,
    RecommendationResult,
    Scope,
    ScopeLevel,
    Store,
    TargetCustomer,
    TargetResult,
)
from ml.scopes import ChainScopes, key
from ml.snapshot import HISTORY_DAYS, Snapshot

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class _Models:
    """The customer models (None on a sales log). The forecaster is not loaded: its answers are stored."""

    recommend: Any | None
    propensity: Any | None


class Caddie:
    """Trained models + catalogue + stored forecasts of every store, ready to answer questions."""

    def __init__(self, snapshot: Snapshot, models: _Models, metadata: dict[str, registry.ModelMetadata],
                 forecasts: ForecastSource, history: LazyHistory, horizon_days: int = 14,
                 history_days: int = HISTORY_DAYS, *, erasures: ErasureList | None = None,
                 served: ServedSet | None = None):
        self._snapshot = snapshot
        # customers erased since training (ml.privacy): refused at every answer, re-read when the list changes
        self._erasures = erasures
        self.served = served  # the model set answering (name, data source, fallback message)
        self._models = models
        self._metadata = metadata
        self._forecasts = forecasts  # where forecasts are read: the database's run or the model set
        self._history = history
        self.as_of: date = forecasts.as_of  # the set's data end, or a newer batch run's
        # never further than the forecasts stored
        self.horizon_days: int = min(horizon_days, forecasts.horizon_days)
        self._history_days = history_days
        self._catalog = ProductCatalog(snapshot.products, snapshot.popularity.to_dict())
        self._scopes = ChainScopes(snapshot.stores, snapshot.volume)
        self._orders = OrderDesk(snapshot, forecasts, self._catalog, self.as_of, self.horizon_days, forecasts.level)
        # typed ids are normalised ("#0042" -> "42"); stored ids may be padded ("0042"): map one to the other
        self._customers = {normalize_customer_id(c): c for c in snapshot.customers}
        self._customers.update({c: c for c in snapshot.customers})

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, model_dir: Path | str, *, horizon_days: int = 14, database_url: str | None = None,
             forecasts_source: str = "auto") -> "Caddie":
        """Load the served model set of ``model_dir`` (``ml.modelsets``: checksums verified first, the last good
        set if the pointed one is corrupt), each object type-checked; never calls the forecaster.

        Forecasts come from ``database_url``'s latest complete run of the set's data when there is one (nothing
        indexed at start-up), else from the set's files (``ml.forecast_sources``; ``forecasts_source``:
        auto | database | model_set). The history shown beside a forecast is the set's, indexed in a
        background thread (or on first use)."""
        from ml.models.propensity import PropensityEstimator
        from ml.models.recommend import BaseRecommender

        served = modelsets.resolve(Path(model_dir))
        directory = served.path
        snapshot: Snapshot = registry.load(registry.CATALOG, directory, expected=Snapshot)
        tasks = registry.TASKS if snapshot.has_customers else ("forecast",)
        models = _Models(*(registry.load(task, directory, expected=kind) if snapshot.has_customers else None
                           for task, kind in (("recommend", BaseRecommender), ("propensity", PropensityEstimator))))
        metadata = {task: registry.load_metadata(task, directory) for task in tasks}
        log.info("serving model set %s (%s)", served.name, served.card.source.data_source if served.card else "flat")
        forecasts = open_forecasts(directory, data_name=snapshot.data_name, as_of=snapshot.as_of,
                                   database_url=database_url, source=forecasts_source,
                                   set_name=f"model set {served.name}")
        history = LazyHistory(directory)
        history.warm_in_background()
        return cls(snapshot, models, metadata, forecasts, history, horizon_days=horizon_days,
                   erasures=ErasureList(model_dir), served=served)

    def index_history(self) -> None:
        """Index the sales history now (start-up does it in a background thread; benchmarks wait for it)."""
        self._history.warm()

    @property
    def forecasts_source(self) -> str:
        """Where the forecasts are read: "database run ..." or "model set ..." (ops pages, logs)."""
        return self._forecasts.name

    def _erased(self, customer_id: str) -> bool:
        return self._erasures is not None and customer_id in self._erasures

    @property
    def has_customers(self) -> bool:
        """False on a sales log (daily sales per store and product): recommend, predict and target cannot answer."""
        return self._snapshot.has_customers

    def reference_day(self, today: date) -> date:
        """The day that "today" means for these models.

        The real date while it lies within the forecast horizon of the data; otherwise (historical data, or
        a clock before the data) the day after the data, so that "demain" still has an answer.
        """
        if self.as_of < today <= self.as_of + timedelta(days=self.horizon_days):
            return today
        return self.as_of + timedelta(days=1)

    # ------------------------------------------------------------------ catalogue
    def _product(self, product_id: str) -> Product:
        return self._catalog.product(product_id)

    def products(self, n: int | None = None) -> list[Product]:
        ids = self._snapshot.popularity.index[: n if n is not None else None]
        return [self._product(str(pid)) for pid in ids]

    def customers(self) -> list[str]:
        """Every known customer id, sorted (empty for a sales log); erased customers left out."""
        return [c for c in self._snapshot.customers if not self._erased(c)]

    @property
    def data_name(self) -> str:
        """The name of the data the models were trained on (its stored rows carry it: ``ml.data.store``)."""
        return self._snapshot.data_name

    def resolve_customer(self, customer_id: str) -> str:
        """The stored id of a typed one (``"#0042"`` -> ``"42"``); raises UnknownCustomer or NoCustomerData."""
        return self._customer(customer_id)

    def _customer(self, customer_id: str) -> str:
        if not self.has_customers:
            raise NoCustomerData(self._snapshot.data_name)
        typed = customer_id.strip()
        stored = self._customers.get(typed) or self._customers.get(normalize_customer_id(typed))
        if stored is None or self._erased(stored):
            raise UnknownCustomer(typed, known=self._customer_range())
        return stored

    def _require_customers(self) -> None:
        if not self.has_customers:
            raise NoCustomerData(self._snapshot.data_name)

    # ------------------------------------------------------------------ stores
    def stores(self) -> list[Store]:
        """Every store of the chain, by id (a log without stores: one store)."""
        return self._scopes.stores()

    def resolve_store(self, query: str) -> Store:
        """The store ``query`` names: its number, name or city, fuzzily ("lyon", "Lyon Part-Dieu", "12").

        Raises :class:`~ml.errors.UnknownStore` carrying close store names.
        """
        return self._scopes.store(query)

    def regions(self) -> list[str]:
        """The chain's regions, sorted (stores without a region count in the chain only)."""
        return self._scopes.regions()

    def _customer_range(self) -> tuple[str, str] | None:
        """The lowest and highest customer ids (numerically when all are numbers): what an id looks like."""
        ids = self.customers()
        if not ids:
            return None
        key = (lambda c: (len(c.lstrip("0")), c.lstrip("0"))) if all(c.isdigit() for c in ids) else str
        return min(ids, key=key), max(ids, key=key)

    # ------------------------------------------------------------------ forecast
    def forecast(self, product_query: str, day: date | None = None, *, store: str | None = None,
                 region: str | None = None) -> ForecastResult:
        """Daily forecasts from the first forecast day to ``day`` (default: the first), with recent history.

        ``store`` (a query for :meth:`resolve_store`) gives that store's forecast and its own sales history;
        else ``region`` gives the sum of the region's stores; else the chain (every store). ``result.scope``
        says which. Raises UnknownProduct, UnknownStore, DateOutOfRange, NotSoldInStore (the store does not
        sell the product) or NotEnoughHistory (sold too rarely to forecast).
        """
        product = self._product(self._catalog.resolve(product_query))
        day = self._check_day(day)
        scope = self._scopes.scope(store, region)
        return self._forecast(product, day, scope)

    def _check_day(self, day: date | None) -> date:
        first, last = self.as_of + timedelta(days=1), self.as_of + timedelta(days=self.horizon_days)
        day = day or first
        if not first <= day <= last:
            raise DateOutOfRange(day, first, last)
        return day

    def _forecast(self, product: Product, day: date, scope: Scope,
                  series: StoredForecast | None = None) -> ForecastResult:
        level, name = key(scope)
        series = series if series is not None else self._forecasts.series(level, name, product.product_id)
        if series is None:
            if scope.store is not None and not self._scopes.sells(scope.store.store_id, product.product_id):
                raise NotSoldInStore(product.name, scope.store.name)
            raise NotEnoughHistory(product.name)
        n = day.toordinal() - int(series.days[0]) + 1
        points = tuple(ForecastPoint(date.fromordinal(d), m, lo, hi) for d, m, lo, hi in zip(
            series.days[:n].tolist(), series.mean[:n].tolist(), series.lower[:n].tolist(), series.upper[:n].tolist()))
        return ForecastResult(
            product=product, requested_day=day, points=points,
            history=self._recent(level, name, product.product_id),
            level=self._forecasts.level, model=self._forecasts.model, as_of=self.as_of, scope=scope,
        )

    def _recent(self, level: str, name: str, product_id: str) -> tuple[DailyQuantity, ...]:
        series = self._history.get((level, name, product_id))
        if series is None:
            return ()
        days = series.days[-self._history_days:].tolist()
        quantities = series.values["quantity"][-self._history_days:].tolist()
        return tuple(DailyQuantity(date.fromordinal(d), q) for d, q in zip(days, quantities))

    def sold(self, level: str, name: str, product_id: str, day: date) -> float | None:
        """Units sold on ``day`` in a scope (``level``, ``name`` as :func:`ml.scopes.key` gives them); None when the
        data does not cover that day (after the data, or before the history kept) or the series is unknown."""
        series = self._history.get((level, name, product_id))
        if series is None:
            return None
        i = int(np.searchsorted(series.days, day.toordinal()))
        if i >= len(series.days) or int(series.days[i]) != day.toordinal():
            return None
        value = float(series.values["quantity"][i])
        return None if value != value else value  # NaN: the series has no line that day

    def forecast_top(self, n: int = 10, day: date | None = None, store: str | None = None) -> list[ForecastResult]:
        """Forecasts for the ``n`` best-selling forecastable products (by recent volume) of ``store``,
        or of the chain when no store is given."""
        day = self._check_day(day)
        scope = self._scopes.scope(store)
        top = self._forecast_first(scope, n)
        return [self._forecast(self._product(pid), day, scope, series) for pid, series in top.items()]

    def _forecast_first(self, scope: Scope, n: int) -> dict[str, StoredForecast]:
        """The forecasts of the ``n`` best sellers of ``scope`` that have one, best first (one row set of
        candidates from the database, more only when too few of them have a forecast)."""
        level, name = key(scope)
        ranked, found = self._scopes.ranked(scope), {}
        step = max(2 * n, 50)
        for lo in range(0, len(ranked), step):
            found.update(self._forecasts.many(level, name, ranked[lo:lo + step]))
            if len(found) >= n:
                break
        return dict(list(found.items())[:n])

    # ------------------------------------------------------------------ orders
    def orders(self, store: str, query: str | None = None, day: date | None = None) -> OrderProposal:
        """What ``store`` should order on ``day`` (default: the first forecast day).

        ``query`` names a product, or a category/department ("crèmerie", "rayon frais"); None: the store's
        main products. Each line: the demand quantile over lead time + review period at the product's target
        service level, minus stock on hand and on order, in whole packs, capped by shelf life for perishables.
        Without stock data the proposal is from the forecast alone and says so (``has_stock_data`` False).
        """
        day = self._check_day(day)
        scope = Scope(ScopeLevel.STORE, store=self._scopes.store(store or ""), n_stores=1)
        if query is None or not str(query).strip():  # the main products: their forecasts are read once
            top = self._forecast_first(scope, self._orders.main_products)
            products = [self._product(pid) for pid in top]
            return self._orders.propose(scope.store, products, day, model=self._forecasts.model, series=top)
        products = self._order_products(scope, query)
        return self._orders.propose(scope.store, products, day, model=self._forecasts.model)

    def _order_products(self, scope: Scope, query: str | None) -> list[Product]:
        store = scope.store
        assert store is not None
        category = self._orders.category(query)
        if category is not None:
            members = self._orders.members(category)
            return [self._product(pid) for pid in self._scopes.ranked(scope) if pid in members]
        try:
            product = self._product(self._catalog.resolve(query))
        except UnknownProduct:
            category = self._orders.department(query)  # "dairy": the data's "Crèmerie"
            if category is None:
                raise
            members = self._orders.members(category)
            return [self._product(pid) for pid in self._scopes.ranked(scope) if pid in members]
        if not self._scopes.sells(store.store_id, product.product_id):
            raise NotSoldInStore(product.name, store.name)
        return [product]

    # ------------------------------------------------------------------ recommend
    def recommend(self, customer_id: str, n: int = 5) -> RecommendationResult:
        """Raises NoCustomerData on a sales log."""
        cid = self._customer(customer_id)
        items = tuple(
            Recommendation(self._product(pid), float(score), self._named_reason(reason))
            for pid, score, reason in self._models.recommend.recommend(cid, n)
        )
        return RecommendationResult(cid, items, registry.display_name(self._models.recommend), self.as_of)

    def _named_reason(self, reason: Reason) -> Reason:
        if reason.code is ReasonCode.ALSO_BOUGHT and "anchor" in reason.params:
            return Reason(reason.code, {**reason.params, "anchor": self._catalog.name(str(reason.params["anchor"]))})
        return reason

    # ------------------------------------------------------------------ propensity
    def predict(self, customer_id: str, product_query: str) -> PropensityResult:
        cid = self._customer(customer_id)
        product = self._product(self._catalog.resolve(product_query))
        model = self._models.propensity
        return self._propensity(cid, product, model.predict_proba(cid, product.product_id),
                                tuple(model.drivers(cid, product.product_id)))

    def predict_profile(self, profile: CustomerProfile, product_query: str) -> PropensityResult:
        self._require_customers()
        product = self._product(self._catalog.resolve(product_query))
        return self._propensity(None, product, self._models.propensity.predict_profile(profile, product.product_id))

    def _propensity(self, customer_id: str | None, product: Product, probability: float,
                    drivers: tuple[str, ...] = ()) -> PropensityResult:
        model = self._models.propensity
        return PropensityResult(
            customer_id=customer_id, product=product, probability=float(probability),
            horizon_days=int(model.horizon_days), base_rate=float(model.base_rate(product.product_id)),
            model=registry.display_name(model), as_of=self.as_of, drivers=drivers, is_profile=customer_id is None,
        )

    def target(self, product_query: str, n: int = 10) -> TargetResult:
        self._require_customers()
        product = self._product(self._catalog.resolve(product_query))
        model = self._models.propensity
        erased = len(self._erasures) if self._erasures is not None else 0
        ranked = model.top_customers(product.product_id, n + erased)  # enough to fill n once erased ones are out
        customers = tuple(TargetCustomer(cid, float(p)) for cid, p in ranked if not self._erased(cid))[:n]
        return TargetResult(product, customers, int(model.horizon_days), registry.display_name(model), self.as_of)

    # ------------------------------------------------------------------ model cards
    def model_cards(self) -> list[ModelCard]:
        return [_card(meta) for meta in self._metadata.values()]


def _metrics(task: str, block: dict[str, Any]) -> tuple[Metric, ...]:
    wanted = HEADLINE_METRICS.get(task, {})
    return tuple(Metric(name, float(block[name]), higher) for name, higher in wanted.items()
                 if isinstance(block.get(name), (int, float)))


def _card(meta: registry.ModelMetadata) -> ModelCard:
    evaluation = meta.evaluation or {}
    start, end = meta.data_window
    return ModelCard(
        task=meta.task, model=meta.model, trained_at=datetime.fromisoformat(meta.trained_at),
        data_name=meta.data_name, data_start=start, data_end=end,
        metrics=_metrics(meta.task, evaluation.get("model", {})),
        baselines={name: _metrics(meta.task, block) for name, block in evaluation.get("baselines", {}).items()},
    )
