"""The real Bolt app over HTTP, with signed requests, talking to a local fake of Slack's Web API."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.signature import SignatureVerifier

from bot import forms
from bot.app import create_app
from bot.refresh import FixedCaddie
from bot.settings import BotSettings
from tests.fake_slack import FakeSlack, Recorded, fake_slack_fixture  # noqa: F401 - the fake_slack fixture

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
CHANNEL, USER = "C0STORE", "U0ALICE"


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class TrackedExecutor(ThreadPoolExecutor):
    """Bolt's listener pool, telling when every submitted listener (ack and lazy phases) has finished."""

    def __init__(self) -> None:
        super().__init__(max_workers=5, thread_name_prefix="listener")
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, fn, /, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201 - Executor.submit
        with self._idle:
            self._pending += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: object) -> None:
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float = 15.0) -> None:
        with self._idle:
            assert self._idle.wait_for(lambda: self._pending == 0, timeout), "listeners still running"


@dataclass
class Bot:
    url: str
    fake: FakeSlack
    listeners: TrackedExecutor

    def settle(self) -> None:
        """Waits until every listener the requests so far started has finished (nothing more will happen)."""
        self.listeners.wait_idle()

    def post(self, body: str, content_type: str, *, secret: str = SECRET, timestamp: int | None = None,
             signature: str | None = None) -> tuple[int, str]:
        timestamp = int(time.time()) if timestamp is None else timestamp
        signature = signature or SignatureVerifier(secret).generate_signature(timestamp=str(timestamp), body=body)
        request = urllib.request.Request(self.url, data=body.encode(), method="POST", headers={
            "Content-Type": content_type, "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": signature})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def command(self, command: str, text: str, *, key: str = "r1", channel: str = CHANNEL, user: str = USER,
                team: str = "T0TEST", **signing: Any) -> tuple[int, str]:
        form = {"token": "legacy", "team_id": team, "team_domain": "caddie", "channel_id": channel,
                "channel_name": "magasin", "user_id": user, "user_name": "alice", "command": command, "text": text,
                "api_app_id": "A0CADDIE", "response_url": self.fake.response_url(key), "trigger_id": "13345.42.abcd"}
        return self.post(urlencode(form), "application/x-www-form-urlencoded", **signing)

    def interaction(self, payload: dict[str, Any]) -> tuple[int, str]:
        return self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    def event(self, event: dict[str, Any]) -> tuple[int, str]:
        body = {"token": "legacy", "team_id": "T0TEST", "api_app_id": "A0CADDIE", "type": "event_callback",
                "event": event, "event_id": "Ev0TEST", "event_time": int(time.time())}
        return self.post(json.dumps(body), "application/json")


def bot_settings(fake_slack: FakeSlack, caddie, tmp_path: Path, **values: Any) -> BotSettings:  # noqa: ANN001
    """Settings of a bot talking to ``fake_slack``; customer answers allowed in :data:`CHANNEL` of T0TEST."""
    defaults: dict[str, Any] = {
        "slack_bot_token": "xoxb-test", "slack_signing_secret": SECRET, "slack_api_url": fake_slack.api_url,
        "today": caddie.as_of + timedelta(days=1), "database_url": f"sqlite:///{tmp_path / 'caddie.db'}",
        "customer_channels": (CHANNEL,), "slack_team_id": "T0TEST"}
    return BotSettings(_env_file=None, **{**defaults, **values})


