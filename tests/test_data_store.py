"""Persisting datasets: round trip and all-or-nothing replacement, on SQLite and (when available) PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from ml.data import store
from ml.data.schema import Dataset
from ml.data.simulator import simulate
from ml.data.store import get_engine, list_datasets, load_dataset_from_db, save_dataset
from ml.errors import DataError
from tests.databases import db_url  # noqa: F401 - the fixture


@pytest.fixture(scope="module")
def small() -> Dataset:
    return simulate(n_customers=30, days=40, end=date(2024, 3, 31), seed=3)


def sorted_tx(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["timestamp", "basket_id", "product_id"]).reset_index(drop=True)


def test_round_trip(tmp_path: Path, small: Dataset) -> None:
    url = f"sqlite:///{tmp_path}/sub/dir/caddie.db"
    assert save_dataset(url, small) == len(small.transactions)
    assert (tmp_path / "sub" / "dir" / "caddie.db").is_file()  # parent folders created
    loaded = load_dataset_from_db(url)
    assert loaded.name == small.name
    pd.testing.assert_frame_equal(sorted_tx(loaded.transactions), sorted_tx(small.transactions))
    pd.testing.assert_frame_equal(loaded.products.sort_values("product_id").reset_index(drop=True),
                                  small.products.sort_values("product_id").reset_index(drop=True))
    summary = list_datasets(url).iloc[0]
    assert summary["rows"] == len(small.transactions)
    assert pd.Timestamp(summary["start"]).date() == small.start
    assert pd.Timestamp(summary["end"]).date() == small.end


def test_round_trip_keeps_values_and_dtypes(db_url: str, small: Dataset) -> None:
    save_dataset(db_url, small)
    loaded = load_dataset_from_db(db_url, small.name)
    assert loaded.transactions.dtypes.equals(small.transactions.dtypes)
    pd.testing.assert_frame_equal(sorted_tx(loaded.transactions), sorted_tx(small.transactions))


def test_missing_values_survive(db_url: str, small: Dataset) -> None:
    tx = small.transactions.head(20).copy()
    tx["store_id"] = tx["store_id"].astype("string")
    tx.loc[tx.index[:5], "store_id"] = pd.NA  # a log without stores: saved and loaded as DEFAULT_STORE_ID
    tx.loc[tx.index[3:8], "basket_id"] = pd.NA
    tx.loc[tx.index[6:9], "customer_id"] = pd.NA  # anonymous tickets
    tx.loc[tx.index[8:12], "price"] = float("nan")  # price unknown
    products = small.products.copy()
    products.loc[products.index[0], "category"] = None
    save_dataset(db_url, Dataset("gaps", tx, products))
    loaded = load_dataset_from_db(db_url, "gaps")
    expected = tx.assign(store_id=tx["store_id"].fillna("1"))
    pd.testing.assert_frame_equal(sorted_tx(loaded.transactions), sorted_tx(expected))
    assert loaded.transactions["customer_id"].isna().sum() == 3 and loaded.transactions["price"].isna().sum() == 4
    assert loaded.has_customers
    assert loaded.products["category"].isna().sum() == products["category"].isna().sum()
    assert set(loaded.stores["store_id"]) == set(expected["store_id"])  # derived when none was given


def test_get_engine_is_cached(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/c.db"
    assert get_engine(url) is get_engine(url)


def test_replace_keeps_other_datasets(db_url: str, small: Dataset) -> None:
    engine = get_engine(db_url)
    other = Dataset("other", small.transactions.head(10), small.products)
    save_dataset(engine, small)
    save_dataset(engine, other)
    save_dataset(engine, small)  # replace, not append
    assert len(load_dataset_from_db(engine, small.name).transactions) == len(small.transactions)
    assert len(load_dataset_from_db(engine, "other").transactions) == 10
    with pytest.raises(DataError):
        load_dataset_from_db(engine, "absent")


def test_failed_save_leaves_previous_content(db_url: str, small: Dataset) -> None:
    engine = get_engine(db_url)
    save_dataset(engine, small)
    # the new version has a duplicated product: the products insert fails after the old rows were deleted
    broken = Dataset(small.name, small.transactions.head(5),
                     pd.concat([small.products, small.products.head(1)], ignore_index=True))
    with pytest.raises(sa.exc.IntegrityError):
        save_dataset(engine, broken)
    loaded = load_dataset_from_db(engine, small.name)
    assert len(loaded.transactions) == len(small.transactions)
    assert len(loaded.products) == len(small.products)


def test_failure_after_transactions_inserted_rolls_back(db_url: str, small: Dataset,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    engine = get_engine(db_url)
    save_dataset(engine, small)
    real_insert = store._insert

    def failing_insert(frame: pd.DataFrame, table: sa.Table, connection: sa.Connection) -> None:
        real_insert(frame, table, connection)
        if table is store.transactions_table:
            raise RuntimeError("disk full")

    monkeypatch.setattr(store, "_insert", failing_insert)
    with pytest.raises(RuntimeError):
        save_dataset(engine, Dataset(small.name, small.transactions.head(7), small.products))
    monkeypatch.undo()
    with engine.connect() as connection:
        count = connection.execute(sa.select(sa.func.count()).select_from(store.transactions_table)).scalar()
    assert count == len(small.transactions)


def test_in_memory_database(small: Dataset) -> None:
    save_dataset("sqlite://", small)
    assert len(load_dataset_from_db("sqlite://", small.name).transactions) == len(small.transactions)


def test_empty_database(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no dataset"):
        load_dataset_from_db(f"sqlite:///{tmp_path}/empty.db")


def test_a_sales_log_and_its_stores_table_round_trip(db_url: str) -> None:
    from ml.data.stores_table import canonical_stores

    tx = pd.DataFrame({
        "customer_id": pd.Series([pd.NA] * 3, dtype=object), "product_id": ["A", "B", "A"],
        "timestamp": pd.to_datetime(["2024-05-01", "2024-05-01", "2024-05-02"]), "quantity": [1.5, 2.0, 0.25],
        "price": [float("nan")] * 3, "store_id": pd.Series(["12", "7", "12"], dtype="string"),
        "basket_id": pd.Series([pd.NA] * 3, dtype="string"),
    })
    products = pd.DataFrame({"product_id": ["A", "B"], "name": ["Lait", "Pain"], "category": [pd.NA, pd.NA],
                             "aliases": ["", ""]})
    stores = canonical_stores(pd.DataFrame({"store_id": ["12", "7", "3"], "name": ["Lyon Part-Dieu", "Nantes", "Brest"],
                                            "city": ["Lyon", "Nantes", None], "zone": ["A", "B", None]}))
    save_dataset(db_url, Dataset("ventes", tx, products, stores=stores))
    loaded = load_dataset_from_db(db_url, "ventes")
    assert not loaded.has_customers
    pd.testing.assert_frame_equal(sorted_tx(loaded.transactions), sorted_tx(tx))
    pd.testing.assert_frame_equal(loaded.stores.sort_values("store_id").reset_index(drop=True),
                                  stores.sort_values("store_id").reset_index(drop=True))


def test_an_older_database_is_relaxed_in_place(db_url: str, small: Dataset) -> None:
    url = db_url
    old = sa.MetaData()
    strict = [sa.Column(c.name, c.type, nullable=c.name not in ("customer_id", "price") and c.nullable)
              for c in store.transactions_table.columns]
    sa.Table("transactions", old, *strict, sa.Index("ix_transactions_dataset", "dataset"))
    engine = sa.create_engine(url)
    old.create_all(engine)
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO transactions (dataset, customer_id, product_id, timestamp, quantity, "
                                   "price) VALUES ('kept', '1', 'A', '2024-01-01 00:00:00.000000', 1, 2)"))
    engine.dispose()
    columns = {c["name"]: c["nullable"] for c in sa.inspect(get_engine(url)).get_columns("transactions")}
    assert columns["customer_id"] and columns["price"]
    with get_engine(url).connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM transactions WHERE dataset = 'kept'")).scalar() == 1
    anonymous = small.transactions.head(3).assign(customer_id=pd.NA, price=float("nan"))
    save_dataset(url, Dataset("anonymous", anonymous, small.products))
    assert load_dataset_from_db(url, "anonymous").transactions["customer_id"].isna().all()
