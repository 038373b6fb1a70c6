"""Daily accuracy of the forecasts that were served, from the live-accuracy table ``forecast_errors`` (one row per
day, scope and product once the day's sales are known). Read by name: the dashboard shows nothing rather than
fail when the table does not exist yet.

Per day: WAPE = sum |actual - mean| / sum actual; bias = sum (mean - actual) / sum actual; coverage = share of
rows whose actual lies within [lower, upper].
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

TABLE = "forecast_errors"


@dataclass(frozen=True, slots=True)
class DayAccuracy:
    day: date
    rows: int
    wape: float | None  # None: nothing sold that day
    bias: float | None
    coverage: float


def daily_accuracy(engine: sa.Engine, end: date | None = None, days: int = 56) -> list[DayAccuracy]:
    """The last ``days`` scored days up to ``end`` (default: the last scored day), oldest first."""
    if not sa.inspect(engine).has_table(TABLE):
        return []
    table = sa.Table(TABLE, sa.MetaData(), autoload_with=engine)
    c = table.c
    error = sa.func.sum(sa.func.abs(c.actual - c.mean))
    signed = sa.func.sum(c.mean - c.actual)
    inside = sa.func.sum(sa.case(((c.actual >= c.lower) & (c.actual <= c.upper), 1), else_=0))
    query = sa.select(c.day, sa.func.count(), error, signed, sa.func.sum(c.actual), inside).group_by(c.day)
    if end is not None:
        query = query.where(c.day <= end, c.day > end - timedelta(days=days))
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(c.day.desc()).limit(days)).all()
    out = []
    for day, n, err, bias, actual, covered in reversed(rows):
        day = day if isinstance(day, date) else date.fromisoformat(str(day)[:10])
        out.append(DayAccuracy(day, int(n), err / actual if actual else None, bias / actual if actual else None,
                               (covered or 0) / n if n else 0.0))
    return out
