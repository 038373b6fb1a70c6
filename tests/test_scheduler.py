"""The daily logistics post: once per channel and day across runs and processes, catch-up after a restart."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from slack_sdk.errors import SlackApiError
from sqlalchemy import insert

from bot.app import create_client
from bot.cron import cron_trigger, due_day
from bot.jobs import CATCH_UP_WINDOW, JOB, MISFIRE_GRACE_SECONDS, logistics_message, post_daily_forecasts, \
    start_scheduler
from bot.post_claims import POSTED, STALE_CLAIM, claim, make_engine, post_status, scheduled_posts
from bot.refresh import FixedCaddie
from bot.i18n import fmt_date
from bot.settings import BotSettings
from tests.fake_slack import FakeSlack, fake_slack_fixture  # noqa: F401 - the fake_slack fixture

PARIS = ZoneInfo("Europe/Paris")
CHANNEL = "C0LOGISTICS"


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'var' / 'caddie.db'}"


def make_settings(fake: FakeSlack, db_url: str, **overrides: object) -> BotSettings:
    values: dict[str, object] = {"slack_bot_token": "xoxb-test", "slack_api_url": fake.api_url,
                                 "logistics_channel": CHANNEL, "database_url": db_url, "forecast_top_n": 3}
    values.update(overrides)
    return BotSettings(_env_file=None, **values)


# -- pure time logic ------------------------------------------------------------------------------

@pytest.mark.parametrize(("clock", "expected"), [
    (datetime(2024, 7, 1, 5, 59, tzinfo=PARIS), None),
    (datetime(2024, 7, 1, 6, 0, tzinfo=PARIS), date(2024, 7, 1)),
    (datetime(2024, 7, 1, 23, 30, tzinfo=PARIS), date(2024, 7, 1)),
])
def test_due_day_after_the_cron_time_only(clock: datetime, expected: date | None) -> None:
    assert due_day(clock, "0 6 * * *") == expected


def test_due_day_respects_weekdays_and_the_clock_time_zone() -> None:
    saturday = datetime(2024, 7, 6, 10, 0, tzinfo=PARIS)
    assert due_day(saturday, "0 6 * * 1-5") is None
    assert due_day(saturday + timedelta(days=2), "0 6 * * 1-5") == date(2024, 7, 8)
    # 05:30 UTC is 07:30 in Paris in summer: 06:00 Paris has passed, 06:00 UTC has not
    utc_clock = datetime(2024, 7, 1, 5, 30, tzinfo=ZoneInfo("UTC"))
    assert due_day(utc_clock.astimezone(PARIS), "0 6 * * *") == date(2024, 7, 1)
    assert due_day(utc_clock, "0 6 * * *") is None


@pytest.mark.parametrize(("weekdays", "fires_on"), [
    ("1-5", {"Mon", "Tue", "Wed", "Thu", "Fri"}),
    ("0", {"Sun"}), ("7", {"Sun"}), ("0,6", {"Sat", "Sun"}), ("sat,sun", {"Sat", "Sun"}),
    ("mon-fri", {"Mon", "Tue", "Wed", "Thu", "Fri"}), ("*/2", {"Sun", "Tue", "Thu", "Sat"}),
    ("1-5/2", {"Mon", "Wed", "Fri"}), ("*", {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}),
])
def test_cron_weekdays_follow_crontab_numbering(weekdays: str, fires_on: set[str]) -> None:
    trigger = cron_trigger(f"0 6 * * {weekdays}", PARIS)
    fire, days = datetime(2024, 7, 1, tzinfo=PARIS), set()  # 2024-07-01 is a Monday
    for _ in range(7):
        fire = trigger.get_next_fire_time(None, fire + timedelta(minutes=1))
        days.add(fire.strftime("%a"))
    assert days == fires_on


@pytest.mark.parametrize("expr", ["0 6 * *", "0 6 * * 8", "0 6 * * 5-2", "0 6 * * */0", "61 6 * * *"])
def test_bad_crontab_expressions_are_refused(expr: str) -> None:
    with pytest.raises(ValueError):
        cron_trigger(expr, PARIS)


def test_due_day_needs_an_aware_clock() -> None:
    with pytest.raises(ValueError):
        due_day(datetime(2024, 7, 1, 8, 0), "0 6 * * *")


def test_a_post_missed_for_longer_than_the_catch_up_window_is_not_sent_late() -> None:
    cron_time = datetime(2024, 7, 1, 6, 0, tzinfo=PARIS)
    assert due_day(cron_time + CATCH_UP_WINDOW, "0 6 * * *", within=CATCH_UP_WINDOW) == date(2024, 7, 1)
    assert due_day(cron_time + CATCH_UP_WINDOW + timedelta(minutes=1), "0 6 * * *", within=CATCH_UP_WINDOW) is None
    assert due_day(cron_time + timedelta(hours=15), "0 6 * * *") == date(2024, 7, 1)  # no window: still due


def test_the_post_forecasts_its_own_day_or_says_the_data_is_too_old(caddie) -> None:
    fresh_day = caddie.as_of + timedelta(days=1)
    text, blocks = logistics_message(caddie, fresh_day, "fr", 3)
    assert caddie.forecast_top(1)[0].product.name in str(blocks)
    stale_day = caddie.as_of + timedelta(days=caddie.horizon_days + 1)
    text, blocks = logistics_message(caddie, stale_day, "fr", 3)
    assert fmt_date(caddie.as_of, "fr") in text and "make train" in text  # the data's last day and what to do
    assert caddie.forecast_top(1)[0].product.name not in str(blocks)


# -- settings -------------------------------------------------------------------------------------

def test_cron_and_time_zone_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORECAST_CRON", "30 5 * * 1-5")
    monkeypatch.setenv("TIMEZONE", "America/Montreal")
    settings = BotSettings(_env_file=None)
    assert settings.forecast_cron == "30 5 * * 1-5"
    assert due_day(datetime(2024, 7, 1, 5, 31, tzinfo=settings.tz), settings.forecast_cron) == date(2024, 7, 1)


@pytest.mark.parametrize(("name", "value"), [("FORECAST_CRON", "every morning"), ("FORECAST_CRON", "0 25 * * *"),
                                             ("TIMEZONE", "Mars/Olympus")])
def test_invalid_schedule_settings_are_rejected(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=name.lower()):
        BotSettings(_env_file=None)


# -- idempotent posting ---------------------------------------------------------------------------

def test_two_runs_on_the_same_day_post_once(fake_slack: FakeSlack, db_url: str, caddie) -> None:
    settings = make_settings(fake_slack, db_url)
    engine = make_engine(db_url)
    client = create_client(settings)
    day = caddie.as_of + timedelta(days=1)

    first = post_daily_forecasts(client, caddie, engine, CHANNEL, day, "fr", 3)
    second = post_daily_forecasts(client, caddie, engine, CHANNEL, day, "fr", 3)

    posts = fake_slack.calls("chat.postMessage")
    assert first is not None and second is None
    assert len(posts) == 1
    assert posts[0].payload["channel"] == CHANNEL
    assert posts[0].payload["blocks"], "the post carries the logistics blocks"
    assert posts[0].headers["authorization"] == "Bearer xoxb-test"
    assert post_status(engine, JOB, CHANNEL, day) == POSTED
    # another day, or another channel, is another post
    assert post_daily_forecasts(client, caddie, engine, CHANNEL, day + timedelta(days=1), "fr", 3) is not None
    assert post_daily_forecasts(client, caddie, engine, "C0OTHER", day, "fr", 3) is not None
    assert len(fake_slack.calls("chat.postMessage")) == 3


def test_two_processes_on_one_database_post_once(fake_slack: FakeSlack, db_url: str, caddie) -> None:
    settings = make_settings(fake_slack, db_url)
    day = caddie.as_of + timedelta(days=1)
    results: list[str | None] = []
    start = threading.Barrier(2)

    def process() -> None:  # each "process" has its own engine and client, and both start at once
        start.wait()
        engine, client = make_engine(db_url), create_client(settings)
        results.append(post_daily_forecasts(client, caddie, engine, CHANNEL, day, "fr", 3))

    workers = [threading.Thread(target=process) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert len(results) == 2 and results.count(None) == 1, results
    assert len(fake_slack.calls("chat.postMessage")) == 1


def test_a_failed_post_releases_its_claim(fake_slack: FakeSlack, db_url: str, caddie) -> None:
    settings = make_settings(fake_slack, db_url)
    engine, client = make_engine(db_url), create_client(settings)
    day = caddie.as_of + timedelta(days=1)
    fake_slack.fail("chat.postMessage", "channel_not_found", times=1)

    with pytest.raises(SlackApiError):
        post_daily_forecasts(client, caddie, engine, CHANNEL, day, "fr", 3)
    assert post_status(engine, JOB, CHANNEL, day) is None

    assert post_daily_forecasts(client, caddie, engine, CHANNEL, day, "fr", 3) is not None
    assert post_status(engine, JOB, CHANNEL, day) == POSTED


def test_rate_limited_post_is_retried_after_retry_after(fake_slack: FakeSlack, db_url: str, caddie) -> None:
    settings = make_settings(fake_slack, db_url)
    engine, client = make_engine(db_url), create_client(settings)
    fake_slack.rate_limit("chat.postMessage", times=1, retry_after=1)

    assert post_daily_forecasts(client, caddie, engine, CHANNEL, caddie.as_of + timedelta(days=1), "fr", 3)
    assert [r.status for r in fake_slack.calls("chat.postMessage")] == [429, 200]


def test_a_stale_claim_from_a_crashed_process_can_be_taken_over(db_url: str) -> None:
    engine = make_engine(db_url)
    day, now = date(2024, 7, 1), datetime(2024, 7, 1, 6, 0)
    with engine.begin() as conn:
        conn.execute(insert(scheduled_posts).values(job=JOB, channel=CHANNEL, day=day, status="claimed",
                                                    claimed_at=now))
    assert not claim(engine, JOB, CHANNEL, day, now=now + STALE_CLAIM / 2)
    assert claim(engine, JOB, CHANNEL, day, now=now + STALE_CLAIM * 2)
    assert not claim(engine, JOB, CHANNEL, day, now=now + STALE_CLAIM * 2), "the takeover is itself a fresh claim"


# -- scheduler ------------------------------------------------------------------------------------

def test_scheduler_job_options(fake_slack: FakeSlack, db_url: str, caddie) -> None:
    settings = make_settings(fake_slack, db_url, forecast_cron="15 7 * * *")
    before_cron = datetime(2024, 7, 1, 7, 0, tzinfo=PARIS)
    scheduler = start_scheduler(settings, create_client(settings), FixedCaddie(caddie), now=before_cron)
    try:
        job = scheduler.get_job(JOB)
        assert job.misfire_grace_time == MISFIRE_GRACE_SECONDS and job.coalesce and job.max_instances == 1
        nxt = job.trigger.get_next_fire_time(None, before_cron)
        assert (nxt.hour, nxt.minute, str(nxt.tzinfo)) == (7, 15, "Europe/Paris")
        assert scheduler.get_job(f"{JOB}_catch_up") is None, "not due yet: no catch-up"
    finally:
        scheduler.shutdown(wait=False)
    assert fake_slack.calls("chat.postMessage") == []


def test_restart_after_the_cron_time_catches_up_once(fake_slack: FakeSlack, db_url: str, caddie) -> None:
    post_day = caddie.as_of + timedelta(days=1)
    settings = make_settings(fake_slack, db_url, today=post_day)
    after_cron = datetime.combine(post_day, datetime.min.time(), PARIS).replace(hour=9)

    scheduler = start_scheduler(settings, create_client(settings), FixedCaddie(caddie), now=after_cron)
    try:
        fake_slack.wait_for("chat.postMessage", timeout=30)
    finally:
        scheduler.shutdown(wait=True)
    assert post_status(make_engine(db_url), JOB, CHANNEL, post_day) == POSTED

    # a second restart the same day finds the post done and schedules no catch-up
    scheduler = start_scheduler(settings, create_client(settings), FixedCaddie(caddie), now=after_cron)
    try:
        assert scheduler.get_job(f"{JOB}_catch_up") is None
    finally:
        scheduler.shutdown(wait=False)
    assert len(fake_slack.calls("chat.postMessage")) == 1
