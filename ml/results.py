"""Typed results the ml package hands to its callers (the bot, the console, the scheduler).

Plain frozen dataclasses of builtins and ``datetime.date``: no pandas, no numpy,
no Slack. Reasons are structured (a code plus parameters) so the bot can render
them in French or English.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum


@dataclass(frozen=True, slots=True)
class Product:
    product_id: str
    name: str
    category: str | None = None


@dataclass(frozen=True, slots=True)
class Store:
    store_id: str
    name: str
    city: str | None = None
    region: str | None = None
    format: str | None = None


class ScopeLevel(str, Enum):
    STORE = "store"
    REGION = "region"
    CHAIN = "chain"


@dataclass(frozen=True, slots=True)
class Scope:
    """What a figure covers: one store, the stores of a region, or the whole chain (sums of store forecasts)."""

    level: ScopeLevel = ScopeLevel.CHAIN
    store: Store | None = None  # set when level is STORE
    region: str | None = None  # set when level is REGION
    n_stores: int = 1  # stores summed into the figure


@dataclass(frozen=True, slots=True)
class DailyQuantity:
    day: date
    quantity: float


@dataclass(frozen=True, slots=True)
class ForecastPoint:
    day: date
    mean: float
    lower: float  # lower bound of the ``level`` % prediction interval
    upper: float


@dataclass(frozen=True, slots=True)
class ForecastResult:
    product: Product
    requested_day: date
    points: tuple[ForecastPoint, ...]  # every day from the first forecast day to requested_day (at least one)
    history: tuple[DailyQuantity, ...]  # recent observed daily quantities, oldest first
    level: int  # interval level in percent, e.g. 80
    model: str  # model name, e.g. "GlobalGBM"
    as_of: date  # last day of observed data
    scope: Scope = Scope()  # the store, region or chain the figures are for

    @property
    def requested(self) -> ForecastPoint:
        return next(p for p in self.points if p.day == self.requested_day)


class ReasonCode(str, Enum):
    REPEAT = "repeat"  # params: times (int), last_days_ago (int)
    ALSO_BOUGHT = "also_bought"  # params: anchor (product name)
    POPULAR = "popular"  # params: share (float, 0..1 of customers who bought it recently)


@dataclass(frozen=True, slots=True)
class Reason:
    code: ReasonCode
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Recommendation:
    product: Product
    score: float
    reason: Reason


@dataclass(frozen=True, slots=True)
class RecommendationResult:
    customer_id: str
    items: tuple[Recommendation, ...]
    model: str
    as_of: date


@dataclass(frozen=True, slots=True)
class PropensityResult:
    customer_id: str | None  # None for a what-if profile (is_profile)
    product: Product
    probability: float  # calibrated P(buys product within horizon_days)
    horizon_days: int
    base_rate: float  # share of customers who buy it in such a window, for context
    model: str
    as_of: date
    drivers: tuple[str, ...] = ()  # feature names that pushed the score most (codes, rendered by the bot)
    is_profile: bool = False  # a what-if profile (the form), not a known customer


@dataclass(frozen=True, slots=True)
class TargetCustomer:
    customer_id: str
    probability: float


@dataclass(frozen=True, slots=True)
class TargetResult:
    product: Product
    customers: tuple[TargetCustomer, ...]
    horizon_days: int
    model: str
    as_of: date


@dataclass(frozen=True, slots=True)
class CustomerProfile:
    """A what-if customer for the propensity modal. Every field is something a store manager can estimate."""

    visits_per_month: float  # shopping trips per month
    days_since_last_visit: int
    times_bought_product: int  # in the last 90 days
    days_since_last_bought_product: int | None  # None: never bought it
    avg_basket_value: float  # euros


@dataclass(frozen=True, slots=True)
class Metric:
    name: str  # e.g. "MASE"
    value: float
    higher_is_better: bool


@dataclass(frozen=True, slots=True)
class ModelCard:
    task: str  # "forecast" | "recommend" | "propensity"
    model: str
    trained_at: datetime
    data_name: str
    data_start: date
    data_end: date
    metrics: tuple[Metric, ...]  # holdout metrics of this model
    baselines: dict[str, tuple[Metric, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OrderLine:
    """The quantity to order now for one product of one store, with everything that explains it."""

    product: Product
    quantity: float  # units to order now (a whole number of packs; 0 when stock covers the period)
    packs: int
    pack_size: float
    period_days: int  # lead time + review period: the days this order must cover
    forecast_mean: float  # expected sales over the period
    forecast_quantile: float  # the demand quantile over the period at ``service_level``
    safety_stock: float  # forecast_quantile - forecast_mean
    on_hand: float | None  # None: no stock data (the line is from the forecast alone)
    on_order: float | None
    service_level: float  # target, e.g. 0.95
    lead_time_days: int
    review_days: int
    shelf_life_days: int | None = None  # perishables only
    capped_by_shelf_life: bool = False  # the quantity was cut to what sells before expiry


@dataclass(frozen=True, slots=True)
class OrderProposal:
    store: Store
    lines: tuple[OrderLine, ...]
    order_day: date  # the day the order is placed
    has_stock_data: bool  # False: proposed from the forecast alone, and said so
    stock_as_of: date | None
    model: str
    as_of: date
