"""The nightly batch: train on a sample, forecast every store x product, sum them per region and for the chain,
propose orders, store the run."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from ml.batch.aggregates import aggregate_sums, with_bounds
from ml.batch.engine import Engine
from ml.batch.sample import series_stats, stratified_sample
from ml.batch.scoring import FORECAST_SCHEMA, ORDER_SCHEMA, PartitionScorer, chain_totals
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


@dataclass
class BatchResult:
    forecasts: pd.DataFrame | object  # engine frame
    orders: pd.DataFrame | object
    aggregates: pd.DataFrame  # region and chain x product x day (pandas: small), ml.batch.aggregates
    scorer: PartitionScorer
    n_sampled: int
    timings: dict[str, float]


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
    partitioned by store."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    start, end = window(config)
    sales = engine.read_sales(config.data, start, end)
    products = pd.read_parquet(Path(config.data) / "products.parquet")
    n_sampled = 0
    if model is None:
        stats = engine.to_pandas(_stats(engine, sales, config.history_days))
        sample = stratified_sample(stats, products, config.sample_size, config.seed)
        rows = engine.to_pandas(engine.left_join(engine.frame(sample), sales, ["store_id", "product_id"])
                                if engine.name == "spark" else sample.merge(sales, on=["store_id", "product_id"]))
        timings["read_and_sample_s"] = time.perf_counter() - started
        model = fit_sample(rows.assign(date=pd.to_datetime(rows["date"])), config)
        timings["fit_s"] = time.perf_counter() - started - timings["read_and_sample_s"]
        n_sampled = len(sample)
    elif model.last_date_ != window(config)[1]:
        raise ValueError(f"the model was fitted up to {model.last_date_.date()}, the run needs {window(config)[1].date()}")
    chain = engine.to_pandas(_chain(engine, sales))
    scorer = PartitionScorer(model, chain, config.horizon, parameters_frame(products))
    forecasts = engine.apply(sales, scorer.forecasts, FORECAST_SCHEMA)
    regions = _regions(config.data)
    aggregates = with_bounds(model, aggregate_sums(engine, forecasts, regions), regions)
    stock = pd.read_parquet(Path(config.data) / "stock.parquet")[["store_id", "product_id", "on_hand", "on_order"]]
    stock = stock.astype({"store_id": str, "product_id": str, "on_hand": float, "on_order": float})
    with_stock = engine.left_join(forecasts, engine.frame(stock), ["store_id", "product_id"])
    orders = engine.apply(with_stock, scorer.orders, ORDER_SCHEMA)
    return BatchResult(forecasts, orders, aggregates, scorer, n_sampled, timings)


def _regions(data: Path) -> pd.DataFrame:
    """store_id, region of the chain's stores.parquet (none: every store counts in the chain only)."""
    path = Path(data) / "stores.parquet"
    if not path.exists():
        return pd.DataFrame({"store_id": pd.Series(dtype=str), "region": pd.Series(dtype=str)})
    return pd.read_parquet(path, columns=["store_id", "region"]).astype({"store_id": str})


def _stats(engine: Engine, sales, days: int):
    if engine.name == "spark":
        from pyspark.sql import functions as F
        return sales.groupBy("store_id", "product_id").agg((F.sum("quantity") / days).alias("velocity"))
    return series_stats(sales, days)


def _chain(engine: Engine, sales):
    if engine.name == "spark":
        from pyspark.sql import functions as F
        return sales.groupBy("product_id", "date").agg(F.sum("quantity").alias("quantity"))
    return chain_totals(sales)


def sorted_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A result frame in a canonical order (engines return partitions in any order)."""
    keys = [c for c in ("store_id", "product_id", "date") if c in frame.columns]
    return frame.sort_values(keys).reset_index(drop=True)


__all__ = ["BatchConfig", "BatchResult", "run_batch", "fit_sample", "sorted_frame", "window"]
