"""The facade the bot talks to: loads the trained models once and answers in ``ml.results`` dataclasses.

Every method takes plain strings and dates, resolves product names fuzzily, and raises
the errors of :mod:`ml.errors` for anything a user can get wrong. Nothing here knows Slack.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from ml import registry
from ml.data.catalog import ProductCatalog
from ml.evaluation import HEADLINE_METRICS
from ml.errors import DateOutOfRange, NotEnoughHistory, UnknownCustomer
from ml.results import (
    CustomerProfile,
    DailyQuantity,
    ForecastPoint,
    ForecastResult,
    Metric,
    ModelCard,
    Product,
    PropensityResult,
    Reason,
    ReasonCode,
    Recommendation,
    RecommendationResult,
    TargetCustomer,
    TargetResult,
)
from ml.snapshot import Snapshot

log = logging.getLogger(__name__)

PROFILE_ID = "profile"


@dataclass(frozen=True)
class _Models:
    forecast: Any
    recommend: Any
    propensity: Any


class Caddie:
    """Trained models + catalogue + recent history, ready to answer questions."""

    def __init__(self, snapshot: Snapshot, models: _Models, metadata: dict[str, registry.ModelMetadata],
                 horizon_days: int = 14, history_days: int = 56):
        self._snapshot = snapshot
        self._models = models
        self._metadata = metadata
        self.as_of: date = snapshot.as_of
        # never further than the forecaster was trained for
        self.horizon_days: int = min(horizon_days, int(getattr(models.forecast, "horizon", horizon_days)))
        self._history_days = history_days
        self._catalog = ProductCatalog(snapshot.products, snapshot.popularity.to_dict())
        # typed ids are normalised ("#0042" -> "42"); stored ids may be padded ("0042"): map one to the other
        self._customers = {normalize_customer_id(c): c for c in snapshot.customers}
        self._customers.update({c: c for c in snapshot.customers})
        # forecasts for every forecastable product and day of the horizon, computed once
        self._forecasts = self._models.forecast.predict(self.horizon_days)
        self._forecast_by_product = {pid: frame for pid, frame in self._forecasts.groupby("product_id", sort=False)}
        self._history_by_product = {pid: frame for pid, frame in snapshot.history.groupby("product_id", sort=False)}
        recent = snapshot.history[snapshot.history["date"] > pd.Timestamp(self.as_of - timedelta(days=28))]
        volume = recent.groupby("product_id")["quantity"].sum().sort_values(ascending=False, kind="stable")
        self._best_sellers = [pid for pid in volume.index if pid in self._forecast_by_product]

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, model_dir: Path | str, *, horizon_days: int = 14) -> "Caddie":
        directory = Path(model_dir)
        snapshot = registry.load(registry.CATALOG, directory)
        models = _Models(*(registry.load(task, directory) for task in registry.TASKS))
        metadata = {task: registry.load_metadata(task, directory) for task in registry.TASKS}
        return cls(snapshot, models, metadata, horizon_days=horizon_days)

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
        """Every known customer id, sorted."""
        return list(self._snapshot.customers)

    def _customer(self, customer_id: str) -> str:
        typed = customer_id.strip()
        stored = self._customers.get(typed) or self._customers.get(normalize_customer_id(typed))
        if stored is None:
            raise UnknownCustomer(typed, known=self._customer_range())
        return stored

    def _customer_range(self) -> tuple[str, str] | None:
        """The lowest and highest customer ids (numerically when all are numbers): what an id looks like."""
        ids = [str(c) for c in self._snapshot.customers]
        if not ids:
            return None
        key = (lambda c: (len(c.lstrip("0")), c.lstrip("0"))) if all(c.isdigit() for c in ids) else str
        return min(ids, key=key), max(ids, key=key)

    # ------------------------------------------------------------------ forecast
    def forecast(self, product_query: str, day: date | None = None) -> ForecastResult:
        product = self._product(self._catalog.resolve(product_query))
        first, last = self.as_of + timedelta(days=1), self.as_of + timedelta(days=self.horizon_days)
        day = day or first
        if not first <= day <= last:
            raise DateOutOfRange(day, first, last)
        frame = self._forecast_by_product.get(product.product_id)
        if frame is None:
            raise NotEnoughHistory(product.name)
        frame = frame[frame["date"] <= pd.Timestamp(day)]
        points = tuple(
            ForecastPoint(d.date(), float(m), float(lo), float(hi))
            for d, m, lo, hi in zip(frame["date"], frame["mean"], frame["lower"], frame["upper"])
        )
        history = self._history_by_product.get(product.product_id)
        hist = () if history is None else tuple(
            DailyQuantity(d.date(), float(q)) for d, q in
            zip(history["date"].iloc[-self._history_days:], history["quantity"].iloc[-self._history_days:])
        )
        return ForecastResult(
            product=product, requested_day=day, points=points, history=hist,
            level=int(getattr(self._models.forecast, "level", 80)),
            model=type(self._models.forecast).__name__, as_of=self.as_of,
        )

    def forecast_top(self, n: int = 10, day: date | None = None) -> list[ForecastResult]:
        """Forecasts for the ``n`` best-selling forecastable products (by recent volume)."""
        return [self.forecast(pid, day) for pid in self._best_sellers[:n]]

    # ------------------------------------------------------------------ recommend
    def recommend(self, customer_id: str, n: int = 5) -> RecommendationResult:
        cid = self._customer(customer_id)
        items = tuple(
            Recommendation(self._product(pid), float(score), self._named_reason(reason))
            for pid, score, reason in self._models.recommend.recommend(cid, n)
        )
        return RecommendationResult(cid, items, type(self._models.recommend).__name__, self.as_of)

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
        product = self._product(self._catalog.resolve(product_query))
        return self._propensity(PROFILE_ID, product,
                                self._models.propensity.predict_profile(profile, product.product_id))

    def _propensity(self, customer_id: str, product: Product, probability: float,
                    drivers: tuple[str, ...] = ()) -> PropensityResult:
        model = self._models.propensity
        return PropensityResult(
            customer_id=customer_id, product=product, probability=float(probability),
            horizon_days=int(model.horizon_days), base_rate=float(model.base_rate(product.product_id)),
            model=type(model).__name__, as_of=self.as_of, drivers=drivers,
        )

    def target(self, product_query: str, n: int = 10) -> TargetResult:
        product = self._product(self._catalog.resolve(product_query))
        model = self._models.propensity
        customers = tuple(TargetCustomer(cid, float(p)) for cid, p in model.top_customers(product.product_id, n))
        return TargetResult(product, customers, int(model.horizon_days), type(model).__name__, self.as_of)

    # ------------------------------------------------------------------ model cards
    def model_cards(self) -> list[ModelCard]:
        return [_card(meta) for meta in self._metadata.values()]


def normalize_customer_id(text: str) -> str:
    """"42", " #42 ", "0042" and "42.0" all name customer "42"."""
    cid = text.strip().lstrip("#").strip()
    if cid.endswith(".0") and cid[:-2].isdigit():
        cid = cid[:-2]
    if cid.isdigit():
        cid = str(int(cid))
    return cid


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
