"""The purchases an experiment's outcomes are computed from: the stored transactions (``ml.data.store``) of the
customers it exposed, from its first exposure on. The nightly refresh stores new sales: the report grows
with them."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from ml.data.store import datasets_table, transactions_table
from ml.experiments.log import exposures_table


def latest_dataset(engine: sa.Engine) -> str | None:
    query = sa.select(datasets_table.c.name).order_by(datasets_table.c.loaded_at.desc()).limit(1)
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return row[0] if row is not None else None


def purchases_of_exposed(engine: sa.Engine, experiment: str, dataset: str | None = None) -> pd.DataFrame:
    """customer_id, product_id, timestamp, quantity, price of the exposed customers, after the first exposure."""
    columns = ["customer_id", "product_id", "timestamp", "quantity", "price"]
    dataset = dataset or latest_dataset(engine)
    if dataset is None:
        return pd.DataFrame(columns=columns)
    exposed = sa.select(exposures_table.c.customer_id).where(exposures_table.c.experiment == experiment)
    since = sa.select(sa.func.min(exposures_table.c.at)).where(exposures_table.c.experiment == experiment)
    t = transactions_table
    query = sa.select(*[t.c[c] for c in columns]).where(
        t.c.dataset == dataset, t.c.customer_id.in_(exposed.scalar_subquery()),
        t.c.timestamp > since.scalar_subquery())
    with engine.connect() as conn:
        frame = pd.read_sql(query, conn)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"])
    return frame
