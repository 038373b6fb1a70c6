"""Once only: seen requests (memory and a shared table), and the daily post found in the channel's history."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlalchemy import update

from bot import jobs
from bot.post_claims import POSTED, make_engine, post_status, scheduled_posts
from bot.post_history import MARKER_EVENT, find_posted, post_metadata
from bot.replay import SeenRequests, request_key
from tests.fake_slack import FakeSlack, fake_slack_fixture  # noqa: F401 - the fake_slack fixture

CHANNEL = "C0LOGISTICS"


def test_a_key_is_new_once_per_process_and_across_processes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'seen.db'}"
    one, two = SeenRequests(url), SeenRequests(url)
    key = request_key("1700000000", "command=/forecast&text=yaourt")
    assert one.first_time(key) is True
    assert one.first_time(key) is False  # this process remembers it
    assert two.first_time(key) is False  # another process finds it in the table
    assert two.first_time(request_key("1700000001", "command=/forecast&text=yaourt")) is True


def test_with_the_database_down_the_memory_still_answers_once(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database folder should be")
    seen = SeenRequests(f"sqlite:///{blocker / 'seen.db'}")
    key = request_key("1", "body")
    assert seen.first_time(key) is True
    assert seen.first_time(key) is False


def test_memory_forgets_after_the_window(tmp_path: Path) -> None:
    now = [0.0]
    seen = SeenRequests(None, clock=lambda: now[0], keep_seconds=600)
    assert seen.first_time("k") is True and seen.first_time("k") is False
    now[0] = 601.0
    assert seen.first_time("k") is True


# -- the daily post found in the channel's history ---------------------------------------------------------

@pytest.fixture
def client(fake_slack: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=fake_slack.api_url)


def test_the_post_carries_its_marker(fake_slack: FakeSlack, client: WebClient, caddie, tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    day = caddie.as_of + timedelta(days=1)
    ts = jobs.post_daily_forecasts(client, caddie, engine, CHANNEL, day, top_n=3)
    [posted] = fake_slack.calls("chat.postMessage")
    assert posted.payload["metadata"] == post_metadata(jobs.JOB, CHANNEL, day)
    assert find_posted(client, jobs.JOB, CHANNEL, day) == ts
    assert find_posted(client, jobs.JOB, CHANNEL, day + timedelta(days=1)) is None


def _crash_after_posting(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(*args: object, **kwargs: object) -> None:
        raise SystemExit("killed between chat.postMessage and recording the post")

    monkeypatch.setattr(jobs, "_record_posted", crash)


def _age_claims(engine, minutes: int = 20) -> None:  # noqa: ANN001
    """The crashed process's claim, as the next run finds it: older than STALE_CLAIM."""
    with engine.begin() as conn:
        conn.execute(update(scheduled_posts).values(claimed_at=scheduled_posts.c.claimed_at
                                                    - timedelta(minutes=minutes)))


@pytest.mark.parametrize("history_kept", [True, False])
def test_a_post_sent_but_not_recorded_is_found_not_sent_again(fake_slack: FakeSlack, client: WebClient, caddie,
                                                             tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             history_kept: bool) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    day = caddie.as_of + timedelta(days=1)
    with monkeypatch.context() as patch:
        _crash_after_posting(patch)
        with pytest.raises(SystemExit):
            jobs.post_daily_forecasts(client, caddie, engine, CHANNEL, day, top_n=3)
    [first] = fake_slack.calls("chat.postMessage")
    assert post_status(engine, jobs.JOB, CHANNEL, day) != POSTED
    _age_claims(engine)
    if not history_kept:  # control: without the message in the history, the next run posts again
        fake_slack.history.clear()
    ts = jobs.post_daily_forecasts(client, caddie, engine, CHANNEL, day, top_n=3)
    posts = fake_slack.calls("chat.postMessage")
    assert len(posts) == (1 if history_kept else 2)
    assert post_status(engine, jobs.JOB, CHANNEL, day) == POSTED
    assert fake_slack.calls("conversations.history")[-1].payload["include_all_metadata"] in (True, "1", "true")
    if history_kept:
        assert ts == fake_slack.history[CHANNEL][0]["ts"]


def test_a_message_by_someone_else_with_the_marker_is_not_taken_for_the_post(fake_slack: FakeSlack,
                                                                            client: WebClient, caddie) -> None:
    day = caddie.as_of + timedelta(days=1)
    fake_slack.add_message(CHANNEL, {"type": "message", "ts": "1999999999.000001", "user": "U0BOB",
                                     "text": "copied", "metadata": post_metadata(jobs.JOB, CHANNEL, day)})
    assert find_posted(client, jobs.JOB, CHANNEL, day) is None
    assert MARKER_EVENT == post_metadata(jobs.JOB, CHANNEL, day)["event_type"]


def test_history_unreadable_posts_anyway(fake_slack: FakeSlack, client: WebClient, caddie, tmp_path: Path) -> None:
    fake_slack.fail("conversations.history", "missing_scope")
    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    day = caddie.as_of + timedelta(days=1)
    assert jobs.post_daily_forecasts(client, caddie, engine, CHANNEL, day, top_n=3) is not None
    assert len(fake_slack.calls("chat.postMessage")) == 1
