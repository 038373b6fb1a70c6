"""The nightly batch: train on a sample, forecast every store x product, sum them per region and for the chain,
propose orders, store the run."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from ml.batch.aggregates import AggregateSums, with_bounds
from ml.batch.engine import Engine
from ml.batch.sample import stratified_sample
from ml.batch.scoring import FORECAST_OUTPUT, ORDER_OUTPUT, PartitionScorer
from ml.models.forecast import DemandForecaster
from ml.orders.params import parameters_frame

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchConfig:
    day: date  # the first forecast day (the data ends the day before)
    data: Path  # the scale CLI's folder: sales/store_id=*/, products.parquet, stock.parquet
    history_days: int = 91
    horizon: int = 14
    sample_size: int = 5000
    seed: int = 0
    model: dict = field(default_factory=dict)  # DemandForecaster parameters


class EmptyWindow(ValueError):
    """The run's window has nothing to learn from or score (an operator's wrong --day, --data or --model)."""


@dataclass
class BatchResult:
    """A run's results, computed lazily by the engine: iterate :meth:`chunks` once to write them."""

    results: Iterable[pd.DataFrame]  # engine chunks of RESULT_COLUMNS (forecast, order and worker rows)
    scorer: PartitionScorer
    n_sampled: int
    timings: dict[str, float]
    regions: pd.DataFrame | None = None  # store_id, region of the chain's stores (region sums)
    workers: list[pd.DataFrame] = field(default_factory=list)  # one row per scored store, filled by chunks()
    _frames: tuple[pd.DataFrame, pd.DataFrame] | None = field(default=None, repr=False)
    _sums: AggregateSums | None = field(default=None, repr=False)  # complete once chunks() has been read

    def chunks(self) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
        """(forecasts, orders) chunk pairs, FORECAST_OUTPUT and ORDER_OUTPUT columns, as the engine yields them."""
        self.workers, sums = [], AggregateSums(self.regions if self.regions is not None else _no_regions())
        for chunk in self.results:
            forecasts, orders, workers = split_results(chunk)
            self.workers.append(workers)
            sums.add(forecasts)
            yield forecasts, orders
        self._sums = sums

    def worker_stats(self) -> pd.DataFrame:
        """Per worker (host:pid): partitions, stores and series scored, seconds, peak RSS MB (after chunks())."""
        rows = pd.concat(self.workers, ignore_index=True) if self.workers else pd.DataFrame(
            columns=["store_id", "product_id", "quantity", "mean", "forecast_mean", "forecast_quantile"])
        return (rows.groupby("product_id").agg(partitions=("store_id", "count"), stores=("forecast_quantile", "sum"),
                                               series=("forecast_mean", "sum"), seconds=("mean", "sum"),
                                               peak_rss_mb=("quantity", "max"))
                .rename_axis("worker").reset_index())

    def _materialise(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        if self._frames is None:  # everything in memory: tests and small chains only
            pairs = list(self.chunks())
            self._frames = (pd.concat([f for f, _ in pairs], ignore_index=True),
                            pd.concat([o for _, o in pairs], ignore_index=True))
        return self._frames

    @property
    def forecasts(self) -> pd.DataFrame:
        return self._materialise()[0]

    @property
    def orders(self) -> pd.DataFrame:
        return self._materialise()[1]

    @property
    def aggregates(self) -> pd.DataFrame:
        """Region and chain x product x day rows with their own intervals (``ml.batch.aggregates``), from
        the sums accumulated while :meth:`chunks` was read (read here if it has not been)."""
        if self._sums is None:
            self._materialise()
        regions = self.regions if self.regions is not None else _no_regions()
        return with_bounds(self.scorer.model, self._sums.frame(), regions)


def split_results(chunk: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A RESULT_COLUMNS chunk -> (forecast rows, order rows, worker rows)."""
    kind = chunk["kind"]
    forecasts = chunk.loc[kind == "f", list(FORECAST_OUTPUT)].reset_index(drop=True)
    orders = chunk.loc[kind == "o", list(ORDER_OUTPUT)].reset_index(drop=True)
    orders = orders.astype({"packs": "int64", "has_stock": bool})
    workers = chunk.loc[kind == "m", ["store_id", "product_id", "quantity", "mean", "forecast_mean",
                                      "forecast_quantile"]]
    return forecasts.assign(date=pd.to_datetime(forecasts["date"])), orders, workers.reset_index(drop=True)


def window(config: BatchConfig) -> tuple[pd.Timestamp, pd.Timestamp]:
    end = pd.Timestamp(config.day) - pd.Timedelta(days=1)
    return end - pd.Timedelta(days=config.history_days - 1), end


def fit_sample(daily: pd.DataFrame, config: BatchConfig) -> DemandForecaster:
    """The global model, fitted on the sampled series' rows (grid completed: the window's first and last day)."""
    start, end = window(config)
    params = {"horizon": config.horizon, "random_state": config.seed, **config.model}
    model = DemandForecaster(**params)
    return model.fit(_on_grid(daily, start, end))


def _on_grid(daily: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Every series gets a row on the window's first and last day (0 sold when it had none): fixed calendar."""
    keys = daily[["store_id", "product_id"]].drop_duplicates()
    edges = pd.concat([keys.assign(date=start), keys.assign(date=end)], ignore_index=True)
    merged = edges.merge(daily, on=["store_id", "product_id", "date"], how="left")
    merged = merged.assign(quantity=merged["quantity"].fillna(0.0))
    rest = daily[(daily["date"] > start) & (daily["date"] < end)]
    return pd.concat([rest, merged], ignore_index=True).sort_values(["store_id", "product_id", "date"])


def run_batch(engine: Engine, config: BatchConfig, model: DemandForecaster | None = None) -> BatchResult:
    """Train on a stratified sample (unless ``model`` is given), then forecast and order every series,
    partitioned by store. The scoring is lazy: it runs as :meth:`BatchResult.chunks` is read."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    start, end = window(config)
    products = pd.read_parquet(Path(config.data) / "products.parquet")
    totals, chain = engine.summarise(config.data, start, end)
    if totals.empty:
        raise EmptyWindow(f"--day {config.day}: no sale in {config.data} from {start.date()} to {end.date()} "
                          f"(the {config.history_days} days before it)")
    timings["summary_s"] = time.perf_counter() - started
    n_sampled = 0
    if model is None:
        stats = totals.assign(velocity=totals["quantity"] / max(config.history_days, 1)).drop(columns="quantity")
        sample = stratified_sample(stats, products, config.sample_size, config.seed)
        rows = engine.sample_rows(config.data, start, end, sample)
        timings["sample_s"] = time.perf_counter() - started - timings["summary_s"]
        fitted = time.perf_counter()
        model = fit_sample(rows.assign(date=pd.to_datetime(rows["date"])), config)
        timings["fit_s"] = time.perf_counter() - fitted
        n_sampled = len(sample)
    elif model.last_date_ != end:
        raise EmptyWindow(f"--model: the model was fitted up to {model.last_date_.date()}, the run needs {end.date()}")
    scorer = PartitionScorer(model, chain, config.horizon, parameters_frame(products))
    scoring = time.perf_counter()
    results = engine.score(config.data, start, end, scorer)
    timings["score_setup_s"] = time.perf_counter() - scoring
    return BatchResult(results, scorer, n_sampled, timings, regions=_regions(config.data))


def _no_regions() -> pd.DataFrame:
    return pd.DataFrame({"store_id": pd.Series(dtype=str), "region": pd.Series(dtype=str)})


def _regions(data: Path) -> pd.DataFrame:
    """store_id, region of the chain's stores.parquet (none: every store counts in the chain only)."""
    path = Path(data) / "stores.parquet"
    if not path.exists():
        return _no_regions()
    return pd.read_parquet(path, columns=["store_id", "region"]).astype({"store_id": str})


def sorted_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A result frame in a canonical order (engines return partitions in any order)."""
    keys = [c for c in ("store_id", "product_id", "date") if c in frame.columns]
    return frame.sort_values(keys).reset_index(drop=True)


__all__ = ["BatchConfig", "BatchResult", "run_batch", "fit_sample", "sorted_frame", "split_results", "window"]
