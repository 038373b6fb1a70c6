"""The data store and the scheduler's claims on a real PostgreSQL server.

Skipped unless TEST_DATABASE_URL names a PostgreSQL database the tests may wipe, e.g. the throwaway
server of ``tests/postgres.sh`` (``make test`` starts it when PostgreSQL is installed). The tables of
``ml.data.store`` and ``bot.scheduler`` are dropped before each test.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from bot import scheduler
from bot.app import create_client
from bot.scheduler import JOB, POSTED, STALE_CLAIM, claim, make_engine, mark_posted, post_daily_forecasts, \
    post_status, release, scheduled_posts
from bot.settings import BotSettings
from ml.data import store
from ml.data.schema import Dataset
from ml.data.simulator import simulate
from ml.data.store import get_engine, list_datasets, load_dataset_from_db, save_dataset
from tests.fake_slack import FakeSlack, fake_slack_fixture  # noqa: F401 - the fake_slack fixture

DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(
    not DATABASE_URL.startswith("postgresql"),
    reason="TEST_DATABASE_URL is not set to a postgresql+psycopg:// URL (make test sets it when "
           "tests/postgres.sh can start a local PostgreSQL)",
)
CHANNEL = "C0LOGISTICS"
DAY = date(2024, 7, 1)


def drop_all() -> None:
    engine = sa.create_engine(DATABASE_URL)
    with engine.begin() as conn:
        for table in [*store.metadata.sorted_tables, *scheduler.metadata.sorted_tables]:
            conn.execute(sa.text(f'DROP TABLE IF EXISTS "{table.name}" CASCADE'))
    engine.dispose()


@pytest.fixture
def url() -> Iterator[str]:
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e '.[postgres]')")
    drop_all()
    get_engine.cache_clear()  # cached engines would remember tables dropped under them
    yield DATABASE_URL
    get_engine.cache_clear()


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return simulate(n_customers=30, days=60, end=date(2024, 6, 30))


def sorted_tx(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["timestamp", "basket_id", "product_id"]).reset_index(drop=True)


def count_transactions(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(store.transactions_table)).scalar_one()


def run_at_once(n: int, work: Callable[[], object]) -> list[object]:
    """Runs ``work`` in ``n`` threads released together; its results, or the exceptions it raised."""
    barrier, results = threading.Barrier(n), []

    def worker() -> None:
        barrier.wait()
        try:
            results.append(work())
        except Exception as exc:  # noqa: BLE001 - reported to the test
            results.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


# -- data store -----------------------------------------------------------------------------------

def test_dataset_round_trip_keeps_values_and_dtypes(url: str, dataset: Dataset) -> None:
    assert save_dataset(url, dataset) == len(dataset.transactions)
    loaded = load_dataset_from_db(url)  # the latest dataset
    assert loaded.name == dataset.name
    assert loaded.transactions.dtypes.equals(dataset.transactions.dtypes)
    pd.testing.assert_frame_equal(sorted_tx(loaded.transactions), sorted_tx(dataset.transactions))
    pd.testing.assert_frame_equal(loaded.products.sort_values("product_id").reset_index(drop=True),
                                  dataset.products.sort_values("product_id").reset_index(drop=True))
    summary = list_datasets(url).iloc[0]
    assert summary["rows"] == len(dataset.transactions)
    assert (pd.Timestamp(summary["start"]).date(), pd.Timestamp(summary["end"]).date()) == (dataset.start, dataset.end)


def test_missing_values_survive(url: str, dataset: Dataset) -> None:
    tx = dataset.transactions.head(20).copy()
    tx.loc[tx.index[:5], "store_id"] = pd.NA
    tx.loc[tx.index[3:8], "basket_id"] = pd.NA
    products = dataset.products.copy()
    products.loc[products.index[0], "category"] = None
    save_dataset(url, Dataset("gaps", tx, products))
    loaded = load_dataset_from_db(url, "gaps")
    pd.testing.assert_frame_equal(sorted_tx(loaded.transactions), sorted_tx(tx))
    assert loaded.transactions["store_id"].isna().sum() == 5
    assert loaded.products["category"].isna().sum() == products["category"].isna().sum()


def test_save_replaces_only_its_dataset(url: str, dataset: Dataset) -> None:
    engine = get_engine(url)
    save_dataset(engine, dataset)
    save_dataset(engine, Dataset("other", dataset.transactions.head(10), dataset.products))
    save_dataset(engine, dataset)
    assert len(load_dataset_from_db(engine, dataset.name).transactions) == len(dataset.transactions)
    assert len(load_dataset_from_db(engine, "other").transactions) == 10
    assert count_transactions(engine) == len(dataset.transactions) + 10


def test_failed_save_leaves_previous_content(url: str, dataset: Dataset) -> None:
    engine = get_engine(url)
    save_dataset(engine, dataset)
    # a duplicated product: the products insert fails after the old rows were deleted
    broken = Dataset(dataset.name, dataset.transactions.head(5),
                     pd.concat([dataset.products, dataset.products.head(1)], ignore_index=True))
    with pytest.raises(sa.exc.IntegrityError):
        save_dataset(engine, broken)
    loaded = load_dataset_from_db(engine, dataset.name)
    assert len(loaded.transactions) == len(dataset.transactions)
    assert len(loaded.products) == len(dataset.products)


def test_failure_after_transactions_inserted_rolls_back(url: str, dataset: Dataset,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    engine = get_engine(url)
    save_dataset(engine, dataset)
    real_insert = store._insert

    def failing_insert(frame: pd.DataFrame, table: sa.Table, connection: sa.Connection) -> None:
        real_insert(frame, table, connection)
        if table is store.transactions_table:
            raise RuntimeError("disk full")

    monkeypatch.setattr(store, "_insert", failing_insert)
    with pytest.raises(RuntimeError):
        save_dataset(engine, Dataset(dataset.name, dataset.transactions.head(7), dataset.products))
    monkeypatch.undo()
    assert count_transactions(engine) == len(dataset.transactions)


def test_processes_starting_together_create_the_tables_once(url: str) -> None:
    results = run_at_once(4, lambda: store.create_tables(sa.create_engine(url)))
    assert results == [None] * 4, results  # no exception
    assert set(store.metadata.tables) <= set(sa.inspect(sa.create_engine(url)).get_table_names())


# -- scheduler claims -----------------------------------------------------------------------------

def test_scheduler_tables_created_by_processes_starting_together(url: str) -> None:
    results = run_at_once(4, lambda: make_engine(url))
    assert all(isinstance(result, sa.Engine) for result in results), results


def test_only_one_of_two_engines_claims_a_post(url: str) -> None:
    first, second = make_engine(url), make_engine(url)
    assert claim(first, JOB, CHANNEL, DAY)
    assert not claim(second, JOB, CHANNEL, DAY)
    assert not claim(first, JOB, CHANNEL, DAY)
    assert claim(second, JOB, CHANNEL, DAY + timedelta(days=1)), "another day is another post"
    assert post_status(second, JOB, CHANNEL, DAY) == "claimed"

    release(second, JOB, CHANNEL, DAY)
    assert post_status(first, JOB, CHANNEL, DAY) is None
    assert claim(second, JOB, CHANNEL, DAY)
    mark_posted(second, JOB, CHANNEL, DAY, "1719820800.000100")
    assert post_status(first, JOB, CHANNEL, DAY) == POSTED
    release(first, JOB, CHANNEL, DAY)  # a posted post is not released
    assert post_status(first, JOB, CHANNEL, DAY) == POSTED
    assert not claim(first, JOB, CHANNEL, DAY, now=datetime(2100, 1, 1)), "a posted post is never taken over"


def test_concurrent_claims_let_exactly_one_through(url: str) -> None:
    engines = [make_engine(url) for _ in range(4)]
    picked = iter(engines)
    lock = threading.Lock()

    def next_claim() -> bool:
        with lock:
            engine = next(picked)
        return claim(engine, JOB, CHANNEL, DAY)

    assert sorted(run_at_once(4, next_claim)) == [False, False, False, True]


def test_a_stale_claim_is_taken_over_by_one_engine_only(url: str) -> None:
    first, second = make_engine(url), make_engine(url)
    now = datetime(2024, 7, 1, 6, 0)
    with first.begin() as conn:
        conn.execute(sa.insert(scheduled_posts).values(job=JOB, channel=CHANNEL, day=DAY, status="claimed",
                                                       claimed_at=now))
    assert not claim(second, JOB, CHANNEL, DAY, now=now + STALE_CLAIM / 2)
    later = now + STALE_CLAIM * 2
    results = run_at_once(2, lambda: claim(second, JOB, CHANNEL, DAY, now=later))
    assert sorted(results) == [False, True]
    assert not claim(first, JOB, CHANNEL, DAY, now=later), "the takeover is itself a fresh claim"


def test_two_bots_on_one_database_post_once(url: str, fake_slack: FakeSlack, caddie) -> None:
    settings = BotSettings(_env_file=None, slack_bot_token="xoxb-test", slack_api_url=fake_slack.api_url,
                           logistics_channel=CHANNEL, database_url=url, forecast_top_n=3)
    day = caddie.as_of + timedelta(days=1)
    results = run_at_once(2, lambda: post_daily_forecasts(create_client(settings), caddie, make_engine(url),
                                                          CHANNEL, day, "fr", 3))
    assert results.count(None) == 1, results
    assert len(fake_slack.calls("chat.postMessage")) == 1
    assert post_status(make_engine(url), JOB, CHANNEL, day) == POSTED
