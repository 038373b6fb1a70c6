"""Loaders of the public datasets (skipped when the shared data folder is absent) and load_dataset dispatch."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from ml.data import load_dataset
from ml.data.sources import ONLINE_RETAIL_FILE, clean_online_retail, load_completejourney, load_online_retail
from ml.errors import DataFormatError
from ml.settings import MLSettings

SHARED_DATA = Path(os.environ.get("CADDIE_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
needs_shared = pytest.mark.skipif(not (SHARED_DATA / ONLINE_RETAIL_FILE).is_file(),
                                  reason=f"public datasets not found in {SHARED_DATA}")


def test_clean_online_retail_rules() -> None:
    raw = pd.DataFrame({
        "InvoiceNo": ["1", "1", "C2", "3", "4", "5", "6", "7"],
        "StockCode": ["85123A", "POST", "85123A", "85123A", "22423", "22423", "gift_0001_10", "22423"],
        "Description": ["HEART HOLDER ", "POSTAGE", "HEART HOLDER", "heart", "CAKESTAND", "CAKESTAND", "GIFT", "X"],
        "Quantity": [6, 1, -6, 2, 1, 0, 1, 1],
        "InvoiceDate": ["2011-01-03 10:00:00"] * 8,
        "UnitPrice": [2.5, 18.0, 2.5, 2.5, 10.0, 10.0, 10.0, 10.0],
        "CustomerID": [17850.0, 17850.0, 17850.0, 12583.0, 12583.0, 12583.0, 12583.0, None],
        "Country": ["United Kingdom"] * 3 + ["France"] * 5,
    })
    canonical, products = clean_online_retail(raw)
    # the order of 6 is undone by cancellation C2, the postage, zero quantity, voucher and anonymous rows dropped
    assert canonical["product_id"].tolist() == ["85123A", "22423"]
    assert canonical["customer_id"].tolist() == ["12583", "12583"]
    assert canonical["store_id"].tolist() == ["France", "France"]
    assert dict(zip(products["product_id"], products["name"])) == {"85123A": "heart", "22423": "CAKESTAND"}


def test_a_cancellation_undoes_the_latest_matching_earlier_purchase_only() -> None:
    raw = pd.DataFrame({
        "InvoiceNo": ["1", "2", "3", "C4", "5", "6"],
        "StockCode": ["22423"] * 5 + ["85123A"],
        "Description": ["CAKESTAND"] * 5 + ["HEART"],
        "Quantity": [500, 500, 12, -500, 500, 500],
        "InvoiceDate": ["2011-01-03 10:00:00", "2011-01-04 10:00:00", "2011-01-04 11:00:00",
                        "2011-01-04 12:00:00", "2011-01-05 09:00:00", "2011-01-04 09:00:00"],
        "UnitPrice": [10.0] * 6,
        "CustomerID": [12583.0] * 6,
        "Country": ["France"] * 6,
    })
    canonical, _ = clean_online_retail(raw)
    # invoice 2 (same customer, product and quantity, latest before C4) is gone; the rest stays
    assert canonical["basket_id"].tolist() == ["1", "3", "5", "6"]


def test_load_dataset_simulator_from_settings() -> None:
    settings = MLSettings(data_source="simulator", simulator_customers=25, simulator_days=30,
                          simulator_end="2024-06-30", simulator_seed=1)
    dataset = load_dataset(settings)
    assert dataset.end <= date(2024, 6, 30) and dataset.transactions["customer_id"].nunique() <= 25


def test_load_dataset_from_file_with_mapping(tmp_path: Path) -> None:
    path = tmp_path / "ventes.csv"
    path.write_text("Client,EAN,Jour,Qte,Prix\n1,A,01/07/2024,1,2\n2,B,02/07/2024,3,1\n")
    settings = MLSettings(data_source=str(path),
                          data_columns="customer_id=Client,product_id=EAN,timestamp=Jour,quantity=Qte,price=Prix")
    assert load_dataset(settings).transactions["quantity"].sum() == 4


@pytest.mark.parametrize("source", ["online_retail", "completejourney"])
def test_missing_real_data_says_where_and_how(tmp_path: Path, source: str) -> None:
    with pytest.raises(DataFormatError) as info:
        load_dataset(MLSettings(data_source=source, data_dir=tmp_path / "nowhere"))
    assert "nowhere" in str(info.value) and "DATA_DIR" in str(info.value)


def test_missing_custom_file(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match="absent.csv"):
        load_dataset(MLSettings(data_source=str(tmp_path / "absent.csv")))


@pytest.mark.realdata
@needs_shared
def test_online_retail() -> None:
    dataset = load_online_retail(SHARED_DATA / ONLINE_RETAIL_FILE)
    tx = dataset.transactions
    assert 350_000 < len(tx) < 541_909
    assert not tx["product_id"].isin(["POST", "DOT", "M", "C2", "BANK CHARGES", "AMAZONFEE"]).any()
    assert not tx["basket_id"].str.startswith("C").any()
    assert tx["customer_id"].str.fullmatch(r"\d+").all()
    assert "France" in set(tx["store_id"])
    assert (dataset.start, dataset.end) == (date(2010, 12, 1), date(2011, 12, 9))
    names = dict(zip(dataset.products["product_id"], dataset.products["name"]))
    assert names["85123A"] == "WHITE HANGING HEART T-LIGHT HOLDER"
    assert all(name == name.strip() for name in names.values())


@pytest.mark.realdata
@needs_shared
def test_completejourney() -> None:
    dataset = load_completejourney(SHARED_DATA)
    tx = dataset.transactions
    assert len(tx) > 70_000 and (tx["quantity"] > 0).all() and (tx["price"] >= 0).all()
    assert dataset.start.year == 2017
    assert tx["product_id"].isin(dataset.products["product_id"]).all()
    assert not (dataset.products["name"] == dataset.products["product_id"]).all()
