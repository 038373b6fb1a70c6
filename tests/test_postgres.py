"""The data store and the scheduler's claims on a real PostgreSQL server.

Skipped unless TEST_POSTGRES_URL names a PostgreSQL database the tests may wipe, e.g. the throwaway
server of ``tests/postgres.sh`` (``make test`` starts it when PostgreSQL is installed). The tables of
``ml.data.store`` and ``bot.database`` are dropped before each test.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from bot import database
from bot.app import create_client
from bot.jobs import JOB, post_daily_forecasts
from bot.post_claims import POSTED, STALE_CLAIM, claim, make_engine, mark_posted, post_status, release, \
    scheduled_posts
from bot.settings import BotSettings
from ml.data import store
from tests.databases import NO_POSTGRES, POSTGRES_URL, postgres_url
from tests.fake_slack import FakeSlack, fake_slack_fixture  # noqa: F401 - the fake_slack fixture

pytestmark = pytest.mark.skipif(not POSTGRES_URL.startswith("postgresql"), reason=NO_POSTGRES)
CHANNEL = "C0LOGISTICS"
DAY = date(2024, 7, 1)


@pytest.fixture
def url() -> Iterator[str]:
    yield from postgres_url()


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


# -- data store (the single-connection behaviour is tested on both backends in test_data_store.py) --------

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
