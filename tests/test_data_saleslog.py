"""Stores in the data and logs without customers: store_id mapped, sales logs, mixed logs, stores files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ml.data import load_dataset
from ml.data.io import read_transactions
from ml.data.schema import DEFAULT_STORE_ID, STORE_COLUMNS, Dataset
from ml.data.stores_table import read_stores
from ml.data.validate import validate_dataset
from ml.errors import DataFormatError, DataValidationError
from ml.settings import MLSettings


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_store_id_is_a_mapped_column(tmp_path: Path) -> None:
    path = write(tmp_path / "ventes.csv", "Client;Magasin;EAN;Date;Qte;Prix",
                 "1;12;A;2024-05-01;2;1,5", "2;7;A;2024-05-01;1;1,5", "1;12;B;2024-05-02;1;3")
    dataset = read_transactions(path, "customer_id=Client,store_id=Magasin,product_id=EAN,timestamp=Date,"
                                      "quantity=Qte,price=Prix")
    assert dataset.transactions["store_id"].tolist() == ["12", "7", "12"]
    # the stores table is derived from the ids (numeric order), each store named by its id
    assert dataset.stores["store_id"].tolist() == ["7", "12"]
    assert dataset.stores["name"].tolist() == ["7", "12"]
    assert list(dataset.stores.columns) == list(STORE_COLUMNS)


def test_empty_store_in_a_file_with_a_store_column_names_row_and_column(tmp_path: Path) -> None:
    path = write(tmp_path / "v.csv", "Magasin,product_id,timestamp,quantity", "12,A,2024-05-01,1", ",A,2024-05-02,1")
    with pytest.raises(DataValidationError) as info:
        read_transactions(path, "store_id=Magasin")
    assert (info.value.row, info.value.column) == (2, "Magasin")


def test_a_sales_log_without_customers_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path / "ventes_magasins.csv", "store_id,product_id,date,units",
                 "1,A,2024-05-01,3", "1,A,2024-05-02,4", "2,A,2024-05-01,1.5")
    dataset = read_transactions(path, "timestamp=date,quantity=units")
    tx = dataset.transactions
    assert tx["customer_id"].isna().all() and tx["basket_id"].isna().all() and tx["price"].isna().all()
    assert tx["quantity"].tolist() == [3.0, 4.0, 1.5]
    assert not dataset.has_customers  # the customer commands answer "this data has no customers"


def test_a_mixed_log_keeps_anonymous_tickets(tmp_path: Path) -> None:
    path = write(tmp_path / "caisse.csv", "customer_id,product_id,timestamp,quantity,price",
                 "42,A,2024-05-01,1,2", ",A,2024-05-01,2,2", "  ,B,2024-05-02,1,3", "43,B,2024-05-02,1,3")
    dataset = read_transactions(path)
    assert dataset.transactions["customer_id"].tolist()[0] == "42"
    assert dataset.transactions["customer_id"].isna().tolist() == [False, True, True, False]
    assert dataset.has_customers
    assert dataset.transactions["store_id"].eq(DEFAULT_STORE_ID).all()


def test_validate_dataset_fills_stores_and_names_bad_values() -> None:
    tx = pd.DataFrame({
        "customer_id": pd.Series([pd.NA, "5"], dtype=object), "product_id": ["A", "A"],
        "timestamp": pd.to_datetime(["2024-05-01", "2024-05-02"]), "quantity": [1.0, 2.0],
        "price": [float("nan"), 1.0], "store_id": pd.Series([pd.NA, pd.NA], dtype="string"),
        "basket_id": pd.Series([pd.NA, pd.NA], dtype="string"),
    })
    products = pd.DataFrame({"product_id": ["A"], "name": ["Lait"], "category": [pd.NA], "aliases": [""]})
    checked = validate_dataset(Dataset("d", tx, products))
    assert checked.transactions["store_id"].tolist() == [DEFAULT_STORE_ID] * 2
    assert checked.stores["store_id"].tolist() == [DEFAULT_STORE_ID]
    bad = tx.assign(price=[float("nan"), -1.0])
    with pytest.raises(DataValidationError) as info:
        validate_dataset(Dataset("d", bad, products))
    assert (info.value.row, info.value.column) == (2, "price")


STORES_CSV = ("Code;Magasin;Ville;Région;Format",
              "12;Lyon Part-Dieu;Lyon;Auvergne-Rhône-Alpes;proximite",
              "7;Nantes Centre;Nantes;Pays de la Loire;supermarche")


def test_stores_file_with_a_column_mapping(tmp_path: Path) -> None:
    path = write(tmp_path / "magasins.csv", *STORES_CSV)
    stores = read_stores(path, "store_id=Code,name=Magasin,city=Ville,region=Région,format=Format")
    assert stores["store_id"].tolist() == ["12", "7"]
    assert stores.loc[0, "name"] == "Lyon Part-Dieu" and stores.loc[1, "region"] == "Pays de la Loire"
    assert stores["zone"].isna().all()


@pytest.mark.parametrize(("line", "row", "value"), [("12;Lyon Bis;Lyon;;", 3, "12"), (";Sans code;Paris;;", 3, "")])
def test_stores_file_duplicate_or_empty_id(tmp_path: Path, line: str, row: int, value: str) -> None:
    path = write(tmp_path / "magasins.csv", *STORES_CSV, line)
    with pytest.raises(DataValidationError) as info:
        read_stores(path, "store_id=Code,name=Magasin")
    assert (info.value.row, info.value.column, info.value.value) == (row, "Code", value)
    assert f"row {row}" in str(info.value) and "magasins.csv" in str(info.value)


def test_stores_file_without_its_id_column(tmp_path: Path) -> None:
    path = write(tmp_path / "magasins.csv", *STORES_CSV)
    with pytest.raises(DataFormatError, match="STORES_COLUMNS"):
        read_stores(path)


def test_a_sale_in_a_store_the_stores_file_lacks(tmp_path: Path) -> None:
    stores_path = write(tmp_path / "magasins.csv", *STORES_CSV)
    sales = write(tmp_path / "ventes.csv", "store_id,product_id,timestamp,quantity",
                  "12,A,2024-05-01,1", "7,A,2024-05-01,1", "99,A,2024-05-02,1")
    settings = MLSettings(_env_file=None, data_source=str(sales), stores_file=stores_path,
                          stores_columns="store_id=Code,name=Magasin,city=Ville")
    with pytest.raises(DataValidationError) as info:
        load_dataset(settings)
    assert (info.value.row, info.value.column, info.value.value) == (3, "store_id", "99")
    write(sales, "store_id,product_id,timestamp,quantity", "12,A,2024-05-01,1", "7,A,2024-05-01,2")
    dataset = load_dataset(settings)
    assert dataset.stores.set_index("store_id").loc["12", "city"] == "Lyon"
    assert not dataset.has_customers
