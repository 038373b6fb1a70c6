"""Customer segments for the dashboard: recency and frequency rules, computed in the database.

==========  ==========================================================================================
new         first visit in the last 30 days
loyal       a visit in the last 45 days and among the most frequent quarter (visits over 365 days)
regular     a visit in the last 45 days, the others
at_risk     last visit 46 to 90 days ago
lapsed      last visit more than 90 days ago
==========  ==========================================================================================

A visit is a customer's day with a purchase. Aggregates only: no customer id leaves this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
import sqlalchemy as sa

from ml.data.store import transactions_table

SEGMENTS: tuple[str, ...] = ("new", "loyal", "regular", "at_risk", "lapsed")


@dataclass(frozen=True, slots=True)
class Segment:
    name: str  # one of SEGMENTS
    customers: int
    mean_visits: float  # over the 365 days up to as_of
    mean_spend: float  # over the 365 days up to as_of


def segment_customers(days: pd.DataFrame, as_of: date) -> pd.Series:
    """customer_id -> segment, from one row per (customer_id, day) with ``spend``."""
    days = days.assign(day=pd.to_datetime(days["day"]))
    end = pd.Timestamp(as_of)
    days = days[days["day"] <= end]
    per = days.groupby("customer_id").agg(first=("day", "min"), last=("day", "max"))
    year = days[days["day"] > end - pd.Timedelta(days=365)]
    per["visits"] = year.groupby("customer_id").size().reindex(per.index, fill_value=0)
    recency = (end - per["last"]).dt.days
    threshold = per.loc[recency <= 45, "visits"].quantile(0.75) if (recency <= 45).any() else 0
    segment = pd.Series("regular", index=per.index)
    segment[(recency <= 45) & (per["visits"] >= threshold)] = "loyal"
    segment[(recency > 45) & (recency <= 90)] = "at_risk"
    segment[recency > 90] = "lapsed"
    segment[(end - per["first"]).dt.days < 30] = "new"
    return segment


def summarise(days: pd.DataFrame, as_of: date) -> tuple[Segment, ...]:
    segment = segment_customers(days, as_of)
    start = pd.Timestamp(as_of - timedelta(days=364))
    year = days[(pd.to_datetime(days["day"]) >= start) & (pd.to_datetime(days["day"]) <= pd.Timestamp(as_of))]
    per = year.groupby("customer_id").agg(visits=("day", "size"), spend=("spend", "sum"))
    per = per.reindex(segment.index, fill_value=0).assign(segment=segment)
    out = []
    for name in SEGMENTS:
        rows = per[per["segment"] == name]
        out.append(Segment(name, len(rows), float(rows["visits"].mean()) if len(rows) else 0.0,
                           float(rows["spend"].mean()) if len(rows) else 0.0))
    return tuple(out)


def customer_days(engine: sa.Engine, dataset: str) -> pd.DataFrame:
    """One row per (customer_id, day) of ``dataset`` with the day's spend; anonymous tickets left out."""
    t = transactions_table
    day = sa.func.date(t.c.timestamp).label("day")
    spend = sa.func.sum(t.c.quantity * sa.func.coalesce(t.c.price, 0.0)).label("spend")
    query = (sa.select(t.c.customer_id, day, spend)
             .where(t.c.dataset == dataset, t.c.customer_id.is_not(None)).group_by(t.c.customer_id, day))
    with engine.connect() as conn:
        return pd.read_sql(query, conn)
