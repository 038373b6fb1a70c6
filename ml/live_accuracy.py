"""Live accuracy: every forecast served is logged; once the sales of its day are known, its realised error is kept.

Two tables, in the bot's database (``DATABASE_URL``), with no customer data:

- ``served_forecasts``: one row per forecast shown or posted (when, where it went, the scope -- store, region or
  chain --, the product, the day forecast, mean and interval, the model and the data it was trained on);
- ``forecast_errors``: one row per (day, scope, product) once the sales of that day arrived: the last forecast
  served for it (by a model that had not seen that day), and what was sold.

From the errors: WAPE (sum of absolute errors over units sold), bias (units forecast minus units sold, over
units sold: positive = over-forecast) and interval coverage (share of days the sale fell inside the interval).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import (Column, Date, DateTime, Engine, Float, Integer, MetaData, String, Table, and_, func, insert,
                        select)

metadata = MetaData()

served_forecasts = Table(
    "served_forecasts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("served_at", DateTime, nullable=False, index=True),  # naive UTC
    Column("channel", String(64), nullable=False),  # e.g. "slack:/prevision", "api:/v1/forecasts", "post:logistics"
    Column("scope_level", String(16), nullable=False),  # store | region | chain
    Column("scope_name", String(128), nullable=False),  # store id, region name, or the chain's name
    Column("product_id", String(128), nullable=False),
    Column("day", Date, nullable=False, index=True),
    Column("mean", Float, nullable=False),
    Column("lower", Float, nullable=False),
    Column("upper", Float, nullable=False),
    Column("level", Integer, nullable=False),  # interval level in percent
    Column("model", String(64), nullable=False),
    Column("model_as_of", Date, nullable=False),  # last day of the data the model was trained on
)

forecast_errors = Table(
    "forecast_errors",
    metadata,
    Column("day", Date, primary_key=True),
    Column("scope_level", String(16), primary_key=True),
    Column("scope_name", String(128), primary_key=True),
    Column("product_id", String(128), primary_key=True),
    Column("mean", Float, nullable=False),
    Column("lower", Float, nullable=False),
    Column("upper", Float, nullable=False),
    Column("actual", Float, nullable=False),
    Column("model", String(64), nullable=False),
    Column("served_at", DateTime, nullable=False),
    Column("scored_at", DateTime, nullable=False),
)

# (scope_level, scope_name, product_id, day) -> units sold, or None when the sales of that day are not known
ActualLookup = Callable[[str, str, str, date], "float | None"]


@dataclass(frozen=True, slots=True)
class ServedForecast:
    """One forecast as it was shown: for ``day``, in a scope, by a model trained on data up to ``model_as_of``."""

    channel: str
    scope_level: str
    scope_name: str
    product_id: str
    day: date
    mean: float
    lower: float
    upper: float
    level: int
    model: str
    model_as_of: date


@dataclass(frozen=True, slots=True)
class Realised:
    """A forecast and what was sold (one row of ``forecast_errors``)."""

    mean: float
    lower: float
    upper: float
    actual: float


@dataclass(frozen=True, slots=True)
class AccuracySummary:
    """Realised accuracy over a set of (day, scope, product) forecasts."""

    n: int
    forecast: float  # units forecast, summed
    sold: float  # units sold, summed
    wape: float | None  # None when nothing was sold
    bias: float | None  # (forecast - sold) / sold; None when nothing was sold
    coverage: float | None  # share of the sales inside their interval; None when n == 0


@dataclass(frozen=True, slots=True)
class PeriodAccuracy:
    start: date
    end: date
    summary: AccuracySummary


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def create_tables(engine: Engine) -> None:
    metadata.create_all(engine, checkfirst=True)


def summarise(rows: Iterable[Realised]) -> AccuracySummary:
    """WAPE, bias and coverage of ``rows``: pooled over units, so big sellers weigh more than rare ones."""
    rows = list(rows)
    forecast = sum(r.mean for r in rows)
    sold = sum(r.actual for r in rows)
    abs_error = sum(abs(r.mean - r.actual) for r in rows)
    inside = sum(1 for r in rows if r.lower <= r.actual <= r.upper)
    return AccuracySummary(
        n=len(rows), forecast=forecast, sold=sold,
        wape=abs_error / sold if sold > 0 else None,
        bias=(forecast - sold) / sold if sold > 0 else None,
        coverage=inside / len(rows) if rows else None,
    )


def record_served(engine: Engine, forecasts: Sequence[ServedForecast], *, now: datetime | None = None) -> int:
    """Logs ``forecasts`` as served at ``now`` (naive UTC). Returns the number of rows written."""
    if not forecasts:
        return 0
    at = now or utcnow()
    rows = [{"served_at": at, "channel": f.channel[:64], "scope_level": f.scope_level, "scope_name": f.scope_name,
             "product_id": f.product_id, "day": f.day, "mean": float(f.mean), "lower": float(f.lower),
             "upper": float(f.upper), "level": f.level, "model": f.model[:64], "model_as_of": f.model_as_of}
            for f in forecasts]
    with engine.begin() as conn:
        conn.execute(insert(served_forecasts), rows)
    return len(rows)


def _pending(engine: Engine, through: date) -> list:
    """The latest forecast served per (day, scope, product) not scored yet, from a model that had not seen that
    day's sales (the served time is the wall clock's; a demo on historical data serves past days today)."""
    sf, fe = served_forecasts, forecast_errors
    scored = select(fe.c.day).where(and_(fe.c.day == sf.c.day, fe.c.scope_level == sf.c.scope_level,
                                         fe.c.scope_name == sf.c.scope_name, fe.c.product_id == sf.c.product_id))
    query = (select(sf).where(sf.c.day <= through, sf.c.model_as_of < sf.c.day, ~scored.exists())
             .order_by(sf.c.day, sf.c.scope_level, sf.c.scope_name, sf.c.product_id, sf.c.served_at, sf.c.id))
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    latest = {(row["day"], row["scope_level"], row["scope_name"], row["product_id"]): dict(row) for row in rows}
    return list(latest.values())


def score(engine: Engine, actual: ActualLookup, through: date, *, now: datetime | None = None) -> int:
    """Computes the realised error of every served forecast for a day up to ``through`` whose sales ``actual``
    knows, once per (day, scope, product). Returns the number of (day, scope, product) rows scored."""
    at = now or utcnow()
    rows = []
    for served in _pending(engine, through):
        sold = actual(served["scope_level"], served["scope_name"], served["product_id"], served["day"])
        if sold is None:
            continue
        rows.append({k: served[k] for k in ("day", "scope_level", "scope_name", "product_id", "mean", "lower",
                                             "upper", "model", "served_at")} | {"actual": float(sold),
                                                                                "scored_at": at})
    if rows:
        with engine.begin() as conn:
            conn.execute(insert(forecast_errors), rows)
    return len(rows)


def accuracy(engine: Engine, start: date, end: date, *, scope_level: str | None = None,
             scope_name: str | None = None) -> AccuracySummary:
    """Realised accuracy of the forecasts for the days ``start``..``end`` (inclusive), in one scope or all."""
    fe = forecast_errors
    where = [fe.c.day >= start, fe.c.day <= end]
    if scope_level is not None:
        where.append(fe.c.scope_level == scope_level)
    if scope_name is not None:
        where.append(fe.c.scope_name == scope_name)
    with engine.connect() as conn:
        rows = conn.execute(select(fe.c.mean, fe.c.lower, fe.c.upper, fe.c.actual).where(*where)).all()
    return summarise(Realised(*row) for row in rows)


def weekly(engine: Engine, end: date, weeks: int = 4, **scope: str | None) -> list[PeriodAccuracy]:
    """Accuracy per 7-day period over the ``weeks`` weeks ending on ``end``, oldest first (28 days by default)."""
    periods = []
    for i in reversed(range(weeks)):
        last = end - timedelta(days=7 * i)
        first = last - timedelta(days=6)
        periods.append(PeriodAccuracy(first, last, accuracy(engine, first, last, **scope)))
    return periods


def last_scored_day(engine: Engine) -> date | None:
    with engine.connect() as conn:
        return conn.execute(select(func.max(forecast_errors.c.day))).scalar()
