"""The nightly batch: stratified sample, per-store scoring, and Spark giving the local engine's results."""

from __future__ import annotations

import shutil
from datetime import date

import numpy as np
import pandas as pd
import pytest

from ml.batch.engine import Engine
from ml.batch.job import BatchConfig, run_batch, sorted_frame
from ml.batch.sample import stratified_sample
from ml.batch.scoring import daily_rows
from ml.data.simulator.scale import write_scale_chain

DAY = date(2025, 7, 1)


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    out = tmp_path_factory.mktemp("chain")
    write_scale_chain(out, n_stores=3, n_products=40, days=120, end=date(2025, 6, 30), seed=3)
    return out


@pytest.fixture(scope="module")
def config(chain) -> BatchConfig:
    return BatchConfig(day=DAY, data=chain, history_days=84, horizon=7, sample_size=50, model={"max_iter": 20})


@pytest.fixture(scope="module")
def local(config):
    return run_batch(Engine(), config)


def test_stratified_sample_takes_each_stratum_in_proportion():
    stores, categories = ["1", "2"], ["frais", "sec"]
    products = pd.DataFrame({"product_id": [f"P{i}" for i in range(60)],
                             "category": [categories[i % 2] for i in range(60)]})
    stats = pd.DataFrame([(s, p, float(i)) for s in stores for i, p in enumerate(products["product_id"])],
                         columns=["store_id", "product_id", "velocity"])
    sample = stratified_sample(stats, products, size=24, seed=1)
    # 120 series in 2 stores x 2 categories x 3 velocity bands = 12 strata of 10: 24/120 of each = 2 per stratum
    assert len(sample) == 24 and not sample.duplicated().any()
    merged = sample.merge(stats, on=["store_id", "product_id"]).merge(products, on="product_id")
    assert merged.groupby(["store_id", "category"]).size().tolist() == [6, 6, 6, 6]
    bands = pd.qcut(stats["velocity"].rank(method="first"), 3, labels=False)
    band = dict(zip(zip(stats["store_id"], stats["product_id"]), bands))
    per_band = pd.Series([band[k] for k in zip(sample["store_id"], sample["product_id"])]).value_counts()
    assert per_band.sort_index().tolist() == [8, 8, 8]
    assert stratified_sample(stats, products, size=500).shape[0] == 120  # fewer series than asked: all


def test_every_series_gets_the_horizon_and_its_order(local, config):
    forecasts, orders = sorted_frame(local.forecasts), sorted_frame(local.orders)
    sales = pd.read_parquet(config.data / "sales")
    start = pd.Timestamp(DAY) - pd.Timedelta(days=config.history_days)
    recent = sales[pd.to_datetime(sales["timestamp"]) >= start]
    series = set(zip(recent["store_id"].astype(str), recent["product_id"].astype(str)))
    assert set(zip(forecasts["store_id"], forecasts["product_id"])) == series
    assert set(zip(orders["store_id"], orders["product_id"])) == series
    assert local.n_sampled == 50
    days = forecasts.groupby(["store_id", "product_id"])["date"].agg(["min", "max", "count"])
    assert (days["min"] == pd.Timestamp(DAY)).all() and (days["count"] == config.horizon).all()
    assert (forecasts["lower"] <= forecasts["mean"]).all() and (forecasts["mean"] <= forecasts["upper"]).all()
    assert orders["has_stock"].all()  # the scale chain has a stock row per series carried
    assert np.allclose(orders["quantity"] % 1, 0) and (orders["quantity"] >= 0).all()


def test_region_and_chain_rows_sum_the_store_means_with_intervals_of_their_own(local, config):
    forecasts = sorted_frame(local.forecasts)
    regions = pd.read_parquet(config.data / "stores.parquet").astype({"store_id": str})
    region_of = dict(zip(regions["store_id"], regions["region"]))
    by_region = (forecasts.assign(scope=forecasts["store_id"].map(region_of))
                 .groupby(["scope", "product_id", "date"], as_index=False)["mean"].sum())
    chain = forecasts.groupby(["product_id", "date"], as_index=False)["mean"].sum()
    aggregates = local.aggregates
    for level, expected in (("region", by_region), ("chain", chain.assign(scope=""))):
        ours = aggregates[aggregates["level"] == level].merge(expected, on=["scope", "product_id", "date"],
                                                              how="outer", suffixes=("", "_sum"))
        assert len(ours) == len(expected) and np.allclose(ours["mean"], ours["mean_sum"])
    assert (aggregates["lower"] <= aggregates["mean"]).all() and (aggregates["mean"] <= aggregates["upper"]).all()
    # a sum's band is its own, not the sum of the stores' bands (which would be wider: errors partly cancel)
    summed_bands = forecasts.assign(width=forecasts["upper"] - forecasts["lower"]).groupby(
        ["product_id", "date"])["width"].sum()
    chain_rows = aggregates[aggregates["level"] == "chain"].set_index(["product_id", "date"])
    widths = (chain_rows["upper"] - chain_rows["lower"]).reindex(summed_bands.index)
    assert not np.allclose(widths, summed_bands)


