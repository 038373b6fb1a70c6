"""Nightly results in the database: ``runs``, ``forecasts`` and ``orders``.

A run writes under a new run id, in bulk (COPY on PostgreSQL through psycopg 3, ``executemany`` elsewhere:
:func:`ml.data.store._insert`), then flips its ``runs`` row to 'complete' last, in a transaction that also
deletes the rows of the earlier runs of the same day and data: re-running a day leaves one set of rows, and
a run that fails midway leaves the previous complete run served (its rows are only deleted once the new run
is complete). Readers read the latest complete run; one answer is one indexed row set (index (run_id,
store_id, product_id); (run_id, level, scope, product_id) for the aggregates).

    runs        run_id (pk), day (first forecast day), model_version, status ('running' | 'complete'),
                started_at, completed_at, data_name, model_set, model, interval_level, horizon_days, source
    forecasts   run_id, store_id, product_id, date, mean, lower, upper
    forecast_aggregates  run_id, level ('region' | 'chain'), scope (region name | ''), product_id, date, mean,
                lower, upper: sums of the store means, intervals computed for the sum (``ml.models.hierarchy``)
    orders      run_id, store_id, product_id, quantity, packs, forecast_mean, forecast_quantile, on_hand, on_order

The columns of ``runs`` after ``completed_at`` say what the service needs to answer from a run (which data,
which forecaster, its interval level and horizon; ``source`` 'training' or 'batch'); they are added to a
``runs`` table created before them (nullable: an older run has none and is never served by the bot).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import date, datetime, timezone
from typing import TypeVar

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

T = TypeVar("T")

from ml.data.store import _insert, get_engine

metadata = sa.MetaData()

runs_table = sa.Table(
    "runs", metadata,
    sa.Column("run_id", sa.String(40), primary_key=True),
    sa.Column("day", sa.Date, nullable=False, index=True),
    sa.Column("model_version", sa.String(200), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("completed_at", sa.DateTime),
    sa.Column("data_name", sa.String(200)),  # the data forecast (the served model set's data_name)
    sa.Column("model_set", sa.String(200)),  # the model set published (training), NULL for a batch run
    sa.Column("model", sa.String(200)),  # the forecaster's display name
    sa.Column("interval_level", sa.Integer),  # interval level in percent
    sa.Column("horizon_days", sa.Integer),
    sa.Column("source", sa.String(20)),  # 'training' | 'batch'
)
RUN_DETAILS = ("data_name", "model_set", "model", "interval_level", "horizon_days", "source")

forecasts_table = sa.Table(
    "forecasts", metadata,
    sa.Column("run_id", sa.String(40), nullable=False),
    sa.Column("store_id", sa.String(100), nullable=False),
    sa.Column("product_id", sa.String(100), nullable=False),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("mean", sa.Float, nullable=False),
    sa.Column("lower", sa.Float, nullable=False),
    sa.Column("upper", sa.Float, nullable=False),
    sa.Index("forecasts_series", "run_id", "store_id", "product_id"),
)

aggregates_table = sa.Table(
    "forecast_aggregates", metadata,
    sa.Column("run_id", sa.String(40), nullable=False),
    sa.Column("level", sa.String(20), nullable=False),
    sa.Column("scope", sa.String(200), nullable=False),
    sa.Column("product_id", sa.String(100), nullable=False),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("mean", sa.Float, nullable=False),
    sa.Column("lower", sa.Float, nullable=False),
    sa.Column("upper", sa.Float, nullable=False),
    sa.Index("forecast_aggregates_series", "run_id", "level", "scope", "product_id"),
)

orders_table = sa.Table(
    "orders", metadata,
    sa.Column("run_id", sa.String(40), nullable=False),
    sa.Column("store_id", sa.String(100), nullable=False),
    sa.Column("product_id", sa.String(100), nullable=False),
    sa.Column("quantity", sa.Float, nullable=False),
    sa.Column("packs", sa.Integer, nullable=False),
    sa.Column("forecast_mean", sa.Float, nullable=False),
    sa.Column("forecast_quantile", sa.Float, nullable=False),
    sa.Column("on_hand", sa.Float),
    sa.Column("on_order", sa.Float),
    sa.Index("orders_series", "run_id", "store_id", "product_id"),
)

FORECAST_FIELDS = ("store_id", "product_id", "date", "mean", "lower", "upper")
AGGREGATE_FIELDS = ("level", "scope", "product_id", "date", "mean", "lower", "upper")
ORDER_FIELDS = ("store_id", "product_id", "quantity", "packs", "forecast_mean", "forecast_quantile",
                "on_hand", "on_order")


_RESULT_TABLES = {"forecasts": (forecasts_table, FORECAST_FIELDS), "aggregates": (aggregates_table, AGGREGATE_FIELDS),
                  "orders": (orders_table, ORDER_FIELDS)}


def _engine(engine_or_url: Engine | str) -> Engine:
    """The engine, with the results tables created (and ``runs`` upgraded) if needed."""
    engine = get_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    try:
        metadata.create_all(engine)
    except sa.exc.DBAPIError:  # another process created a table at the same moment: it is there now
        metadata.create_all(engine)
    _add_run_details(engine)
    return engine


def _add_run_details(engine: Engine) -> None:
    """A ``runs`` table created before the RUN_DETAILS columns gets them (nullable, rows kept)."""
    present = {c["name"] for c in sa.inspect(engine).get_columns(runs_table.name)}
    missing = [runs_table.c[name] for name in RUN_DETAILS if name not in present]
    if not missing:
        return
    with engine.begin() as connection:
        for column in missing:
            kind = column.type.compile(dialect=engine.dialect)
            connection.exec_driver_sql(f"ALTER TABLE runs ADD COLUMN {column.name} {kind}")


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def start_run(engine_or_url: Engine | str, day: date, model_version: str, **details) -> str:
    """A new run id for ``day``, recorded as 'running' (readers ignore it until :func:`complete_run`).

    ``details``: RUN_DETAILS columns (data_name, model_set, model, interval_level, horizon_days, source)."""
    unknown = set(details) - set(RUN_DETAILS)
    if unknown:
        raise TypeError(f"unknown run details: {sorted(unknown)}")
    run_id = uuid.uuid4().hex
    with _engine(engine_or_url).begin() as connection:
        connection.execute(runs_table.insert().values(run_id=run_id, day=day, model_version=model_version,
                                                      status="running", started_at=_now(), **details))
    return run_id


def write_rows(engine_or_url: Engine | str, run_id: str, kind: str, chunks: Iterable[pd.DataFrame]) -> int:
    """Append result chunks (``kind``: 'forecasts', 'aggregates' or 'orders') under ``run_id``, in bulk.
    Returns the rows written."""
    table, fields = _RESULT_TABLES[kind]
    written = 0
    engine = _engine(engine_or_url)
    for chunk in chunks:
        frame = chunk[list(fields)].copy()
        if "date" in frame:
            frame["date"] = pd.to_datetime(frame["date"]).dt.date
        frame.insert(0, "run_id", run_id)
        with engine.begin() as connection:
            _insert(frame, table, connection)
        written += len(frame)
    return written


def _same_data(data_name: str | None):
    return runs_table.c.data_name.is_(None) if data_name is None else runs_table.c.data_name == data_name


def complete_run(engine_or_url: Engine | str, run_id: str) -> None:
    """Mark ``run_id`` complete and drop the rows of every other run of its day and data, in one transaction."""
    engine = _engine(engine_or_url)
    with engine.begin() as connection:
        day, data_name = connection.execute(sa.select(runs_table.c.day, runs_table.c.data_name)
                                            .where(runs_table.c.run_id == run_id)).one()
        connection.execute(runs_table.update().where(runs_table.c.run_id == run_id)
                           .values(status="complete", completed_at=_now()))
        older = sa.select(runs_table.c.run_id).where(runs_table.c.day == day, runs_table.c.run_id != run_id,
                                                     runs_table.c.status == "complete", _same_data(data_name))
        _delete_runs(connection, [r for (r,) in connection.execute(older)])


def _delete_runs(connection: sa.Connection, run_ids: list[str]) -> None:
    if not run_ids:
        return
    for table in (forecasts_table, aggregates_table, orders_table):
        connection.execute(table.delete().where(table.c.run_id.in_(run_ids)))
    connection.execute(runs_table.delete().where(runs_table.c.run_id.in_(run_ids)))


def discard_run(engine_or_url: Engine | str, run_id: str) -> None:
    """Remove a failed run's rows (the previous complete run stays served)."""
    with _engine(engine_or_url).begin() as connection:
        _delete_runs(connection, [run_id])


