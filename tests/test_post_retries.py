"""The daily post when the database fails: retried with backoff, a read-only database told to logistics."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler

from bot.app import create_client
from bot.jobs import JOB, DailyPost
from bot.post_claims import POSTED, make_engine, post_status
from bot.refresh import FixedCaddie
from bot.settings import BotSettings
from tests.fake_slack import FakeSlack, fake_slack_fixture  # noqa: F401 - the fake_slack fixture

CHANNEL = "C0LOGISTICS"


def _settings(fake: FakeSlack, database_url: str, caddie) -> BotSettings:  # noqa: ANN001
    return BotSettings(_env_file=None, slack_bot_token="xoxb-test", slack_api_url=fake.api_url,
                       logistics_channel=CHANNEL, database_url=database_url, forecast_top_n=3,
                       today=caddie.as_of + timedelta(days=1))


def test_a_read_only_database_is_reported_in_the_logistics_channel_once(fake_slack: FakeSlack, caddie,
                                                                       tmp_path: Path) -> None:
    db = tmp_path / "caddie.db"
    make_engine(f"sqlite:///{db}").dispose()  # the tables exist; the bot then gets read-only access
    settings = _settings(fake_slack, f"sqlite:///file:{db}?mode=ro&uri=true", caddie)
    post = DailyPost(create_client(settings), FixedCaddie(caddie), settings, retry_delays=(300.0,))
    assert post.run() is None
    assert post.run(attempt=1) is None  # the retry fails the same way: no second notice
    [notice] = fake_slack.calls("chat.postMessage")
    assert notice.payload["channel"] == CHANNEL
    assert "lecture seule" in notice.payload["text"] and "DATABASE_URL" in notice.payload["text"]
    assert "5 min" in notice.payload["text"]


def test_a_database_down_is_retried_and_the_post_goes_out_when_it_is_back(fake_slack: FakeSlack, caddie,
                                                                         tmp_path: Path) -> None:
    blocker = tmp_path / "var"
    blocker.write_text("a file where the database folder should be")  # the database cannot be opened
    url = f"sqlite:///{blocker / 'caddie.db'}"
    settings = _settings(fake_slack, url, caddie)
    post = DailyPost(create_client(settings), FixedCaddie(caddie), settings, retry_delays=(0.2, 0.2))
    post.scheduler = BackgroundScheduler()
    post.scheduler.start()
    try:
        assert post.run() is None
        assert post.scheduler.get_job(f"{JOB}_retry") is not None, "a retry is scheduled"
        blocker.unlink()  # the database is back
        [message] = fake_slack.wait_for("chat.postMessage")
    finally:
        post.scheduler.shutdown(wait=True)
    assert "lecture seule" not in message.payload["text"], "the forecast itself, not a notice"
    assert post_status(make_engine(url), JOB, CHANNEL, settings.current_day()) == POSTED


def test_when_the_retries_are_exhausted_logistics_is_told(fake_slack: FakeSlack, caddie, tmp_path: Path) -> None:
    blocker = tmp_path / "var"
    blocker.write_text("not a folder")
    settings = _settings(fake_slack, f"sqlite:///{blocker / 'caddie.db'}", caddie)
    post = DailyPost(create_client(settings), FixedCaddie(caddie), settings, retry_delays=())
    assert post.run() is None
    [notice] = fake_slack.calls("chat.postMessage")
    assert "ne répond pas" in notice.payload["text"]


def test_the_scheduler_starts_with_the_database_down(fake_slack: FakeSlack, caddie, tmp_path: Path) -> None:
    from bot.jobs import start_scheduler

    blocker = tmp_path / "var"
    blocker.write_text("not a folder")
    settings = _settings(fake_slack, f"sqlite:///{blocker / 'caddie.db'}", caddie)
    before_cron = datetime.combine(settings.current_day(), time(5, 0), settings.tz)
    scheduler = start_scheduler(settings, create_client(settings), FixedCaddie(caddie), now=before_cron)
    try:
        assert scheduler.get_job(JOB) is not None
    finally:
        scheduler.shutdown(wait=False)
    post = DailyPost(create_client(settings), FixedCaddie(caddie), settings)
    assert post.posted_today() is None, "unknown, not 'missing' nor 'done'"
