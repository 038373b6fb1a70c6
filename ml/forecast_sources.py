"""Where the service reads its forecasts: the database's latest run, or the model set's own Parquet files.

One read interface, :class:`ForecastSource`, two implementations:

* :class:`DatabaseForecasts` — a complete run of the ``forecasts`` / ``forecast_aggregates`` tables
  (``ml.data.results_store``), written by the training's publication (``ml.publish``) or by the nightly batch
  (``python -m ml.batch``). Nothing is loaded at start-up: a store x product answer is one indexed row set
  (run_id, store_id, product_id); a region or chain answer one on (run_id, level, scope, product_id); the
  products of a store (a department, its order) one on (run_id, store_id).
* :class:`ModelSetForecasts` — the model set's ``forecasts.parquet`` + ``aggregates.parquet`` indexed in
  memory at start-up (``ml.precomputed``): the fallback when the database has no run to serve.

:func:`open_forecasts` picks one (FORECASTS_SOURCE: ``auto``, ``database`` or ``model_set``): the database
when it holds a complete run *of the served set's data* whose forecasts start no earlier than the set's own,
else the model set. A run of other data sharing DATABASE_URL never answers for this catalogue, and an older
run never hides the fresher forecasts of a newer set; a run newer than the set (tonight's batch) is served.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Protocol

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ml import precomputed
from ml.data import results_store
from ml.errors import ForecastsUnavailable, ModelNotReady
from ml.results import ScopeLevel

log = logging.getLogger(__name__)

SOURCES = ("auto", "database", "model_set")


class NoServedRun(ModelNotReady):
    """FORECASTS_SOURCE=database, and the database has no run to serve (or cannot be read)."""

    def __init__(self, reason: str):
        super().__init__(precomputed.FORECASTS, reason)


@dataclass(frozen=True, slots=True)
class StoredForecast:
    """One series over the horizon: ``days`` (date ordinals, ascending) and its mean, lower and upper bounds."""

    days: np.ndarray
    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


class ForecastSource(Protocol):
    """What the service reads forecasts from (``level``, ``scope`` as :func:`ml.scopes.key` gives them)."""

    name: str  # "model set <name>" | "database run <id>"
    as_of: date  # the last day of data: forecasts start the day after
    horizon_days: int
    model: str  # the forecaster's display name
    level: int  # interval level in percent

    def series(self, level: str, scope: str, product_id: str) -> StoredForecast | None: ...

    def many(self, level: str, scope: str, product_ids: list[str]) -> dict[str, StoredForecast]: ...


class ModelSetForecasts:
    """The model set's stored forecasts, indexed in memory (``ml.precomputed.SeriesIndex``)."""

    def __init__(self, tables: precomputed.StoredForecasts, as_of: date, name: str = "model set"):
        self._index = tables.index
        self.name, self.as_of = name, as_of
        self.horizon_days, self.model, self.level = tables.horizon_days, tables.model, tables.level

    def series(self, level: str, scope: str, product_id: str) -> StoredForecast | None:
        row = self._index.row((level, scope, product_id))
        if row is None:
            return None
        values = self._index.values
        return StoredForecast(self._index.days, values["mean"][row], values["lower"][row], values["upper"][row])

    def many(self, level: str, scope: str, product_ids: list[str]) -> dict[str, StoredForecast]:
        found = ((pid, self.series(level, scope, pid)) for pid in product_ids)
        return {pid: s for pid, s in found if s is not None}


# fixed parameterised statements (a select() per answer cost ~4x more on PostgreSQL: typed binds); each is
# one range read of an index
_STORE_SERIES = sa.text("SELECT product_id, date, mean, lower, upper FROM forecasts "
                        "WHERE run_id = :run AND store_id = :scope AND product_id = :product ORDER BY date")
_AGGREGATE_SERIES = sa.text("SELECT product_id, date, mean, lower, upper FROM forecast_aggregates "
                            "WHERE run_id = :run AND level = :level AND scope = :scope AND product_id = :product "
                            "ORDER BY date")
_STORE_MANY = sa.text("SELECT product_id, date, mean, lower, upper FROM forecasts WHERE run_id = :run "
                      "AND store_id = :scope AND product_id IN :products ORDER BY product_id, date").bindparams(
    sa.bindparam("products", expanding=True))
_AGGREGATE_MANY = sa.text("SELECT product_id, date, mean, lower, upper FROM forecast_aggregates WHERE run_id = :run "
                          "AND level = :level AND scope = :scope AND product_id IN :products "
                          "ORDER BY product_id, date").bindparams(sa.bindparam("products", expanding=True))
_IN_LIMIT = 500  # product ids per IN list


