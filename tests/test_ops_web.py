"""The operators' routes of the web service: /metrics after signed Slack commands, /healthz, /readyz; JSON logs
carrying the request id and no customer data."""

from __future__ import annotations

import io
import json
import logging
import re
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from slack_sdk.signature import SignatureVerifier

from bot.app import create_app
from bot.logging_json import JsonFormatter, RequestIdFilter, configure
from bot.metrics import REGISTRY
from bot.refresh import FixedCaddie
from bot.web.app import create_web_app
from tests.fake_slack import FakeSlack, fake_slack_fixture  # noqa: F401 - the fake_slack fixture
from tests.test_slack_app import CHANNEL, SECRET, USER, TrackedExecutor, bot_settings


class Service:
    def __init__(self, http: TestClient, listeners: TrackedExecutor, fake: FakeSlack):
        self.http, self.listeners, self.fake = http, listeners, fake

    def command(self, command: str, text: str) -> tuple[int, str]:
        form = {"token": "legacy", "team_id": "T0TEST", "team_domain": "caddie", "channel_id": CHANNEL,
                "channel_name": "magasin", "user_id": USER, "user_name": "alice", "command": command, "text": text,
                "api_app_id": "A0CADDIE", "response_url": self.fake.response_url("r1"), "trigger_id": "1.2.3"}
        body, ts = urlencode(form), str(int(time.time()))
        signature = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body)
        response = self.http.post("/slack/events", content=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature})
        self.listeners.wait_idle()
        return response.status_code, response.headers.get("x-request-id", "")


@pytest.fixture
def service(fake_slack: FakeSlack, caddie, tmp_path: Path) -> Iterator[Service]:
    settings = bot_settings(fake_slack, caddie, tmp_path)
    listeners = TrackedExecutor()
    slack = create_app(settings, FixedCaddie(caddie), listener_executor=listeners)
    app = create_web_app(settings, FixedCaddie(caddie), slack_app=slack)
    with TestClient(app) as http:
        yield Service(http, listeners, fake_slack)
    listeners.shutdown(wait=True)


def sample(metric: str, /, **labels: str) -> float:
    return REGISTRY.get_sample_value(metric, labels) or 0.0


def test_metrics_count_signed_commands_and_expose_the_service(service: Service, caddie) -> None:
    requests = {"kind": "slack", "name": "/forecast", "status": "200"}
    before = sample("caddie_requests_total", **requests)
    latency_before = sample("caddie_request_seconds_count", kind="slack", name="/forecast")
    product = caddie.forecast_top(1)[0].product.name.split()[0]

    assert service.command("/forecast", product)[0] == 200
    assert service.command("/forecast", "zzzz-nothing-like-it")[0] == 200  # acked; the answer says unknown product

    assert sample("caddie_requests_total", **requests) == before + 2
    assert sample("caddie_request_seconds_count", kind="slack", name="/forecast") == latency_before + 2
    body = service.http.get("/metrics").text
    assert 'caddie_requests_total{kind="slack",name="/forecast",status="200"}' in body
    assert 'caddie_errors_total{type="UnknownProduct"}' in body
    assert re.search(r'caddie_model_age_seconds\{task="forecast"\} \d', body)
    assert f"caddie_data_age_days {float((service_today(caddie) - caddie.as_of).days)}" in body
    assert 'caddie_served_forecasts_total{channel="slack:/forecast"}' in body  # the answered forecast was logged
    assert 'caddie_live_scored{window_days="28"} 0.0' in body
    # the HTTP side: counted by route template, never by raw path; the probes are not counted
    service.http.get("/v1/no/such/route")
    assert sample("caddie_requests_total", kind="http", name="GET unmatched", status="404") >= 1
    assert 'name="GET /metrics"' not in service.http.get("/metrics").text


def service_today(caddie):  # noqa: ANN001, ANN201 - the day bot_settings pins
    from datetime import timedelta

    return caddie.as_of + timedelta(days=1)


def test_health_and_readiness(service: Service, fake_slack: FakeSlack, caddie, tmp_path: Path) -> None:
    assert service.http.get("/healthz").json() == {"status": "ok"}
    ready = service.http.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"models": "ok", "database": "ok"}
    # a database that cannot be opened: not ready, naming the setting
    settings = bot_settings(fake_slack, caddie, tmp_path, database_url=f"sqlite:///{tmp_path}/missing/dir/x.db",
                            slack_bot_token=None, slack_signing_secret=None)  # the REST API alone
    (tmp_path / "missing").write_text("a file where the folder should be")
    with TestClient(create_web_app(settings, FixedCaddie(caddie), slack_app=None)) as http:
        down = http.get("/readyz")
    assert down.status_code == 503 and down.json()["checks"]["models"] == "ok"
    assert down.json()["checks"]["database"].startswith("DATABASE_URL:")


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    stream, root = io.StringIO(), logging.getLogger()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_json_logs_carry_the_request_id_and_no_customer_id(service: Service, caddie, json_logs: io.StringIO) -> None:
    customer = max(caddie.customers(), key=len)
    status, rid = service.command("/recommend", customer)
    assert status == 200 and rid
    lines = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    assert lines, "the request was logged"
    mine = [line for line in lines if line["request_id"] == rid]
    # the lazy listener (another thread) logs under the id of the request it answers
    assert any(line["logger"].startswith("bot.") for line in mine), lines
    assert all(set(line) >= {"ts", "level", "logger", "msg", "request_id"} for line in lines)
    assert not re.search(rf"\b{re.escape(customer)}\b", json_logs.getvalue())
    assert service.fake.calls(path_prefix="/response/"), "the customer got an answer"


def test_a_logged_exception_keeps_its_type_and_stack_but_not_its_message() -> None:
    record = logging.LogRecord("bot.x", logging.ERROR, __file__, 1, "failed: %s", ("KeyError",), None)
    customer = "".join(("4242", "42"))  # the stack quotes source lines: the id is not in them
    try:
        raise KeyError(f"customer {customer}")
    except KeyError as exc:
        record.exc_info = (type(exc), exc, exc.__traceback__)
    RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["error"] == "KeyError" and "raise KeyError" in line["stack"] and line["request_id"] == "-"
    assert "424242" not in json.dumps(line)


def test_configure_switches_between_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        configure("INFO", "json")
        configure("INFO", "json")  # idempotent: one handler
        assert sum(getattr(h, "_caddie", False) for h in root.handlers) == 1
        logging.getLogger("bot.test").info("hello %s", "there")
        line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
        assert line["msg"] == "hello there" and line["level"] == "INFO"
    finally:
        for h in list(root.handlers):
            if h not in handlers:
                root.removeHandler(h)
        root.setLevel(level)