def prune_runs(engine_or_url: Engine | str, data_name: str, keep: int) -> int:
    """Delete the complete runs of ``data_name`` but the ``keep`` latest (by day). Returns the runs deleted."""
    query = (sa.select(runs_table.c.run_id).where(runs_table.c.status == "complete", _same_data(data_name))
             .order_by(runs_table.c.day.desc(), runs_table.c.completed_at.desc()))
    with _engine(engine_or_url).begin() as connection:
        old = [r for (r,) in connection.execute(query)][max(keep, 1):]
        _delete_runs(connection, old)
    return len(old)


def latest_run(engine_or_url: Engine | str, day: date | None = None, *, data_name: str | None = None,
               since: date | None = None) -> dict | None:
    """The latest complete run as a dict of its ``runs`` row, or None; of ``day`` when given, of ``data_name``
    when given, and with a first forecast day on or after ``since`` when given."""
    query = sa.select(runs_table).where(runs_table.c.status == "complete")
    if day is not None:
        query = query.where(runs_table.c.day == day)
    if data_name is not None:
        query = query.where(runs_table.c.data_name == data_name)
    if since is not None:
        query = query.where(runs_table.c.day >= since)
    query = query.order_by(runs_table.c.day.desc(), runs_table.c.completed_at.desc()).limit(1)
    with _engine(engine_or_url).connect() as connection:
        row = connection.execute(query).mappings().first()
    return dict(row) if row else None


