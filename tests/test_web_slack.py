"""Slack through the web service on uvicorn: signed commands, replays, retries, idle and half-open clients."""

from __future__ import annotations

import socket
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.fake_slack import FakeSlack, fake_slack_fixture  # noqa: F401 - the fake_slack fixture
from tests.test_slack_app import Bot, bot_settings
from tests.web_harness import command_form, serve_web, signed_post


@pytest.fixture
def web_bot(fake_slack: FakeSlack, caddie, tmp_path: Path) -> Iterator[Bot]:
    with serve_web(bot_settings(fake_slack, caddie, tmp_path), caddie, fake_slack,
                   http_header_timeout_seconds=1.0) as running:
        yield running


def _word(caddie) -> str:  # noqa: ANN001
    return caddie.products(1)[0].name.split()[0].lower()


def test_a_signed_command_gets_its_ack_and_its_answer(web_bot: Bot, caddie) -> None:
    status, body = signed_post(web_bot.url, command_form(web_bot.fake, f"{_word(caddie)} demain"))
    assert (status, body) == (200, "")
    [answer] = web_bot.fake.wait_for(path_prefix="/response/r1")
    assert answer.payload["response_type"] == "in_channel" and answer.payload["blocks"]


def test_a_bad_signature_is_refused(web_bot: Bot, caddie) -> None:
    form = command_form(web_bot.fake, _word(caddie))
    status, _ = signed_post(web_bot.url, form, headers={"X-Slack-Signature": "v0=" + "0" * 64})
    assert status == 401
    web_bot.settle()
    assert web_bot.fake.calls(path_prefix="/response/") == []


def test_a_replayed_request_is_answered_once(web_bot: Bot, caddie) -> None:
    form, at = command_form(web_bot.fake, f"{_word(caddie)} demain"), int(time.time())
    assert [signed_post(web_bot.url, form, timestamp=at)[0] for _ in range(3)] == [200, 200, 200]
    web_bot.fake.wait_for(path_prefix="/response/r1")
    web_bot.settle()
    assert len(web_bot.fake.calls(path_prefix="/response/r1")) == 1
    # the same command typed again (a new timestamp) is a new request, answered
    assert signed_post(web_bot.url, form, timestamp=at + 1)[0] == 200
    web_bot.fake.wait_for(path_prefix="/response/r1", count=2)


def test_a_slack_retry_is_acked_without_running_the_handler(web_bot: Bot, caddie) -> None:
    form = command_form(web_bot.fake, f"{_word(caddie)} demain", key="retry")
    status, body = signed_post(web_bot.url, form, headers={"X-Slack-Retry-Num": "1",
                                                           "X-Slack-Retry-Reason": "http_timeout"})
    assert (status, body) == (200, "")
    web_bot.settle()
    assert web_bot.fake.calls(path_prefix="/response/retry") == []


def _half_open(url: str, data: bytes) -> socket.socket:
    parsed = urlparse(url)
    sock = socket.create_connection((parsed.hostname, parsed.port), timeout=5)
    sock.sendall(data)
    return sock


def test_a_half_open_and_an_idle_connection_block_nobody(web_bot: Bot, caddie) -> None:
    half = _half_open(web_bot.url, b"POST /slack/events HTTP/1.1\r\nHost: caddie\r\nContent-Le")
    idle = _half_open(web_bot.url, b"")
    try:
        status, _ = signed_post(web_bot.url, command_form(web_bot.fake, f"{_word(caddie)} demain"))
        assert status == 200
        web_bot.fake.wait_for(path_prefix="/response/r1")
        base = web_bot.url.rsplit("/slack/events", 1)[0]
        with urllib.request.urlopen(f"{base}/openapi.json", timeout=5) as response:
            assert response.status == 200
        # the half-sent head is cut off by the head deadline (1 s here): the server closes the connection
        half.settimeout(10)
        assert half.recv(1024) == b""
    finally:
        half.close()
        idle.close()
