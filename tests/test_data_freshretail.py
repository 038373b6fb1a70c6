"""FreshRetailNet-50K loader: a tiny hand-made copy of its four files, and the real folder (realdata)."""

from __future__ import annotations

import lzma
from pathlib import Path

import pandas as pd
import pytest

from ml.data import load_dataset
from ml.data.freshretail import load_freshretailnet
from ml.errors import DataFormatError
from ml.settings import MLSettings

DAILY = """store_id,product_id,dt,sale_amount,stock_hour6_22_cnt,stock_mask,discount,activity_flag
0,4,2024-03-28,0.5,13,16776711,0.882,1
0,4,2024-03-29,0.0,16,16776711,0.882,1
0,9,2024-03-28,1.2,0,0,1.0,0
3,4,2024-03-28,2.5,0,0,0.7,1
3,4,2024-03-29,1.1,2,12,1.0,0
5,9,2024-03-28,0.3,0,0,1.0,0
"""


def write_copy(folder: Path) -> Path:
    folder.mkdir()
    with lzma.open(folder / "frn50k_daily.csv.xz", "wt") as handle:
        handle.write(DAILY)
    with lzma.open(folder / "frn50k_store_day.csv.xz", "wt") as handle:
        handle.write("store_id,dt,holiday_flag,precpt,avg_temperature,avg_humidity,avg_wind_level\n"
                     "0,2024-03-28,0,1.6,15.4,73.5,1.9\n")
    (folder / "frn50k_stores.csv").write_text("store_id,city_id\n0,0\n3,10\n5,10\n")
    (folder / "frn50k_products.csv").write_text("product_id,management_group_id,first_category_id,"
                                                "second_category_id,third_category_id\n4,2,31,79,227\n9,0,5,6,65\n")
    return folder


def test_a_tiny_copy_loads_as_a_sales_log(tmp_path: Path) -> None:
    dataset = load_freshretailnet(write_copy(tmp_path / "frn"))
    tx = dataset.transactions
    assert not dataset.has_customers and dataset.country == "CN"
    assert tx["price"].isna().all() and tx["basket_id"].isna().all()
    # the zero-sale day is left out of the transactions...
    assert list(zip(tx["store_id"], tx["product_id"], tx["timestamp"].dt.day, tx["quantity"])) == [
        ("0", "4", 28, 0.5), ("0", "9", 28, 1.2), ("3", "4", 28, 2.5), ("3", "4", 29, 1.1), ("5", "9", 28, 0.3)]
    # ...but kept in the signals, with promotions, discounts and stock-out hours
    signals = dataset.signals
    assert len(signals) == 6
    zero_day = signals[(signals["store_id"] == "0") & (signals["date"] == pd.Timestamp("2024-03-29"))].iloc[0]
    assert (zero_day["promo"], zero_day["stockout_hours"]) == (1.0, 16.0)
    assert signals["discount"].round(3).tolist() == [0.882, 0.882, 1.0, 0.7, 1.0, 1.0]
    stores = dataset.stores.set_index("store_id")
    assert stores.loc["3", "name"] == "Store 3 (city 10)" and stores.loc["3", "city"] == "city 10"
    products = dataset.products.set_index("product_id")
    assert products.loc["4", "name"] == "Product 4 (category 31/79/227)"
    assert products.loc["4", "category"] == "group 2"


def test_the_first_n_stores(tmp_path: Path) -> None:
    dataset = load_freshretailnet(write_copy(tmp_path / "frn"), stores=2)
    assert dataset.stores["store_id"].tolist() == ["0", "3"]
    assert set(dataset.transactions["store_id"]) == {"0", "3"} and len(dataset.signals) == 5
    assert set(dataset.products["product_id"]) == {"4", "9"}


def test_data_source_freshretailnet(tmp_path: Path) -> None:
    write_copy(tmp_path / "freshretailnet50k")
    dataset = load_dataset(MLSettings(_env_file=None, data_source="freshretailnet", data_dir=tmp_path))
    assert dataset.name == "freshretailnet50k" and len(dataset.transactions) == 5
    with pytest.raises(DataFormatError, match="DATA_DIR"):
        load_dataset(MLSettings(_env_file=None, data_source="freshretailnet", data_dir=tmp_path / "absent"))


@pytest.mark.realdata
def test_real_freshretailnet_first_three_stores(shared_data: Path) -> None:
    folder = shared_data / "freshretailnet50k"
    if not (folder / "frn50k_daily.csv.xz").exists():
        pytest.skip(f"FreshRetailNet-50K not found in {folder}")
    dataset = load_freshretailnet(folder, stores=3)
    assert dataset.stores["store_id"].tolist() == ["0", "1", "2"]
    signals = dataset.signals
    # 90 days for every series of these stores, as published
    assert signals.groupby(["store_id", "product_id"]).size().eq(90).all()
    assert signals["date"].min() == pd.Timestamp("2024-03-28") and signals["date"].max() == pd.Timestamp("2024-06-25")
    tx = dataset.transactions
    keys = tx.rename(columns={"timestamp": "date"})[["store_id", "product_id", "date"]].astype(str)
    assert not keys.duplicated().any()  # one row per store x product x day with sales
    assert keys.merge(signals[["store_id", "product_id", "date"]].astype(str)).shape[0] == len(tx)
    assert dataset.transactions["quantity"].gt(0).all() and not dataset.has_customers
