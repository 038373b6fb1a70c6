"""Stock import: validated like transactions, row and column on error, all or nothing; SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ml.data.schema import Dataset
from ml.data.store import save_dataset
from ml.data.validate import canonical_products
from ml.errors import DataFormatError, DataValidationError
from ml.orders.__main__ import main
from ml.orders.stock import import_stock, load_stock
from tests.databases import db_url  # noqa: F401 - the db_url fixture

GOOD = ("store_id,product_id,on_hand,on_order,as_of\n"
        "lyon,P1,12,6,2024-06-30 20:00\n"
        "lyon,P2,0,,30/06/2024\n"
        "nantes,P1,3.5,0,2024-06-30\n")


def tiny_dataset() -> Dataset:
    tx = pd.DataFrame({
        "customer_id": ["c1", "c2", "c3"], "product_id": ["P1", "P2", "P1"],
        "timestamp": pd.to_datetime(["2024-06-29", "2024-06-29", "2024-06-30"]).astype("datetime64[ns]"),
        "quantity": [1.0, 2.0, 1.0], "price": [1.0, 2.0, 1.0],
        "store_id": pd.array(["lyon", "lyon", "nantes"], dtype="string"),
        "basket_id": pd.array([pd.NA] * 3, dtype="string"),
    })
    products = canonical_products(pd.DataFrame({"product_id": ["P1", "P2"], "name": ["Yaourt", "Lait"],
                                                "category": ["Crèmerie", "Crèmerie"]}))
    return Dataset("tiny", tx, products)


def write(tmp_path: Path, text: str, name: str = "stock.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_then_load_the_snapshot(db_url: str, tmp_path: Path) -> None:
    save_dataset(db_url, tiny_dataset())
    assert import_stock(write(tmp_path, GOOD), db_url) == 3
    stock = load_stock(db_url, "tiny")
    assert list(stock["store_id"]) == ["lyon", "lyon", "nantes"]
    assert list(stock["on_hand"]) == [12.0, 0.0, 3.5]
    assert list(stock["on_order"]) == [6.0, 0.0, 0.0]  # empty: nothing on order
    assert stock["as_of"].iloc[0] == pd.Timestamp("2024-06-30 20:00")
    # a new import replaces the snapshot
    import_stock(write(tmp_path, "store_id,product_id,on_hand,as_of\nlyon,P2,4,2024-07-01\n", "b.csv"), db_url)
    assert load_stock(db_url, "tiny")[["store_id", "product_id", "on_hand"]].values.tolist() == [["lyon", "P2", 4.0]]


@pytest.mark.parametrize(("line", "row", "column"), [
    ("lyon,P2,-1,0,2024-06-30", 3, "on_hand"),
    ("paris,P2,1,0,2024-06-30", 3, "store_id"),
    ("lyon,P9,1,0,2024-06-30", 3, "product_id"),
    ("lyon,P1,1,0,2024-06-30", 3, "product_id"),  # duplicate of row 1
    ("lyon,P2,beaucoup,0,2024-06-30", 3, "on_hand"),
    ("lyon,P2,1,-2,2024-06-30", 3, "on_order"),
    ("lyon,P2,1,0,hier", 3, "as_of"),
])
def test_a_bad_row_is_named_and_nothing_is_imported(db_url: str, tmp_path: Path, line: str, row: int,
                                                    column: str) -> None:
    save_dataset(db_url, tiny_dataset())
    import_stock(write(tmp_path, GOOD, "first.csv"), db_url)
    before = load_stock(db_url, "tiny")
    text = "store_id,product_id,on_hand,on_order,as_of\nlyon,P1,12,6,2024-06-30\nnantes,P1,1,0,2024-06-30\n"
    with pytest.raises(DataValidationError) as info:
        import_stock(write(tmp_path, text + line + "\n"), db_url)
    assert (info.value.row, info.value.column) == (row, column)
    assert f"row {row}, column {column!r}" in str(info.value)
    pd.testing.assert_frame_equal(load_stock(db_url, "tiny"), before)  # the previous snapshot is untouched


def test_missing_column_and_lists_given_instead_of_a_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/c.db"
    with pytest.raises(DataFormatError, match="on_hand"):
        import_stock(write(tmp_path, "store_id,product_id,as_of\nlyon,P1,2024-06-30\n"), url,
                     stores=["lyon"], products=["P1"])
    # one store: store_id may be left out
    assert import_stock(write(tmp_path, "product_id,on_hand,as_of\nP1,2,2024-06-30\n"), url, dataset="d",
                        stores=["1"], products=["P1"]) == 1
    assert load_stock(url, "d")["store_id"].tolist() == ["1"]


def test_command_prints_the_error_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    url = f"sqlite:///{tmp_path}/c.db"
    save_dataset(url, tiny_dataset())
    assert main(["import-stock", str(write(tmp_path, GOOD)), "--database-url", url]) == 0
    assert "3 store x product rows" in capsys.readouterr().out
    bad = write(tmp_path, "store_id,product_id,on_hand,as_of\nlyon,P1,-3,2024-06-30\n", "bad.csv")
    assert main(["import-stock", str(bad), "--database-url", url]) == 2
    err = capsys.readouterr().err
    assert "row 1, column 'on_hand'" in err and len(err.strip().splitlines()) == 1
