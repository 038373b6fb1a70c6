"""A local stand-in for Slack: the Web API methods caddie calls, file uploads and ``response_url`` webhooks.

Runs a ThreadingHTTPServer on 127.0.0.1 (free port) and records every request. It can be told to
answer 429 (with ``Retry-After``) a number of times, or to fail a method with a Slack error code.
Messages posted with ``chat.postMessage`` are kept per channel and answered by ``conversations.history``
(newest first, ``oldest``/``latest``/``limit``/``cursor``, ``metadata`` with ``include_all_metadata``).

    fake = FakeSlack().start()
    client = WebClient(token="xoxb-test", base_url=fake.api_url)
    ...
    fake.wait_for("chat.postMessage")
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest


@dataclass(frozen=True)
class Recorded:
    method: str  # HTTP verb
    path: str
    headers: dict[str, str]
    body: bytes
    status: int  # what the fake answered

    @property
    def api_method(self) -> str | None:
        """``chat.postMessage`` for ``/api/chat.postMessage``, else None."""
        return self.path.split("?")[0][len("/api/"):] if self.path.startswith("/api/") else None

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def payload(self) -> dict[str, Any]:
        """The JSON or form body as a dict (form values unwrapped when single; JSON-looking values decoded)."""
        if not self.body:
            return {}
        if "application/json" in self.content_type:
            return json.loads(self.body)
        form = {k: v[0] if len(v) == 1 else v for k, v in parse_qs(self.body.decode("utf-8")).items()}
        for key, value in form.items():
            if isinstance(value, str) and value[:1] in "[{":
                try:
                    form[key] = json.loads(value)
                except ValueError:
                    pass
        return form


@dataclass
class _Fault:
    status: int = 200
    error: str | None = None  # Slack error code in an ok=false body
    retry_after: int | None = None
    remaining: int | None = None  # None: forever


@dataclass
class FakeSlack:
    records: list[Recorded] = field(default_factory=list)
    usergroups: dict[str, list[str]] = field(default_factory=dict)  # usergroups.users.list: group id -> user ids
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # channel -> top-level messages, oldest first

    def __post_init__(self) -> None:
        self._lock = threading.RLock()
        self._arrived = threading.Condition(self._lock)
        self._faults: dict[str, _Fault] = {}
        self._ids = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                self._serve()

            def do_POST(self) -> None:
                self._serve()

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, payload = fake._answer(self.path, body)
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                fake._record(Recorded(self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                                      body, status))

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-slack", daemon=True)

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    @property
    def api_url(self) -> str:
        return self.url + "api/"

    def response_url(self, key: str = "r1") -> str:
        return f"{self.url}response/{key}"

    # -- behaviour --------------------------------------------------------------------------------
    def rate_limit(self, api_method: str, times: int, retry_after: int = 1) -> None:
        """Answer HTTP 429 with ``Retry-After`` to the next ``times`` calls of ``api_method``."""
        with self._lock:
            self._faults[api_method] = _Fault(status=429, retry_after=retry_after, remaining=times)

    def fail(self, api_method: str, error: str, times: int | None = None) -> None:
        """Answer ``{"ok": false, "error": error}`` to ``api_method`` (``times`` calls, or always)."""
        with self._lock:
            self._faults[api_method] = _Fault(error=error, remaining=times)

    # -- inspection -------------------------------------------------------------------------------
    def calls(self, api_method: str | None = None, *, path_prefix: str | None = None) -> list[Recorded]:
        with self._lock:
            found = list(self.records)
        if api_method is not None:
            found = [r for r in found if r.api_method == api_method]
        if path_prefix is not None:
            found = [r for r in found if r.path.startswith(path_prefix)]
        return found

    def wait_for(self, api_method: str | None = None, *, path_prefix: str | None = None, count: int = 1,
                 timeout: float = 15.0) -> list[Recorded]:
        """Wait (woken by each recorded request) until at least ``count`` matching requests arrived; fail the
        test on timeout."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self._matching(api_method, path_prefix)) >= count, timeout)
        found = self.calls(api_method, path_prefix=path_prefix)
        if len(found) < count:
            seen = [r.path for r in self.calls()]
            raise AssertionError(f"waited {timeout}s for {count} x {api_method or path_prefix}; saw {seen}")
        return found

    def _matching(self, api_method: str | None, path_prefix: str | None) -> list[Recorded]:
        return [r for r in self.records if (api_method is None or r.api_method == api_method)
                and (path_prefix is None or r.path.startswith(path_prefix))]

    # -- internals --------------------------------------------------------------------------------
    def _record(self, recorded: Recorded) -> None:
        with self._arrived:
            self.records.append(recorded)
            self._arrived.notify_all()

    def _take_fault(self, api_method: str) -> _Fault | None:
        with self._lock:
            fault = self._faults.get(api_method)
            if fault is None:
                return None
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    del self._faults[api_method]
            return fault

    def _answer(self, path: str, body: bytes) -> tuple[int, dict[str, str], dict | bytes]:
        route = path.split("?")[0]
        if route.startswith("/response/"):
            return 200, {"Content-Type": "text/plain"}, b"ok"
        if route.startswith("/upload/"):
            return 200, {"Content-Type": "text/plain"}, f"OK - {len(body)}".encode()
        if not route.startswith("/api/"):
            return 404, {}, b"not found"
        api_method = route[len("/api/"):]
        json_headers = {"Content-Type": "application/json; charset=utf-8"}
        fault = self._take_fault(api_method)
        if fault is not None and fault.status == 429:
            return 429, {**json_headers, "Retry-After": str(fault.retry_after)}, {"ok": False, "error": "ratelimited"}
        if fault is not None and fault.error:
            return 200, json_headers, {"ok": False, "error": fault.error}
        if api_method == "usergroups.users.list":
            return 200, json_headers, self._usergroup_members(path, body)
        if api_method == "conversations.history":
            return 200, json_headers, self._history(_params(path, body))
        return 200, json_headers, self._ok_body(api_method, body)

    def _ok_body(self, api_method: str, body: bytes) -> dict[str, Any]:
        n = next(self._ids)
        if api_method == "auth.test":
            return {"ok": True, "url": "https://caddie-test.slack.com/", "team": "caddie", "user": "caddie",
                    "team_id": "T0TEST", "user_id": "U0BOT", "bot_id": "B0BOT"}
        if api_method == "chat.postMessage":
            params = _params("", body)
            ts = f"{int(time.time())}.{n:06d}"
            self._keep_message(params, ts)
            return {"ok": True, "channel": params.get("channel"), "ts": ts, "message": {"type": "message"}}
        if api_method in ("views.publish", "views.open", "views.update"):
            return {"ok": True, "view": {"id": f"V{n:06d}"}}
        if api_method == "files.getUploadURLExternal":
            return {"ok": True, "upload_url": f"{self.url}upload/F{n:06d}", "file_id": f"F{n:06d}"}
        if api_method == "files.completeUploadExternal":
            return {"ok": True, "files": [{"id": f"F{n:06d}", "title": "chart"}]}
        return {"ok": True}

    def _keep_message(self, params: dict[str, Any], ts: str) -> None:
        """A posted message, as ``conversations.history`` shows it (thread replies are not top-level)."""
        if params.get("thread_ts") or not params.get("channel"):
            return
        message = {"type": "message", "ts": ts, "text": params.get("text", ""), "bot_id": "B0BOT",
                   "user": "U0BOT", "blocks": params.get("blocks") or []}
        if params.get("metadata"):
            message["metadata"] = params["metadata"]
        with self._lock:
            self.history.setdefault(str(params["channel"]), []).append(message)

    def add_message(self, channel: str, message: dict[str, Any]) -> None:
        """A message in ``channel``'s history that the bot did not post through this fake (e.g. a person's)."""
        with self._lock:
            self.history.setdefault(channel, []).append(message)

    def _history(self, params: dict[str, Any], page_size: int = 100) -> dict[str, Any]:
        with self._lock:
            messages = list(self.history.get(str(params.get("channel")), []))
        oldest, latest = float(params.get("oldest") or 0), float(params.get("latest") or "inf")
        found = [m for m in reversed(messages) if oldest <= float(m["ts"]) <= latest]
        if str(params.get("include_all_metadata", "")).lower() not in ("1", "true"):
            found = [{k: v for k, v in m.items() if k != "metadata"} for m in found]
        start = int(params.get("cursor") or 0)
        limit = min(int(params.get("limit") or page_size), page_size)
        chunk, more = found[start:start + limit], len(found) > start + limit
        return {"ok": True, "messages": chunk, "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    def _usergroup_members(self, path: str, body: bytes) -> dict[str, Any]:
        """``usergroups.users.list``: the members set in :attr:`usergroups` (query string, form or JSON)."""
        query = parse_qs(path.partition("?")[2])
        try:
            params = json.loads(body) if body else {}
        except ValueError:
            params = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        group = (query.get("usergroup") or [params.get("usergroup", "")])[0]
        with self._lock:
            members = self.usergroups.get(group)
        if members is None:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": list(members)}


def _params(path: str, body: bytes) -> dict[str, Any]:
    """A Web API call's arguments: query string, then the JSON or form body (JSON-looking form values decoded)."""
    params: dict[str, Any] = {k: v[0] for k, v in parse_qs(path.partition("?")[2]).items()}
    if not body:
        return params
    try:
        decoded = json.loads(body)
    except ValueError:
        decoded = {k: v[0] for k, v in parse_qs(body.decode("utf-8")).items()}
    for key, value in decoded.items():
        if isinstance(value, str) and value[:1] in "[{":
            try:
                value = json.loads(value)
            except ValueError:
                pass
        params[key] = value
    return params


@pytest.fixture(name="fake_slack")
def fake_slack_fixture() -> Iterator[FakeSlack]:
    """A started :class:`FakeSlack`; import this function into a test module to use the ``fake_slack`` fixture."""
    fake = FakeSlack().start()
    try:
        yield fake
    finally:
        fake.stop()

