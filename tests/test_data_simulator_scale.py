"""The scale CLI: a chain written store by store as partitioned Parquet."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from ml.data.schema import STOCK_COLUMNS, STORE_COLUMNS
from ml.data.simulator.__main__ import main
from ml.data.simulator.products import scaled_catalog


def test_scale_cli_writes_partitions_that_read_back(tmp_path: Path, capsys) -> None:
    out = tmp_path / "chain"
    assert main(["--stores", "3", "--products", "150", "--days", "30", "--end", "2024-06-30",
                 "--seed", "4", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    rows = int(printed.split(" sales rows")[0].split()[-1].replace(",", ""))
    partitions = sorted(p.name for p in (out / "sales").iterdir())
    assert partitions == ["store_id=1", "store_id=2", "store_id=3"]
    sales = pd.read_parquet(out / "sales")
    assert len(sales) == rows > 0
    per_store = {p: pq.ParquetFile(out / "sales" / p / "part.parquet").metadata.num_rows for p in partitions}
    assert sum(per_store.values()) == rows and min(per_store.values()) > 0
    assert not sales.duplicated(["store_id", "product_id", "timestamp"]).any()  # one row per store x product x day
    assert sales["timestamp"].min() >= pd.Timestamp("2024-06-01") and sales["timestamp"].max() == pd.Timestamp(
        "2024-06-30")
    assert (sales["quantity"] > 0).all() and sales["discount"].between(0.5, 1.0).all()
    products = pd.read_parquet(out / "products.parquet")
    assert len(products) == 150 and products["product_id"].is_unique
    assert set(sales["product_id"].astype(str)) <= set(products["product_id"])
    stores = pd.read_parquet(out / "stores.parquet")
    assert list(stores.columns) == list(STORE_COLUMNS) and len(stores) == 3
    stock = pd.read_parquet(out / "stock.parquet")
    assert list(stock.columns) == list(STOCK_COLUMNS) and (stock[["on_hand", "on_order"]] >= 0).all().all()
    assert not stock.duplicated(["store_id", "product_id"]).any()
    sold = set(sales[["store_id", "product_id"]].astype(str).itertuples(index=False, name=None))
    assert sold <= set(stock[["store_id", "product_id"]].itertuples(index=False, name=None))
    promotions = pd.read_parquet(out / "promotions.parquet")
    assert promotions["last"].max() > pd.Timestamp("2024-07-14")  # the calendar runs past the history
    assert promotions["store_id"].isna().any() and promotions["store_id"].notna().any()


def test_scale_cli_is_deterministic(tmp_path: Path, capsys) -> None:
    args = ["--stores", "2", "--products", "80", "--days", "20", "--end", "2024-03-31"]
    assert main(args + ["--out", str(tmp_path / "a")]) == 0 and main(args + ["--out", str(tmp_path / "b")]) == 0
    a, b = (pd.read_parquet(tmp_path / x / "sales") for x in "ab")
    pd.testing.assert_frame_equal(a, b)


def test_worker_processes_write_the_same_files(tmp_path: Path, capsys) -> None:
    args = ["--stores", "3", "--products", "50", "--days", "15", "--end", "2024-03-31", "--seed", "2"]
    assert main(args + ["--out", str(tmp_path / "one")]) == 0
    assert main(args + ["--jobs", "2", "--out", str(tmp_path / "two")]) == 0
    for table in ("sales", "stock.parquet", "promotions.parquet", "stores.parquet"):
        one, two = (pd.read_parquet(tmp_path / run / table) for run in ("one", "two"))
        pd.testing.assert_frame_equal(one, two)


def test_bad_sizes_are_refused(tmp_path: Path, capsys) -> None:
    assert main(["--stores", "0", "--out", str(tmp_path)]) == 2
    assert "--stores" in capsys.readouterr().err


def test_scaled_catalogue_extends_the_real_one() -> None:
    catalog = scaled_catalog(500, seed=1)
    assert len(catalog) == 500 and catalog["product_id"].is_unique and catalog["name"].is_unique
    assert catalog["name"].iloc[0] == "Yaourt nature" and (catalog["price"] > 0).all()
    assert catalog["weight"].iloc[63:].median() < catalog["weight"].iloc[:63].median()  # a long tail


def test_csv_mode_writes_matching_files(tmp_path: Path, capsys) -> None:
    assert main(["--csv", "--customers", "20", "--days", "20", "--end", "2024-03-31", "--stores", "4",
                 "--out", str(tmp_path)]) == 0
    tx = pd.read_csv(tmp_path / "transactions.csv", dtype={"store_id": str, "customer_id": str})
    stock = pd.read_csv(tmp_path / "stock.csv", dtype={"store_id": str})
    assert set(tx["store_id"]) == set(stock["store_id"]) <= {"1", "2", "3", "4"}
    assert len(pd.read_csv(tmp_path / "stores.csv")) == 4 and (tmp_path / "signals.csv").is_file()
