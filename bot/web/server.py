"""Runs the web service on uvicorn, configured so that no client can hold the others up.

- uvicorn's event loop reads every connection concurrently (no accept backlog of 5, no one-thread server);
- a connection idle between requests is closed after ``HTTP_KEEPALIVE_SECONDS``; a client that sends half a
  request head waits alone (uvicorn reads it without blocking) and is closed after ``HTTP_HEADER_TIMEOUT_SECONDS``;
- Slack dispatch and the service's answers run in worker threads (``HTTP_WORKER_THREADS``);
- over ``HTTP_MAX_CONNECTIONS`` connections, new requests get 503 at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from bot.web.protocol import with_head_timeout
from bot.web.settings import WebSettings

log = logging.getLogger(__name__)


def uvicorn_config(app: FastAPI, web: WebSettings, *, host: str | None = None, port: int = 0) -> uvicorn.Config:
    return uvicorn.Config(
        app, host=host or web.api_host, port=port, log_level="warning", access_log=False,
        timeout_keep_alive=int(max(1, web.http_keepalive_seconds)), limit_concurrency=web.http_max_connections,
        backlog=2048, lifespan="off", http=with_head_timeout(web.http_header_timeout_seconds),
    )


def serve_forever(app: FastAPI, web: WebSettings, *, port: int) -> None:
    """Serves ``app`` on ``port`` until interrupted (``python -m bot`` in HTTP mode or with ``API_PORT``)."""
    log.info("web service on %s:%d (Slack: /slack/events, API: /v1, docs: /docs)", web.api_host, port)
    server = uvicorn.Server(uvicorn_config(app, web, port=port))
    server.run()


@contextmanager
def running(app: FastAPI, web: WebSettings | None = None, *, host: str = "127.0.0.1") -> Iterator[str]:
    """``app`` on a free local port in a background thread for the block (tests, probes): yields its base URL."""
    server = uvicorn.Server(uvicorn_config(app, web or WebSettings(_env_file=None), host=host, port=0))
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the web service did not start")
        threading.Event().wait(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


