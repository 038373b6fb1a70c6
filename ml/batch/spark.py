"""The Spark engine: the same three steps as the local engine, in three Spark jobs.

1. ``summarise``: ONE aggregation with grouping sets gives the per-series totals and the chain's total per
   product and day (one scan, one shuffle of partial sums);
2. ``sample_rows``: the sampled series' rows, by a broadcast join (no shuffle of the sales);
3. ``score``: the window's sales and the stock rows, unioned (no join), are shuffled once by scoring partition
   (whole stores packed into parts of SERIES_PER_PARTITION series, as the local engine groups them: a small
   store -> part table, broadcast) and scored
   by Fugue's ``transform`` with :meth:`~ml.batch.scoring.PartitionScorer.score` (forecasts, orders and a row
   about the worker in one pass); the executors write the results as Parquet into a spool folder, which the
   driver then reads back in Arrow batches (memory flat on both sides).

The session comes from the environment: ``SPARK_REMOTE`` (Spark Connect, e.g. ``sc://host:15002`` or
Databricks Connect), else the active session (``spark-submit``, Databricks), else a new one on
``SPARK_MASTER`` (default ``local[2]``). ``BATCH_SPOOL_DIR`` is where the results are spooled (default: a
temporary folder; on a cluster, a folder the executors and the driver both see, e.g. ``/dbfs/tmp/caddie``).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import uuid
import weakref
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
from fugue import transform

from ml.batch.engine import Engine, pack_stores, read_stock
from ml.batch.scoring import INPUT_COLUMNS, RESULT_SCHEMA, SERIES_PER_PARTITION, PartitionScorer, daily_rows

ARROW_BATCH_ROWS = 50_000  # rows per Arrow batch between the JVM and the Python workers
READ_BATCH_ROWS = 200_000  # rows per chunk the driver reads back from the spool
STOCK_SCHEMA = "store_id string, product_id string, on_hand double, on_order double"


def _local_cores(master: str) -> int | None:
    if master.startswith("local[") and master[6:-1].isdigit():
        return int(master[6:-1])
    return os.cpu_count() if master in ("local", "local[*]") else None


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
    cores = _local_cores(master)
    partitions = os.environ.get("SPARK_SHUFFLE_PARTITIONS") or str(4 * cores if cores else 200)
    return (SparkSession.builder.master(master)
            .appName("caddie-batch")
            .config("spark.sql.shuffle.partitions", partitions)
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(ARROW_BATCH_ROWS))
            .config("spark.ui.enabled", "false")
            .config("spark.sql.legacy.parquet.nanosAsLong", "true")  # pandas writes nanosecond timestamps
            .getOrCreate())


class SparkEngine(Engine):
    name = "spark"

    def __init__(self, session=None, series_per_partition: int = SERIES_PER_PARTITION):
        self.session = session or spark_session()
        self.session.conf.set("spark.sql.session.timeZone", "UTC")  # timestamps are naive UTC days
        self.series_per_partition = series_per_partition
        self.parts: pd.DataFrame | None = None  # store_id -> part, from the last summary

    def _sales(self, data: Path, start: pd.Timestamp, end: pd.Timestamp):
        """The window's raw sales: store_id, product_id (strings), timestamp, quantity, discount, stockout_hours."""
        from pyspark.sql import functions as F

        sales = self.session.read.parquet(str(Path(data) / "sales"))
        if dict(sales.dtypes)["timestamp"] in ("bigint", "long"):  # nanoseconds since the epoch (pandas' unit)
            sales = sales.withColumn("timestamp", F.timestamp_micros(F.floor(F.col("timestamp") / 1000)))
        after = end + pd.Timedelta(days=1)
        sales = sales.where((F.col("timestamp") >= F.lit(start)) & (F.col("timestamp") < F.lit(after)))
        return sales.select(F.col("store_id").cast("string"), F.col("product_id").cast("string"), "timestamp",
                            F.col("quantity").cast("double"), F.col("discount").cast("double"),
                            F.col("stockout_hours").cast("double"))

    def summarise(self, data, start, end):
        view = f"caddie_sales_{uuid.uuid4().hex}"
        self._sales(data, start, end).createOrReplaceTempView(view)
        try:
            both = self.session.sql(
                f"SELECT store_id, product_id, to_date(timestamp) AS date, SUM(quantity) AS quantity, "
                f"GROUPING_ID() AS level FROM {view} "
                f"GROUP BY GROUPING SETS ((store_id, product_id), (product_id, to_date(timestamp)))").toPandas()
        finally:
            self.session.catalog.dropTempView(view)
        series = both["date"].isna()
        stats = both.loc[series, ["store_id", "product_id", "quantity"]].reset_index(drop=True)
        chain = both.loc[~series, ["product_id", "date", "quantity"]].reset_index(drop=True)
        self.parts = pack_stores(stats, self.series_per_partition)
        return stats, chain.assign(date=pd.to_datetime(chain["date"]))

    def sample_rows(self, data, start, end, sample: pd.DataFrame) -> pd.DataFrame:
        from pyspark.sql import functions as F

        keys = self.session.createDataFrame(sample[["store_id", "product_id"]].astype(str))
        rows = self._sales(data, start, end).join(F.broadcast(keys), ["store_id", "product_id"]).toPandas()
        return daily_rows(rows, start, end)

    def score(self, data, start, end, scorer: PartitionScorer) -> _SpooledResults:
        from pyspark.sql import functions as F

        sales = self._sales(data, start, end).withColumn("on_hand", F.lit(None).cast("double")) \
            .withColumn("on_order", F.lit(None).cast("double"))
        stock_path = Path(data) / "stock.parquet"
        stock = (self.session.read.parquet(str(stock_path)) if stock_path.is_file()
                 else self.session.createDataFrame(read_stock(data), STOCK_SCHEMA))
        stock = stock.select(F.col("store_id").cast("string"), F.col("product_id").cast("string"),
                             F.lit(None).cast("timestamp").alias("timestamp"),
                             *[F.lit(None).cast("double").alias(c) for c in ("quantity", "discount", "stockout_hours")],
                             F.col("on_hand").cast("double"), F.col("on_order").cast("double"))
        if self.parts is None:
            self.summarise(data, start, end)
        parts = F.broadcast(self.session.createDataFrame(self.parts, "store_id string, part long"))
        rows = sales.unionByName(stock).join(parts, "store_id")  # stores without a sale in the window: no part
        results = transform(rows.select(*INPUT_COLUMNS), scorer.score, schema=RESULT_SCHEMA, partition={"by": ["part"]},
                            engine=self.session, as_local=False)
        spool = _spool_dir()
        getattr(results, "native", results).write.mode("overwrite") \
            .option("compression", "snappy").parquet(str(spool / "results"))
        return _SpooledResults(spool)


def _spool_dir() -> Path:
    base = os.environ.get("BATCH_SPOOL_DIR")
    if base:
        Path(base).mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="caddie-batch-", dir=base or None))


class _SpooledResults:
    """The results Spark wrote, read back in Arrow batches (re-iterable); the folder goes with this object."""

    def __init__(self, spool: Path):
        self.spool = spool
        self._cleanup = weakref.finalize(self, shutil.rmtree, spool, True)

    def __iter__(self) -> Iterator[pd.DataFrame]:
        dataset = ds.dataset(str(self.spool / "results"), format="parquet")
        for batch in dataset.to_batches(batch_size=READ_BATCH_ROWS, batch_readahead=1, fragment_readahead=1):
            if batch.num_rows:
                yield batch.to_pandas()

    def close(self) -> None:
        self._cleanup()


__all__ = ["SparkEngine", "spark_session"]
