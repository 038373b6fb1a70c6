"""Where the batch runs: in this process, one store at a time (pandas), or on Spark (:mod:`ml.batch.spark`).

Both engines answer the same three questions, and score through the same function
(:meth:`ml.batch.scoring.PartitionScorer.score`, called by Fugue's ``transform`` partitioned by store):

- ``summarise``: per-series sales totals (for the stratified sample) and the chain's total per product and
  day (a feature of every series), in one pass over the window;
- ``sample_rows``: the daily rows of the sampled series (what the global model is fitted on);
- ``score``: the result chunks (forecasts, orders, one row per scoring partition about its worker), lazily.
  A scoring partition is one or more whole stores (``part``): a series' forecast does not depend on which
  stores it is scored with (tested), so small stores are grouped to share the fixed cost of a call.

The local engine streams: it reads one store partition (``sales/store_id=*/``) at a time and keeps only
small things in memory (the model, the chain totals per product x day, one stats row per series, the
stock table), so its peak memory follows the largest store, not the chain.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd
from fugue import transform

from ml.batch.scoring import (
    INPUT_COLUMNS,
    RESULT_SCHEMA,
    SERIES_PER_PARTITION,
    PartitionScorer,
    chain_totals,
    daily_rows,
)

ENGINES = ("local", "spark")
SALES_READ = ["product_id", "timestamp", "quantity", "discount", "stockout_hours"]
STOCK_READ = ["store_id", "product_id", "on_hand", "on_order"]


def store_partitions(data: Path) -> list[tuple[str, Path]]:
    """(store_id, folder) of every ``sales/store_id=*`` partition, sorted by store id."""
    parts = [(p.name.split("=", 1)[1], p) for p in (Path(data) / "sales").glob("store_id=*") if p.is_dir()]
    return sorted(parts)


def read_store(folder: Path, store: str, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """One store's raw sales rows from ``start`` to ``end`` (whole days), with its store_id."""
    frame = pd.read_parquet(folder, columns=SALES_READ,
                            filters=[("timestamp", ">=", start), ("timestamp", "<", end + pd.Timedelta(days=1))])
    return frame.assign(store_id=store, product_id=frame["product_id"].astype(str))


def pack_stores(totals: pd.DataFrame, series_per_partition: int) -> pd.DataFrame:
    """store_id -> part: whole stores in store order, a part closed once it holds ``series_per_partition``
    series (the local engine's grouping, so both engines score the same groups)."""
    counts = totals.groupby("store_id").size().sort_index()
    parts, part, held = [], 0, 0
    for count in counts.to_numpy():
        parts.append(part)
        held += int(count)
        if held >= series_per_partition:
            part, held = part + 1, 0
    return pd.DataFrame({"store_id": counts.index.astype(str), "part": parts})


def read_stock(data: Path) -> pd.DataFrame:
    """The stock rows (store_id, product_id, on_hand, on_order), empty when the folder has no stock.parquet."""
    path = Path(data) / "stock.parquet"
    if not path.is_file():
        return pd.DataFrame({c: pd.Series(dtype=str if c.endswith("_id") else float) for c in STOCK_READ})
    stock = pd.read_parquet(path, columns=STOCK_READ)
    return stock.astype({"store_id": str, "product_id": str, "on_hand": float, "on_order": float})


class Engine:
    """The local engine: pandas in this process, one store partition at a time (whole stores are scored
    together up to ``series_per_partition`` series: a scoring call has a fixed cost, small stores share it)."""

    name = "local"

    def __init__(self, series_per_partition: int = SERIES_PER_PARTITION):
        self.series_per_partition = series_per_partition

    def summarise(self, data: Path, start: pd.Timestamp, end: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(per-series totals: store_id, product_id, quantity; chain totals: product_id, date, quantity)."""
        totals, partial, chain = [], [], None
        for store, folder in store_partitions(data):
            daily = daily_rows(read_store(folder, store, start, end), start, end)
            totals.append(daily.groupby(["store_id", "product_id"], as_index=False)["quantity"].sum())
            partial.append(chain_totals(daily))
            if len(partial) >= 32:  # fold the partial sums: memory stays products x days
                chain, partial = _fold([chain, *partial]), []
        chain = _fold([chain, *partial])
        stats = pd.concat(totals, ignore_index=True) if totals else pd.DataFrame(columns=["store_id", "product_id",
                                                                                          "quantity"])
        return stats, chain

    def sample_rows(self, data: Path, start: pd.Timestamp, end: pd.Timestamp, sample: pd.DataFrame) -> pd.DataFrame:
        """The daily rows of the ``sample``'s series (store_id, product_id pairs)."""
        wanted = sample.groupby("store_id")["product_id"].agg(set).to_dict()
        rows = []
        for store, folder in store_partitions(data):
            if store in wanted:
                raw = read_store(folder, store, start, end)
                rows.append(daily_rows(raw[raw["product_id"].isin(wanted[store])], start, end))
        return pd.concat(rows, ignore_index=True)

    def score(self, data: Path, start: pd.Timestamp, end: pd.Timestamp, scorer: PartitionScorer) -> Iterable:
        """Result chunks (RESULT_SCHEMA), one store at a time, computed as they are read."""
        return _LocalResults(Path(data), start, end, scorer, self.series_per_partition)


class _LocalResults:
    """Re-iterable: each pass reads and scores the stores again (nothing is kept between passes)."""

    def __init__(self, data: Path, start: pd.Timestamp, end: pd.Timestamp, scorer: PartitionScorer,
                 series_per_partition: int):
        self.data, self.start, self.end, self.scorer = data, start, end, scorer
        self.series_per_partition = series_per_partition

    def __iter__(self) -> Iterator[pd.DataFrame]:
        stock = read_stock(self.data)
        by_store = {s: rows for s, rows in stock.groupby("store_id", sort=False)}
        batch, series = [], 0
        for store, folder in store_partitions(self.data):
            raw = read_store(folder, store, self.start, self.end)
            if raw.empty:
                continue
            batch += [raw, by_store.get(store, stock.iloc[:0])]
            series += raw["product_id"].nunique()
            if series >= self.series_per_partition:
                yield self._score(batch)
                batch, series = [], 0
        if batch:
            yield self._score(batch)

    def _score(self, batch: list[pd.DataFrame]) -> pd.DataFrame:
        rows = pd.concat(batch, ignore_index=True).assign(part=0).reindex(columns=list(INPUT_COLUMNS))
        return transform(rows, self.scorer.score, schema=RESULT_SCHEMA, partition={"by": ["part"]})


def _fold(parts: list[pd.DataFrame | None]) -> pd.DataFrame:
    parts = [p for p in parts if p is not None]
    if not parts:
        return pd.DataFrame({"product_id": pd.Series(dtype=str), "date": pd.Series(dtype="datetime64[ns]"),
                             "quantity": pd.Series(dtype=float)})
    return pd.concat(parts, ignore_index=True).groupby(["product_id", "date"], as_index=False)["quantity"].sum()


def make_engine(name: str) -> Engine:
    if name not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {name!r}")
    if name == "spark":
        from ml.batch.spark import SparkEngine

        return SparkEngine()
    return Engine()
