"""The experiment log in the database (``DATABASE_URL``): definitions, every exposure, every 👍/👎.

- ``experiments``: experiments defined in the database (name, arms as ``arm=weight,…``, window, active);
- ``experiment_exposures``: one row per recommendation shown (experiment, arm, customer, items, channel, time);
- ``experiment_feedback``: one row per vote on a recommended item (+1 / -1), with the exposure's arm.

Tables are created on first use, so that the bot starts while the database is down.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timezone

import pandas as pd
import sqlalchemy as sa

from ml.experiments.definition import DEFAULT_WINDOW_DAYS, Experiment, parse_experiment

metadata = sa.MetaData()

experiments_table = sa.Table(
    "experiments", metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("arms", sa.String(500), nullable=False),  # "popular=50,model=50"
    sa.Column("window_days", sa.Integer, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)
exposures_table = sa.Table(
    "experiment_exposures", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("experiment", sa.String(64), nullable=False, index=True),
    sa.Column("arm", sa.String(64), nullable=False),
    sa.Column("customer_id", sa.String(128), nullable=False, index=True),
    sa.Column("items", sa.Text, nullable=False),  # product ids, in the order shown, separated by "\n"
    sa.Column("channel", sa.String(16), nullable=False),  # slack | api | replay
    sa.Column("at", sa.DateTime, nullable=False),  # naive UTC
)
feedback_table = sa.Table(
    "experiment_feedback", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("experiment", sa.String(64), nullable=False, index=True),
    sa.Column("arm", sa.String(64), nullable=False),
    sa.Column("customer_id", sa.String(128), nullable=False),
    sa.Column("product_id", sa.String(100), nullable=False),
    sa.Column("vote", sa.Integer, nullable=False),  # +1 / -1
    sa.Column("user_id", sa.String(64), nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
)
EXPOSURE_COLUMNS = ("experiment", "arm", "customer_id", "items", "channel", "at")


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class Exposure:
    experiment: str
    arm: str
    customer_id: str
    items: tuple[str, ...]  # product ids
    channel: str  # slack | api | replay
    at: datetime  # naive UTC


class ExperimentLog:
    """Reads and writes the three tables; connects (and creates them) on first use."""

    def __init__(self, database_url: str, engine: sa.Engine | None = None):
        self._url = database_url
        self._engine = engine
        self._lock = threading.Lock()

    def engine(self) -> sa.Engine:
        with self._lock:
            if self._engine is None:
                self._engine = sa.create_engine(self._url)
                metadata.create_all(self._engine, checkfirst=True)
            return self._engine

    def define(self, experiment: Experiment, *, active: bool = True) -> None:
        """Adds or replaces an experiment in the ``experiments`` table."""
        arms = ",".join(f"{a.name}={a.weight:g}" for a in experiment.arms)
        with self.engine().begin() as conn:
            conn.execute(sa.delete(experiments_table).where(experiments_table.c.name == experiment.name))
            conn.execute(sa.insert(experiments_table).values(
                name=experiment.name, arms=arms, window_days=experiment.window_days, active=active,
                created_at=utcnow()))

    def defined(self) -> tuple[Experiment, ...]:
        """The active experiments of the table, by name."""
        query = sa.select(experiments_table).where(experiments_table.c.active).order_by(experiments_table.c.name)
        with self.engine().connect() as conn:
            rows = conn.execute(query).mappings().all()
        return tuple(parse_experiment(f"{r['name']}:{r['arms']}", r["window_days"] or DEFAULT_WINDOW_DAYS)
                     for r in rows)

    def record_exposure(self, exposure: Exposure) -> None:
        self.record_exposures([exposure])

    def record_exposures(self, exposures: list[Exposure]) -> None:
        rows = [{"experiment": e.experiment, "arm": e.arm, "customer_id": e.customer_id,
                 "items": "\n".join(e.items), "channel": e.channel, "at": e.at} for e in exposures]
        if rows:
            with self.engine().begin() as conn:
                conn.execute(sa.insert(exposures_table), rows)

    def latest_exposure(self, customer_id: str, product_id: str) -> Exposure | None:
        """The last exposure of ``customer_id`` that showed ``product_id`` (whose arm a vote goes to)."""
        query = (sa.select(exposures_table).where(exposures_table.c.customer_id == customer_id)
                 .order_by(exposures_table.c.id.desc()).limit(50))
        with self.engine().connect() as conn:
            for row in conn.execute(query).mappings():
                items = tuple(row["items"].split("\n"))
                if product_id in items:
                    return Exposure(row["experiment"], row["arm"], row["customer_id"], items, row["channel"],
                                    row["at"])
        return None

    def record_vote(self, exposure: Exposure, product_id: str, vote: int, user_id: str,
                    at: datetime | None = None) -> None:
        if vote not in (1, -1):
            raise ValueError(f"a vote is +1 or -1, got {vote}")
        with self.engine().begin() as conn:
            conn.execute(sa.insert(feedback_table).values(
                experiment=exposure.experiment, arm=exposure.arm, customer_id=exposure.customer_id,
                product_id=product_id, vote=vote, user_id=user_id, at=at or utcnow()))

    def exposures(self, experiment: str) -> pd.DataFrame:
        """EXPOSURE_COLUMNS, ``items`` as tuples, oldest first."""
        query = (sa.select(*[exposures_table.c[c] for c in EXPOSURE_COLUMNS])
                 .where(exposures_table.c.experiment == experiment).order_by(exposures_table.c.id))
        with self.engine().connect() as conn:
            frame = pd.read_sql(query, conn)
        frame["items"] = [tuple(text.split("\n")) for text in frame["items"]]
        frame["at"] = pd.to_datetime(frame["at"])
        return frame

    def votes(self, experiment: str) -> pd.DataFrame:
        """arm, customer_id, product_id, vote, at."""
        columns = [feedback_table.c[c] for c in ("arm", "customer_id", "product_id", "vote", "at")]
        query = sa.select(*columns).where(feedback_table.c.experiment == experiment).order_by(feedback_table.c.id)
        with self.engine().connect() as conn:
            return pd.read_sql(query, conn)