def test_partitioning_does_not_change_a_forecast(local, config):
    """Scoring the whole chain as one partition gives each store's per-partition numbers."""
    start, end = (pd.Timestamp(DAY) - pd.Timedelta(days=d) for d in (config.history_days, 1))
    raw = pd.read_parquet(config.data / "sales")
    whole = sorted_frame(local.scorer.forecasts(daily_rows(raw, start, end)))
    pd.testing.assert_frame_equal(whole, sorted_frame(local.forecasts), check_dtype=False)


@pytest.fixture(scope="session")
def spark():
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install -e '.[spark]'; .ci/run does)")
    if shutil.which("java") is None:
        pytest.skip("no java on the PATH: Spark needs a JRE (17)")
    from ml.batch.spark import spark_session

    session = spark_session("local[2]")
    session.conf.set("spark.sql.shuffle.partitions", "2")
    yield session
    session.stop()


def test_spark_gives_the_local_engines_results(spark, local, config):
    from ml.batch.spark import SparkEngine

    engine = SparkEngine(spark, series_per_partition=50)  # ~40 series a store: stores 1+2, then 3
    result = run_batch(engine, config)
    for kind in ("forecasts", "orders"):
        ours = sorted_frame(getattr(result, kind))
        expected = sorted_frame(getattr(local, kind))
        assert ours.columns.tolist() == expected.columns.tolist()
        pd.testing.assert_frame_equal(ours, expected, check_dtype=False, rtol=1e-9)
    pd.testing.assert_frame_equal(result.aggregates, local.aggregates, check_dtype=False, rtol=1e-9)
    workers = result.worker_stats()  # each store's task reported its Python worker (host:pid, peak RSS)
    assert workers["stores"].sum() == 3 and workers["series"].sum() == len(expected)
    assert workers["partitions"].sum() == 2  # whole stores packed up to 50 series: {1, 2}, {3}
    assert (workers["peak_rss_mb"] > 0).all() and workers["worker"].str.contains(":").all()


def test_the_local_engine_streams_whole_stores(config, local):
    """Streaming: a chunk holds whole stores, as many as fit in series_per_partition (at least one), and each
    scoring call reports the worker that ran it; the grouping does not change a number."""
    result = run_batch(Engine(series_per_partition=1), config, model=local.scorer.model)
    stores = []
    for forecasts, orders in result.chunks():
        assert forecasts["store_id"].nunique() == 1 and set(orders["store_id"]) == set(forecasts["store_id"])
        stores.append(forecasts["store_id"].iat[0])
    assert stores == ["1", "2", "3"]
    workers = result.worker_stats()
    assert workers["partitions"].sum() == 3 and workers["stores"].sum() == 3
    assert workers["series"].sum() == len(local.orders) and (workers["peak_rss_mb"] > 0).all()
    first = int((local.orders["store_id"] == "1").sum())  # store 1 alone stays under the threshold: 1 and 2 go together
    grouped = run_batch(Engine(series_per_partition=first + 1), config, model=local.scorer.model)
    assert [f["store_id"].unique().tolist() for f, _ in grouped.chunks()] == [["1", "2"], ["3"]]
    pd.testing.assert_frame_equal(sorted_frame(grouped.forecasts), sorted_frame(local.forecasts))


def test_freshretail_in_the_batch_layout(tmp_path):
    """Every store x product x day of FreshRetailNet becomes a sales row (zero-sale days too, with their signals)."""
    from ml.batch.freshretail import write_freshretail_layout
    from tests.test_data_freshretail import write_copy

    counts = write_freshretail_layout(write_copy(tmp_path / "frn"), tmp_path / "layout")
    assert counts["stores"] == 3 and counts["series"] == 4 and counts["rows"] == 6
    assert sorted(p.name for p in (tmp_path / "layout" / "sales").iterdir()) == ["store_id=0", "store_id=3",
                                                                                "store_id=5"]
    zero = pd.read_parquet(tmp_path / "layout" / "sales" / "store_id=0").sort_values(["product_id", "timestamp"])
    assert zero["quantity"].tolist() == [0.5, 0.0, 1.2] and zero["stockout_hours"].tolist() == [13.0, 16.0, 0.0]
    day = pd.Timestamp("2024-03-28")
    totals, chain = Engine().summarise(tmp_path / "layout", day, day + pd.Timedelta(days=1))
    assert dict(zip(zip(totals["store_id"], totals["product_id"]), totals["quantity"])) == {
        ("0", "4"): 0.5, ("0", "9"): 1.2, ("3", "4"): 3.6, ("5", "9"): 0.3}
    chain = chain.set_index(["product_id", "date"])["quantity"]
    assert chain[("4", day)] == pytest.approx(3.0) and chain[("9", day)] == pytest.approx(1.5)


def test_a_day_without_sales_before_it_is_one_line_not_a_trace(chain, tmp_path, capsys):
    from ml.batch.__main__ import main

    code = main(["--day", "2023-01-01", "--data", str(chain), "--database-url", f"sqlite:///{tmp_path}/r.db"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and err[0].startswith("--day 2023-01-01: no sale in ")
    assert "2022-10-02 to 2022-12-31" in err[0]  # the 91 days it looked at