# fixed parameterised statements: measured 0.8 ms p50 on PostgreSQL against 3.6 ms for the equivalent select()
# construct (typed VARCHAR binds); both use the (run_id, store_id, product_id) index
_FORECAST_QUERY = sa.text("SELECT date, mean, lower, upper FROM forecasts "
                          "WHERE run_id = :run AND store_id = :store AND product_id = :product ORDER BY date")
_ORDER_QUERY = sa.text(f"SELECT {', '.join(ORDER_FIELDS)} FROM orders "
                       "WHERE run_id = :run AND store_id = :store AND product_id = :product")


def read_forecast(connection: sa.Connection, run_id: str, store_id: str, product_id: str) -> list[tuple]:
    """(date, mean, lower, upper) rows of one series of a run, by date: one index range read."""
    rows = connection.execute(_FORECAST_QUERY, {"run": run_id, "store": store_id, "product": product_id})
    return [(as_date(r[0]), *r[1:]) for r in rows]


def as_date(value) -> date:
    """A ``date`` column's value as a date (SQLite returns text, sometimes with a time)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def read_retried(engine: Engine, read: Callable[[sa.Connection], T]) -> T:
    """``read(connection)`` on a pooled connection; a connection the server dropped is retried once on a fresh
    one (the readers' engines have no pre-ping: one round trip less per answer). Other errors propagate."""
    for attempt in (0, 1):
        try:
            with engine.connect() as connection:
                return read(connection)
        except sa.exc.DBAPIError as exc:
            if attempt or not exc.connection_invalidated:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def read_order(connection: sa.Connection, run_id: str, store_id: str, product_id: str) -> dict | None:
    """The order proposal of one series of a run, or None."""
    params = {"run": run_id, "store": store_id, "product": product_id}
    row = connection.execute(_ORDER_QUERY, params).mappings().first()
    return dict(row) if row else None


def read_run(engine_or_url: Engine | str, run_id: str, kind: str = "forecasts") -> pd.DataFrame:
    """Every row of a run (tests, exports); ``kind``: 'forecasts', 'aggregates' or 'orders'."""
    table = _RESULT_TABLES[kind][0]
    with _engine(engine_or_url).connect() as connection:
        return pd.read_sql(sa.select(table).where(table.c.run_id == run_id), connection)
