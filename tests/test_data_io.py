"""Reading and validating user transaction files (small CSVs written to tmp_path)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ml.data.io import parse_column_mapping, read_transactions
from ml.errors import DataFormatError, DataValidationError

MAPPING = "customer_id=Client,product_id=EAN,timestamp=Date,quantity=Qte,price=Prix,name=Libelle"
HEADER = "Client;EAN;Date;Qte;Prix;Libelle"


def write(tmp_path: Path, *lines: str, name: str = "ventes.csv", header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def test_parse_column_mapping() -> None:
    assert parse_column_mapping("customer_id=Client, product_id = EAN") == {"customer_id": "Client",
                                                                           "product_id": "EAN"}
    assert parse_column_mapping("") == {}
    with pytest.raises(DataFormatError):
        parse_column_mapping("customer_id")
    with pytest.raises(DataFormatError, match="colour"):
        parse_column_mapping("colour=Couleur")


def test_reads_french_csv_with_iso_and_dayfirst_dates(tmp_path: Path) -> None:
    path = write(tmp_path,
                 "12;3017620422003;2024-07-01;2;1,50;Yaourt nature",
                 "13;3017620422003;02/07/2024;1;1.5;yaourt nature ",
                 "13;7622210449283;03/07/2024 18:30;3;0;Baguette",
                 "14;3017620422003;2024-07-04T09:15:00;1;1.5;Yaourt nature")
    dataset = read_transactions(path, MAPPING)
    tx = dataset.transactions
    assert list(tx.columns) == ["customer_id", "product_id", "timestamp", "quantity", "price", "store_id",
                                "basket_id"]
    assert tx["timestamp"].dtype == "datetime64[ns]"
    assert list(tx["timestamp"].dt.strftime("%Y-%m-%d %H:%M")) == [
        "2024-07-01 00:00", "2024-07-02 00:00", "2024-07-03 18:30", "2024-07-04 09:15"]
    assert tx["quantity"].tolist() == [2.0, 1.0, 3.0, 1.0]
    assert tx["price"].tolist() == [1.5, 1.5, 0.0, 1.5]
    assert tx["customer_id"].tolist() == ["12", "13", "13", "14"]
    assert tx["store_id"].tolist() == ["1"] * 4  # a log without stores is one store, DEFAULT_STORE_ID
    names = dict(zip(dataset.products["product_id"], dataset.products["name"]))
    assert names == {"3017620422003": "Yaourt nature", "7622210449283": "Baguette"}
    assert dataset.start.isoformat() == "2024-07-01"


def test_without_name_column_product_names_are_ids(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("customer_id,product_id,timestamp,quantity,price\n1,A,2024-01-01,1,2\n2,B,2024-01-02,1,3\n")
    dataset = read_transactions(path)
    assert dataset.products["name"].tolist() == dataset.products["product_id"].tolist() == ["A", "B"]


@pytest.mark.parametrize("suffix", [".csv.gz", ".csv.xz", ".parquet"])
def test_compressed_and_parquet(tmp_path: Path, suffix: str) -> None:
    frame = pd.DataFrame({"Client": [1.0, 2.0], "EAN": ["A", "B"], "Date": ["2024-01-01", "2024-01-02"],
                          "Qte": [1, 2], "Prix": [1.0, 2.5], "Libelle": ["Lait", "Pain"]})
    path = tmp_path / f"t{suffix}"
    if suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_csv(path)  # with the unnamed index column pandas writes
    dataset = read_transactions(path, parse_column_mapping(MAPPING))
    assert dataset.transactions["customer_id"].tolist() == ["1", "2"]
    assert dataset.transactions["quantity"].tolist() == [1.0, 2.0]


def test_missing_column_names_it_and_lists_the_file_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "1;A;2024-01-01;1;1;Lait", header="Client;EAN;Date;Qte;Cost;Libelle")
    with pytest.raises(DataFormatError) as info:
        read_transactions(path, MAPPING)
    assert info.value.column == "Prix"
    message = str(info.value)
    assert "Prix" in message and "Client, EAN, Date, Qte, Cost, Libelle" in message


def test_missing_unmapped_column(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("customer_id,product_id,date,quantity\n1,A,2024-01-01,1\n")
    with pytest.raises(DataFormatError, match="timestamp") as info:
        read_transactions(path)
    assert info.value.column == "timestamp"
    assert 'DATA_COLUMNS="timestamp=YourColumn"' in str(info.value)


def test_price_is_optional_and_nan_when_absent(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("customer_id,product_id,timestamp,quantity\n1,A,2024-01-01,1\n")
    tx = read_transactions(path).transactions
    assert tx["price"].isna().all() and tx["customer_id"].tolist() == ["1"]


@pytest.mark.parametrize(
    ("bad_line", "column", "value"),
    [
        ("9;A;31/02/2024;1;1;Lait", "Date", "31/02/2024"),
        ("9;A;hier;1;1;Lait", "Date", "hier"),
        ("9;A;2024-01-03;deux;1;Lait", "Qte", "deux"),
        ("9;A;2024-01-03;0;1;Lait", "Qte", "0"),
        ("9;A;2024-01-03;-2;1;Lait", "Qte", "-2"),
        ("9;A;2024-01-03;1;-0.5;Lait", "Prix", "-0.5"),
        ("9;A;2024-01-03;1;;Lait", "Prix", ""),
        ("9; ;2024-01-03;1;1;Lait", "EAN", ""),
    ],
)
def test_bad_value_names_row_column_and_value(tmp_path: Path, bad_line: str, column: str, value: str) -> None:
    path = write(tmp_path, "1;A;2024-01-01;1;1;Lait", "2;B;2024-01-02;1;1;Pain", bad_line)
    with pytest.raises(DataValidationError) as info:
        read_transactions(path, MAPPING)
    error = info.value
    assert (error.row, error.column, error.n_bad_rows) == (3, column, 1)
    assert str(error.value).strip() == value
    assert "row 3" in str(error) and column in str(error)


def test_first_bad_row_reported_with_count(tmp_path: Path) -> None:
    path = write(tmp_path,
                 "1;A;2024-01-01;1;1;Lait",
                 "2;B;2024-01-02;x;-1;Pain",  # two bad cells, one row
                 "3;B;2024-01-02;1;1;Pain",
                 "4;B;pas une date;1;1;Pain")
    with pytest.raises(DataValidationError) as info:
        read_transactions(path, MAPPING)
    assert (info.value.row, info.value.column, info.value.value, info.value.n_bad_rows) == (2, "Qte", "x", 2)
    assert "2 rows" in str(info.value)


def test_utc_offsets_keep_wall_clock_time(tmp_path: Path) -> None:
    path = write(tmp_path, "1;A;2024-07-01T09:15:00+02:00;1;1;Lait", "2;A;2024-01-05 18:00;1;1;Lait",
                 "3;A;2024-01-06T10:00:00Z;1;1;Lait")
    stamps = read_transactions(path, MAPPING).transactions["timestamp"].dt.strftime("%Y-%m-%d %H:%M").tolist()
    assert stamps == ["2024-07-01 09:15", "2024-01-05 18:00", "2024-01-06 10:00"]


def test_windows_encoded_csv(tmp_path: Path) -> None:
    path = tmp_path / "caisse.csv"
    path.write_bytes("Client;EAN;Date;Qte;Prix;Libelle\n1;A;01/07/2024;1;2,5;Pâtes fraîches\n".encode("cp1252"))
    dataset = read_transactions(path, MAPPING)
    assert dataset.products["name"].tolist() == ["Pâtes fraîches"]


def test_unknown_file(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match="not found"):
        read_transactions(tmp_path / "absent.csv")
