"""Where the batch runs: in this process (pandas) or on Spark (local mode, a cluster, Spark Connect).

Both engines go through Fugue's ``transform`` with the same partition functions
(:mod:`ml.batch.scoring`), partitioned by store: the engine only decides where the pandas frames of a
partition come from. The Spark session comes from the environment: ``SPARK_REMOTE`` (Spark Connect,
e.g. ``sc://host:15002`` or Databricks Connect), else ``SPARK_MASTER`` (default ``local[2]``); under
``spark-submit`` or on Databricks the running session is reused (``getOrCreate``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
from fugue import transform

ENGINES = ("local", "spark")


def spark_session(master: str | None = None):
    """The active Spark session, or a new one from SPARK_REMOTE / SPARK_MASTER (``local[2]`` by default)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError("the spark engine needs pyspark: pip install 'caddie[spark]'") from exc
    remote = os.environ.get("SPARK_REMOTE")
    if remote:
        return SparkSession.builder.remote(remote).getOrCreate()
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    master = master or os.environ.get("SPARK_MASTER", "local[2]")
    if master.startswith("local"):  # workers on this machine: this interpreter and this checkout of caddie
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        root = str(Path(__file__).resolve().parents[2])
        paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        os.environ["PYTHONPATH"] = os.pathsep.join([root, *[p for p in paths if p != root]])
    return (SparkSession.builder.master(master)
            .appName("caddie-batch")
            .config("spark.sql.shuffle.partitions", os.environ.get("SPARK_SHUFFLE_PARTITIONS", "8"))
            .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.legacy.parquet.nanosAsLong", "true")  # pandas writes nanosecond timestamps
            .getOrCreate())


class Engine:
    """pandas in this process; subclassed for Spark. Frames are pandas here, Spark DataFrames there."""

    name = "local"

    def fugue_engine(self):
        return None  # Fugue's native (pandas) engine

    def frame(self, data: pd.DataFrame):
        return data

    def read_sales(self, directory: Path, start: pd.Timestamp, end: pd.Timestamp):
        frame = pd.read_parquet(Path(directory) / "sales",
                                filters=[("timestamp", ">=", start), ("timestamp", "<=", end + pd.Timedelta(days=1))])
        return _daily(frame, start, end)

    def to_pandas(self, frame) -> pd.DataFrame:
        return frame

    def chunks(self, frame, size: int = 500_000) -> Iterator[pd.DataFrame]:
        for lo in range(0, len(frame), size):
            yield frame.iloc[lo:lo + size]

    def left_join(self, left, right, on: list[str]):
        return left.merge(right, on=on, how="left")

    def apply(self, frame, function: Callable[[pd.DataFrame], pd.DataFrame], schema: str):
        """``function`` on each store's rows (one pandas frame per store), through Fugue."""
        return transform(frame, function, schema=schema, partition={"by": ["store_id"]},
                         engine=self.fugue_engine(), as_local=False)


class SparkEngine(Engine):
    name = "spark"

    def __init__(self, session=None):
        self.session = session or spark_session()

    def fugue_engine(self):
        return self.session

    def frame(self, data: pd.DataFrame):
        return self.session.createDataFrame(data)

    def read_sales(self, directory: Path, start: pd.Timestamp, end: pd.Timestamp):
        from pyspark.sql import functions as F

        sales = self.session.read.parquet(str(Path(directory) / "sales"))
        if dict(sales.dtypes)["timestamp"] in ("bigint", "long"):  # nanoseconds since the epoch (pandas' unit)
            sales = sales.withColumn("timestamp", F.timestamp_micros((F.col("timestamp") / 1000).cast("long")))
        sales = sales.where((F.col("timestamp") >= F.lit(start)) & (F.col("timestamp") < F.lit(end + pd.Timedelta(days=1))))
        return (sales.withColumn("date", F.to_timestamp(F.to_date("timestamp")))
                .groupBy("store_id", "product_id", "date")
                .agg(F.sum("quantity").alias("quantity"), F.min("discount").alias("discount"),
                     F.max("stockout_hours").alias("stockout_hours"))
                .withColumn("store_id", F.col("store_id").cast("string"))
                .withColumn("product_id", F.col("product_id").cast("string")))

    def to_pandas(self, frame) -> pd.DataFrame:
        return frame.toPandas() if not isinstance(frame, pd.DataFrame) else frame

    def chunks(self, frame, size: int = 500_000) -> Iterator[pd.DataFrame]:
        rows, columns = [], frame.columns
        for row in frame.toLocalIterator():
            rows.append(tuple(row))
            if len(rows) >= size:
                yield pd.DataFrame.from_records(rows, columns=columns)
                rows = []
        if rows:
            yield pd.DataFrame.from_records(rows, columns=columns)

    def left_join(self, left, right, on: list[str]):
        right = right if not isinstance(right, pd.DataFrame) else self.frame(right)
        return left.join(right, on=on, how="left")

    def apply(self, frame, function, schema):
        result = super().apply(frame, function, schema)
        return getattr(result, "native", result).cache()  # read by the orders and by the writer: score once


def _daily(frame: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Sales rows -> one row per store x product x day with a sale (quantity summed, signals kept)."""
    frame = frame.assign(date=pd.to_datetime(frame["timestamp"]).dt.normalize(),
                         store_id=frame["store_id"].astype(str), product_id=frame["product_id"].astype(str))
    frame = frame[(frame["date"] >= start) & (frame["date"] <= end)]
    return (frame.groupby(["store_id", "product_id", "date"], as_index=False, sort=True)
            .agg(quantity=("quantity", "sum"), discount=("discount", "min"),
                 stockout_hours=("stockout_hours", "max")))


def make_engine(name: str) -> Engine:
    if name not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {name!r}")
    return SparkEngine() if name == "spark" else Engine()