class DatabaseForecasts:
    """One complete run of the results tables; every read is one indexed row set, nothing is cached."""

    def __init__(self, engine: Engine, run: dict):
        self._engine, self.run = engine, run
        self.run_id = str(run["run_id"])
        self.name = f"database run {self.run_id[:8]} ({run.get('source') or 'batch'}, {run['day']})"
        self.as_of = results_store.as_date(run["day"]) - timedelta(days=1)
        self.horizon_days = int(run["horizon_days"])
        self.model, self.level = str(run["model"]), int(run["interval_level"])

    def _rows(self, statement: sa.TextClause, params: dict) -> list:
        try:
            return results_store.read_retried(
                self._engine, lambda connection: connection.execute(statement, {"run": self.run_id, **params}).all())
        except sa.exc.DBAPIError as exc:
            raise ForecastsUnavailable(f"DATABASE_URL: {type(exc.orig or exc).__name__}") from exc

    def series(self, level: str, scope: str, product_id: str) -> StoredForecast | None:
        if level == ScopeLevel.STORE.value:
            rows = self._rows(_STORE_SERIES, {"scope": scope, "product": product_id})
        else:
            rows = self._rows(_AGGREGATE_SERIES, {"level": level, "scope": scope, "product": product_id})
        return _series(rows) if rows else None

    def many(self, level: str, scope: str, product_ids: list[str]) -> dict[str, StoredForecast]:
        out: dict[str, StoredForecast] = {}
        for lo in range(0, len(product_ids), _IN_LIMIT):
            chunk = list(dict.fromkeys(product_ids[lo:lo + _IN_LIMIT]))
            if level == ScopeLevel.STORE.value:
                rows = self._rows(_STORE_MANY, {"scope": scope, "products": chunk})
            else:
                rows = self._rows(_AGGREGATE_MANY, {"level": level, "scope": scope, "products": chunk})
            out.update(_by_product(rows))
        return {pid: out[pid] for pid in product_ids if pid in out}


def _series(rows: list) -> StoredForecast:
    _, days, mean, lower, upper = zip(*rows)
    return StoredForecast(np.array([results_store.as_date(d).toordinal() for d in days], dtype="int64"),
                          np.asarray(mean, dtype="float64"), np.asarray(lower, dtype="float64"),
                          np.asarray(upper, dtype="float64"))


def _by_product(rows: list) -> dict[str, StoredForecast]:
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(str(row[0]), []).append(row)
    return {pid: _series(part) for pid, part in groups.items()}


def served_engine(database_url: str) -> Engine:
    """The reader's engine: no pre-ping on a server (one round trip less per answer; a dropped connection is
    retried instead); SQLite through the shared cached engine."""
    if database_url.startswith("sqlite"):
        from ml.data.store import get_engine

        return get_engine(database_url)
    return sa.create_engine(database_url)


def latest_served_run(database_url: str, data_name: str, as_of: date) -> tuple[Engine, dict | None]:
    """The engine and the run :func:`open_forecasts` would serve (None: none fits)."""
    engine = served_engine(database_url)
    run = results_store.latest_run(engine, data_name=data_name, since=as_of + timedelta(days=1))
    if run is not None and any(run.get(c) is None for c in ("model", "interval_level", "horizon_days")):
        run = None  # a run written before the service could read runs: it does not say what it holds
    return engine, run


def open_forecasts(directory: Path, *, data_name: str, as_of: date, database_url: str | None,
                   source: str = "auto", set_name: str = "model set") -> ForecastSource:
    """The forecasts to serve (see the module's docstring). ``source='database'`` raises :class:`NoServedRun`
    when the database has no run of ``data_name`` to serve."""
    if source not in SOURCES:
        raise ValueError(f"FORECASTS_SOURCE must be one of {', '.join(SOURCES)}, got {source!r}")
    if source == "database" and not database_url:
        raise NoServedRun("no DATABASE_URL to read forecasts from")
    if source != "model_set" and database_url:
        try:
            engine, run = latest_served_run(database_url, data_name, as_of)
        except (sa.exc.SQLAlchemyError, OSError) as exc:
            if source == "database":
                raise NoServedRun(f"DATABASE_URL cannot be read ({type(exc).__name__})") from exc
            # info: the bot's start-up already warns once that DATABASE_URL is down
            log.info("forecasts: DATABASE_URL cannot be read (%s): answering from the model set", type(exc).__name__)
            run = None
        if run is not None:
            log.info("forecasts served from the database: run %s of %s", run["run_id"], run["day"])
            return DatabaseForecasts(engine, run)
        if source == "database":
            raise NoServedRun(f"DATABASE_URL holds no complete run of {data_name} forecasting from "
                              f"{as_of + timedelta(days=1)} on (publish one: python -m ml.train, python -m ml.publish "
                              "or python -m ml.batch)")
    log.info("forecasts served from %s (Parquet, indexed in memory)", set_name)
    return ModelSetForecasts(precomputed.load_forecasts(directory), as_of, set_name)
