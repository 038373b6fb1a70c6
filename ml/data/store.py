"""Persisting datasets in an embedded database (SQLite by default, any SQLAlchemy URL works).

Four tables, every row tagged with its dataset's name so several datasets can
live side by side:

    datasets      name (pk), source, loaded_at, rows, start, end
    products      dataset, product_id (pk together), name, category, aliases
    stores        dataset, store_id (pk together), name, city, region, format, zone
    transactions  dataset, customer_id, product_id, timestamp, quantity, price, store_id, basket_id

``customer_id`` is NULL on the lines of a sales log and on anonymous tickets; ``price``
is NULL when unknown (a sales log without prices). A database created before sales
logs existed has these columns NOT NULL: :func:`create_tables` relaxes them.

:func:`save_dataset` replaces one dataset inside a single transaction: if
anything fails, the previous content is still there, untouched.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ml.data.schema import DEFAULT_STORE_ID, PRODUCT_COLUMNS, STORE_COLUMNS, TRANSACTION_COLUMNS, Dataset
from ml.data.stores_table import canonical_stores, derive_stores
from ml.data.validate import canonical_products
from ml.errors import DataError

DEFAULT_DATABASE_URL = "sqlite:///var/caddie.db"

metadata = sa.MetaData()

datasets_table = sa.Table(
    "datasets", metadata,
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("source", sa.String(500), nullable=False),
    sa.Column("loaded_at", sa.DateTime, nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("start", sa.Date, nullable=False),
    sa.Column("end", sa.Date, nullable=False),
)

products_table = sa.Table(
    "products", metadata,
    sa.Column("dataset", sa.String(200), primary_key=True),
    sa.Column("product_id", sa.String(100), primary_key=True),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("category", sa.String(200)),
    sa.Column("aliases", sa.Text, nullable=False),
)

transactions_table = sa.Table(
    "transactions", metadata,
    sa.Column("dataset", sa.String(200), nullable=False, index=True),
    sa.Column("customer_id", sa.String(100)),  # NULL: a sales log's line or an anonymous ticket
    sa.Column("product_id", sa.String(100), nullable=False),
    sa.Column("timestamp", sa.DateTime, nullable=False),
    sa.Column("quantity", sa.Float, nullable=False),
    sa.Column("price", sa.Float),  # NULL: price unknown
    sa.Column("store_id", sa.String(100)),
    sa.Column("basket_id", sa.String(100)),
)

stores_table = sa.Table(
    "stores", metadata,
    sa.Column("dataset", sa.String(200), primary_key=True),
    sa.Column("store_id", sa.String(100), primary_key=True),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("city", sa.String(200)),
    sa.Column("region", sa.String(200)),
    sa.Column("format", sa.String(100)),
    sa.Column("zone", sa.String(20)),
)
_NULLABLE_NOW = ("customer_id", "price")  # NOT NULL in databases created before sales logs


@lru_cache(maxsize=8)
def get_engine(url: str = DEFAULT_DATABASE_URL) -> Engine:
    """A cached engine for ``url``; a SQLite file's parent folder is created; tables are created if absent."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        # one shared connection, or every checkout would see a new, empty in-memory database
        engine = sa.create_engine(url, poolclass=sa.pool.StaticPool, connect_args={"check_same_thread": False})
    else:
        engine = sa.create_engine(url, pool_pre_ping=True)  # a server restart must not break the bot's next query
    create_tables(engine)
    return engine


def create_tables(engine: Engine) -> None:
    """Creates the missing tables; several processes may do it at once.

    On PostgreSQL two concurrent ``CREATE TABLE`` of one name make the later one fail on a
    catalog unique index once the first commits: trying again then finds the table there.
    """
    try:
        metadata.create_all(engine)
    except sa.exc.DBAPIError:
        metadata.create_all(engine)
    _relax_not_null(engine)


def _relax_not_null(engine: Engine) -> None:
    """Lets an older database hold sales logs: customer_id and price become nullable (data kept)."""
    columns = {c["name"]: c for c in sa.inspect(engine).get_columns(transactions_table.name)}
    strict = [name for name in _NULLABLE_NOW if name in columns and not columns[name]["nullable"]]
    if not strict:
        return
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":  # SQLite cannot drop NOT NULL: rebuild the table, rows copied
            old = "transactions_before_sales_logs"
            connection.exec_driver_sql(f"ALTER TABLE transactions RENAME TO {old}")
            for index in transactions_table.indexes:
                connection.exec_driver_sql(f"DROP INDEX IF EXISTS {index.name}")
            transactions_table.create(connection)
            names = ", ".join(c.name for c in transactions_table.columns)
            connection.exec_driver_sql(f"INSERT INTO transactions ({names}) SELECT {names} FROM {old}")
            connection.exec_driver_sql(f"DROP TABLE {old}")
        else:
            for name in strict:
                connection.execute(sa.text(f"ALTER TABLE transactions ALTER COLUMN {name} DROP NOT NULL"))


def _engine(engine_or_url: Engine | str) -> Engine:
    return get_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url


_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}
_CHUNK_ROWS = 50_000


def _driver_values(series: pd.Series, dialect: str) -> np.ndarray:
    """A column as DB-API values: None for missing; SQLite datetimes as the text SQLAlchemy writes and reads."""
    if pd.api.types.is_datetime64_any_dtype(series):
        if dialect == "sqlite":
            text = np.datetime_as_string(series.to_numpy(dtype="datetime64[us]"), unit="us")
            return np.char.replace(text, "T", " ").astype(object)
        return series.to_numpy(dtype="datetime64[us]").astype(object)  # datetime.datetime, NaT as None
    values = series.astype(object)
    return values.where(series.notna(), None).to_numpy()