@contextmanager
def serve(settings: BotSettings, caddie, fake_slack: FakeSlack) -> Iterator[Bot]:  # noqa: ANN001
    """The real Bolt app behind a local WSGI server, for the duration of the block."""
    executor = TrackedExecutor()
    app = create_app(settings, FixedCaddie(caddie), listener_executor=executor)
    server: WSGIServer = make_server("127.0.0.1", 0, SlackRequestHandler(app), handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Bot(f"http://127.0.0.1:{server.server_port}/slack/events", fake_slack, executor)
    finally:
        server.shutdown()
        server.server_close()
        executor.shutdown(wait=True)


@pytest.fixture
def bot(fake_slack: FakeSlack, caddie, tmp_path: Path) -> Iterator[Bot]:
    with serve(bot_settings(fake_slack, caddie, tmp_path), caddie, fake_slack) as running:
        yield running


def _message_text(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False)


def _product_word(caddie) -> str:  # noqa: ANN001
    """A word naming the best-selling product, as a store employee would type it."""
    return caddie.products(1)[0].name.split()[0].lower()


# -- slash commands -------------------------------------------------------------------------------

def test_forecast_is_acked_then_answered_in_channel_with_a_chart(bot: Bot, caddie) -> None:
    started = time.monotonic()
    status, body = bot.command("/forecast", f"{_product_word(caddie)} demain")
    assert status == 200 and body == ""
    assert time.monotonic() - started < 3, "Slack drops commands not acknowledged within 3 s"

    [answer] = bot.fake.wait_for(path_prefix="/response/r1")
    message = answer.payload
    assert message["response_type"] == "in_channel" and message["replace_original"] is False
    assert message["blocks"] and message["text"]

    bot.fake.wait_for("files.completeUploadExternal")
    [get_url] = bot.fake.calls("files.getUploadURLExternal")
    [upload] = bot.fake.calls(path_prefix="/upload/")
    [complete] = bot.fake.calls("files.completeUploadExternal")
    records = bot.fake.calls()
    assert records.index(get_url) < records.index(upload) < records.index(complete)
    assert upload.body.startswith(b"\x89PNG\r\n\x1a\n")
    assert int(get_url.payload["length"]) == len(upload.body)
    assert get_url.payload["filename"].endswith(".png")
    assert complete.payload["channel_id"] == CHANNEL
    assert complete.payload["files"][0]["id"] == upload.path.rsplit("/", 1)[1]
    assert get_url.headers["authorization"] == "Bearer xoxb-test"


def test_unknown_product_gets_a_helpful_ephemeral_message(bot: Bot) -> None:
    status, _ = bot.command("/forecast", "zzqxw demain")
    assert status == 200
    [answer] = bot.fake.wait_for(path_prefix="/response/r1")
    assert answer.payload["response_type"] == "ephemeral"
    assert "zzqxw" in _message_text(answer.payload)
    assert "Traceback" not in _message_text(answer.payload)
    bot.settle()
    assert bot.fake.calls("files.getUploadURLExternal") == []


@pytest.mark.parametrize("command,text", [("/recommend", "client 1"), ("/target", None), ("/predict", "aide")])
def test_every_command_answers(bot: Bot, caddie, command: str, text: str | None) -> None:
    status, _ = bot.command(command, text if text is not None else _product_word(caddie))
    assert status == 200
    [answer] = bot.fake.wait_for(path_prefix="/response/r1")
    assert answer.payload["text"]
    assert answer.payload["response_type"] in ("in_channel", "ephemeral")


def test_a_failed_chart_upload_is_reported_to_the_user(bot: Bot, caddie) -> None:
    bot.fake.fail("files.completeUploadExternal", "not_in_channel")
    status, _ = bot.command("/forecast", _product_word(caddie))
    assert status == 200
    answers = bot.fake.wait_for(path_prefix="/response/r1", count=2)
    assert answers[0].payload["response_type"] == "in_channel"
    assert answers[1].payload["response_type"] == "ephemeral"
    assert "/invite" in answers[1].payload["text"]


@pytest.mark.parametrize("tamper", ["signature", "secret", "old"])
def test_unsigned_or_replayed_requests_are_rejected(bot: Bot, caddie, tamper: str) -> None:
    signing: dict[str, Any] = {
        "signature": {"signature": "v0=" + "0" * 64},
        "secret": {"secret": "not-the-secret"},
        "old": {"timestamp": int(time.time()) - 10 * 60},
    }[tamper]
    status, _ = bot.command("/forecast", _product_word(caddie), **signing)
    assert status == 401
    bot.settle()
    assert bot.fake.calls(path_prefix="/response/") == []
    assert bot.fake.calls(path_prefix="/api/files") == []


# -- modal ----------------------------------------------------------------------------------------

def test_predict_profil_opens_the_modal(bot: Bot) -> None:
    status, _ = bot.command("/predict", "profil")
    assert status == 200
    [opened] = bot.fake.wait_for("views.open")
    assert opened.payload["trigger_id"] == "13345.42.abcd"
    view = opened.payload["view"]
    assert view["type"] == "modal" and view["callback_id"] == forms.PROFILE_CALLBACK_ID
    bot.settle()
    assert bot.fake.calls(path_prefix="/response/") == [], "the modal is the answer"


def test_global_shortcut_opens_the_modal(bot: Bot) -> None:
    status, _ = bot.interaction({"type": "shortcut", "callback_id": "simulate_customer", "trigger_id": "999.1.x",
                                 "team": {"id": "T0TEST"}, "user": {"id": USER}, "token": "legacy"})
    assert status == 200
    [opened] = bot.fake.wait_for("views.open")
    assert opened.payload["view"]["callback_id"] == forms.PROFILE_CALLBACK_ID


def _submission(values: dict[str, str], product: str | None) -> dict[str, Any]:
    def text(block: str, action: str, value: str) -> tuple[str, dict]:
        return block, {action: {"type": "plain_text_input", "value": value}}

    state = dict(text(block, action, values[block]) for block, action in [
        (forms.VISITS_BLOCK, forms.VISITS_ACTION), (forms.LAST_VISIT_BLOCK, forms.LAST_VISIT_ACTION),
        (forms.TIMES_BOUGHT_BLOCK, forms.TIMES_BOUGHT_ACTION), (forms.LAST_BOUGHT_BLOCK, forms.LAST_BOUGHT_ACTION),
        (forms.BASKET_BLOCK, forms.BASKET_ACTION)])
    selected = None if product is None else {"text": {"type": "plain_text", "text": product}, "value": product}
    state[forms.PRODUCT_BLOCK] = {forms.PRODUCT_ACTION: {"type": "static_select", "selected_option": selected}}
    return {"type": "view_submission", "team": {"id": "T0TEST"}, "user": {"id": USER}, "token": "legacy",
            "trigger_id": "1.2.3", "view": {"id": "V0MODAL", "type": "modal", "callback_id": forms.PROFILE_CALLBACK_ID,
                                            "state": {"values": state}}}


GOOD = {forms.VISITS_BLOCK: "6", forms.LAST_VISIT_BLOCK: "3", forms.TIMES_BOUGHT_BLOCK: "2",
        forms.LAST_BOUGHT_BLOCK: "10", forms.BASKET_BLOCK: "35,50"}


def test_modal_submission_with_bad_fields_returns_field_errors(bot: Bot, caddie) -> None:
    bad = {**GOOD, forms.VISITS_BLOCK: "souvent", forms.BASKET_BLOCK: "-3"}
    status, body = bot.interaction(_submission(bad, caddie.products(1)[0].product_id))
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert forms.VISITS_BLOCK in answer["errors"] and forms.BASKET_BLOCK in answer["errors"]
    assert all(isinstance(m, str) and m for m in answer["errors"].values())

    status, body = bot.interaction(_submission(GOOD, None))
    assert json.loads(body)["errors"].keys() == {forms.PRODUCT_BLOCK}


def test_modal_submission_with_good_fields_shows_the_probability(bot: Bot, caddie) -> None:
    status, body = bot.interaction(_submission(GOOD, caddie.products(1)[0].product_id))
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "update"
    assert answer["view"]["type"] == "modal" and answer["view"]["blocks"]


def test_modal_submission_for_an_unknown_product_explains_it(bot: Bot) -> None:
    status, body = bot.interaction(_submission(GOOD, "zzqxw"))
    answer = json.loads(body)
    assert status == 200 and answer["response_action"] == "update"
    assert "zzqxw" in _message_text(answer["view"])


# -- App Home and rate limits ---------------------------------------------------------------------

def test_app_home_publishes_the_home_view_even_when_rate_limited(bot: Bot) -> None:
    bot.fake.rate_limit("views.publish", times=1, retry_after=1)
    status, _ = bot.event({"type": "app_home_opened", "user": USER, "channel": "D0ALICE", "tab": "home",
                           "event_ts": f"{time.time():.6f}"})
    assert status == 200
    attempts: list[Recorded] = bot.fake.wait_for("views.publish", count=2, timeout=20)
    assert [a.status for a in attempts] == [429, 200]
    published = attempts[-1].payload
    assert published["user_id"] == USER and published["view"]["type"] == "home"
