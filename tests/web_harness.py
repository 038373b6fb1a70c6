"""The web service for tests: the real app on the session's trained models, API keys in a temporary database."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI
from slack_sdk.signature import SignatureVerifier

from bot.api_keys import ApiKeys
from bot.app import create_app
from bot.refresh import FixedCaddie
from bot.settings import BotSettings
from bot.web.app import create_web_app
from bot.web.server import running
from bot.web.settings import WebSettings
from tests.fake_slack import FakeSlack
from tests.test_slack_app import CHANNEL, SECRET, USER, Bot, TrackedExecutor


@dataclass
class Service:
    app: FastAPI
    keys: ApiKeys
    settings: BotSettings

    def key(self, scopes: str = "products", name: str = "test") -> str:
        return self.keys.create(name, scopes)[0]


def web_service(caddie, tmp_path: Path, *, slack_app: Any = None, **web: Any) -> Service:  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'caddie.db'}"
    settings = BotSettings(_env_file=None, database_url=url, today=caddie.as_of)
    keys = ApiKeys(url)
    app = create_web_app(settings, FixedCaddie(caddie), web=WebSettings(_env_file=None, **web), keys=keys,
                         slack_app=slack_app)
    return Service(app, keys, settings)


@contextmanager
def serve_web(settings: BotSettings, caddie, fake: FakeSlack, **web: Any) -> Iterator[Bot]:  # noqa: ANN001
    """The whole web service (Slack through Bolt's adapter, the REST API) on uvicorn in a thread, for the block."""
    executor = TrackedExecutor()
    slack_app = create_app(settings, FixedCaddie(caddie), listener_executor=executor)
    app = create_web_app(settings, FixedCaddie(caddie), web=WebSettings(_env_file=None, **web), slack_app=slack_app)
    try:
        with running(app, WebSettings(_env_file=None, **web)) as url:
            yield Bot(f"{url}/slack/events", fake, executor)
    finally:
        executor.shutdown(wait=True)


def signed_post(url: str, body: str, *, timestamp: int | None = None, headers: dict[str, str] | None = None,
                content_type: str = "application/x-www-form-urlencoded") -> tuple[int, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=str(timestamp), body=body)
    request = urllib.request.Request(url, data=body.encode(), method="POST", headers={
        "Content-Type": content_type, "X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": signature,
        **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def command_form(fake: FakeSlack, text: str, *, key: str = "r1", command: str = "/forecast") -> str:
    return urlencode({"token": "legacy", "team_id": "T0TEST", "team_domain": "caddie", "channel_id": CHANNEL,
                      "channel_name": "magasin", "user_id": USER, "user_name": "alice", "command": command,
                      "text": text, "api_app_id": "A0CADDIE", "response_url": fake.response_url(key),
                      "trigger_id": "13345.42.abcd"})