def _insert(frame: pd.DataFrame, table: sa.Table, connection: Connection) -> None:
    """Append ``frame`` to ``table`` on ``connection``, inside its transaction.

    PostgreSQL through psycopg 3 gets ``COPY ... FROM STDIN``. Other drivers get the
    rows straight to ``executemany`` in chunks: with SQLite this is several times
    faster than ``DataFrame.to_sql`` (which builds SQLAlchemy parameters row by row)
    and far faster than multi-row VALUES inserts.
    """
    placeholder = _PLACEHOLDERS.get(connection.dialect.paramstyle)
    if placeholder is None:  # a driver with named parameters: let pandas handle it
        frame.to_sql(table.name, connection, if_exists="append", index=False, chunksize=_CHUNK_ROWS)
        return
    quote = connection.dialect.identifier_preparer.quote
    column_list = ", ".join(quote(c) for c in frame.columns)
    columns = [_driver_values(frame[c], connection.dialect.name) for c in frame.columns]
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        statement = f"COPY {quote(table.name)} ({column_list}) FROM STDIN"
        dbapi_error = connection.dialect.loaded_dbapi.Error
        try:
            with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
                for row in zip(*columns):
                    copy.write_row(row)
        except dbapi_error as exc:  # raised like SQLAlchemy's own statements: IntegrityError etc.
            raise sa.exc.DBAPIError.instance(statement, None, exc, dbapi_error, dialect=connection.dialect) from exc
        return
    values = ", ".join([placeholder] * len(frame.columns))
    statement = f"INSERT INTO {quote(table.name)} ({column_list}) VALUES ({values})"
    for start in range(0, len(frame), _CHUNK_ROWS):
        rows = list(zip(*(column[start:start + _CHUNK_ROWS] for column in columns)))
        if rows:
            connection.exec_driver_sql(statement, rows)


def save_dataset(engine_or_url: Engine | str, dataset: Dataset, source: str | None = None) -> int:
    """Replace ``dataset`` (by name) in the database, atomically. Returns the number of transactions stored."""
    engine = _engine(engine_or_url)
    create_tables(engine)
    tx = dataset.transactions[list(TRANSACTION_COLUMNS)].copy()
    tx.insert(0, "dataset", dataset.name)
    tx["store_id"] = tx["store_id"].astype("string").fillna(DEFAULT_STORE_ID).astype(object)
    products = dataset.products[list(PRODUCT_COLUMNS)].copy()
    products.insert(0, "dataset", dataset.name)
    stores = derive_stores(tx["store_id"]) if dataset.stores is None else canonical_stores(dataset.stores)
    stores.insert(0, "dataset", dataset.name)
    summary = {
        "name": dataset.name, "source": source or dataset.name, "loaded_at": datetime.now().replace(microsecond=0),
        "rows": len(tx), "start": dataset.start, "end": dataset.end,
    }
    with engine.begin() as connection:
        for table in (transactions_table, products_table, stores_table, datasets_table):
            key = table.c.name if table is datasets_table else table.c.dataset
            connection.execute(table.delete().where(key == dataset.name))
        _insert(products, products_table, connection)
        _insert(stores, stores_table, connection)
        _insert(tx, transactions_table, connection)
        connection.execute(datasets_table.insert(), [summary])
    return len(tx)


def list_datasets(engine_or_url: Engine | str) -> pd.DataFrame:
    """The ``datasets`` table, most recently loaded first."""
    engine = _engine(engine_or_url)
    query = sa.select(datasets_table).order_by(datasets_table.c.loaded_at.desc(), datasets_table.c.name)
    with engine.connect() as connection:
        return pd.read_sql(query, connection)


def load_dataset_from_db(url: Engine | str = DEFAULT_DATABASE_URL, name: str | None = None) -> Dataset:
    """Load a stored dataset (the most recently loaded one when ``name`` is None)."""
    engine = _engine(url)
    with engine.connect() as connection:
        if name is None:
            row = connection.execute(
                sa.select(datasets_table.c.name).order_by(datasets_table.c.loaded_at.desc()).limit(1)).first()
            if row is None:
                raise DataError("the database holds no dataset yet; run python -m ml.train to import one")
            name = row[0]
        elif connection.execute(sa.select(datasets_table.c.name).where(datasets_table.c.name == name)).first() is None:
            raise DataError(f"dataset {name!r} is not in the database")
        columns = [transactions_table.c[c] for c in TRANSACTION_COLUMNS]
        tx = pd.read_sql(sa.select(*columns).where(transactions_table.c.dataset == name), connection)
        products = pd.read_sql(
            sa.select(*[products_table.c[c] for c in PRODUCT_COLUMNS]).where(products_table.c.dataset == name)
            .order_by(products_table.c.product_id),
            connection,
        )
        stores = pd.read_sql(
            sa.select(*[stores_table.c[c] for c in STORE_COLUMNS]).where(stores_table.c.dataset == name),
            connection,
        )
    customers = tx["customer_id"].astype(object)
    tx["customer_id"] = customers.where(customers.notna(), pd.NA)  # text as stored; NULL -> <NA>
    tx["product_id"] = tx["product_id"].astype(str)
    tx["timestamp"] = pd.to_datetime(tx["timestamp"]).astype("datetime64[ns]")
    tx["quantity"] = tx["quantity"].astype("float64")
    tx["price"] = tx["price"].astype("float64")
    tx["store_id"] = tx["store_id"].astype("string").fillna(DEFAULT_STORE_ID)  # rows saved before stores
    tx["basket_id"] = tx["basket_id"].astype("string")
    stores = derive_stores(tx["store_id"]) if stores.empty else canonical_stores(stores)
    return Dataset(name, tx, canonical_products(products), stores=stores)
