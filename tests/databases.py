"""The databases the storage tests run on: SQLite always, PostgreSQL when TEST_DATABASE_URL names one.

``make test`` sets TEST_DATABASE_URL when ``tests/postgres.sh`` can start a throwaway local server.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
NO_POSTGRES = ("TEST_DATABASE_URL is not set to a postgresql+psycopg:// URL (make test sets it when "
               "tests/postgres.sh can start a local PostgreSQL)")


def wipe_postgres() -> None:
    """Drops every table of the data store and the scheduler, so each test starts from nothing."""
    from bot import database
    from ml.data import store

    engine = sa.create_engine(POSTGRES_URL)
    with engine.begin() as conn:
        for table in [*store.metadata.sorted_tables, *database.metadata.sorted_tables]:
            conn.execute(sa.text(f'DROP TABLE IF EXISTS "{table.name}" CASCADE'))
    engine.dispose()


def postgres_url() -> Iterator[str]:
    """A wiped PostgreSQL database (skips when there is none); engine caches are cleared around it."""
    from ml.data.store import get_engine

    if not POSTGRES_URL.startswith("postgresql"):
        pytest.skip(NO_POSTGRES)
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e '.[postgres]')")
    wipe_postgres()
    get_engine.cache_clear()  # cached engines would remember tables dropped under them
    yield POSTGRES_URL
    get_engine.cache_clear()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The same test on a fresh SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/caddie.db"
    else:
        yield from postgres_url()


@pytest.fixture
def results_url(db_url: str) -> str:
    """``db_url`` without any table of the results store (PostgreSQL is shared between tests)."""
    from ml.data import results_store as rs

    engine = sa.create_engine(db_url)
    rs.metadata.drop_all(engine)
    engine.dispose()
    return db_url
