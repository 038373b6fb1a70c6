"""Settings of the web service (from the environment and ``.env``, like :class:`bot.settings.BotSettings`).

``API_PORT`` turns the REST API on: ``python -m bot`` then serves it (with ``/slack/events`` in HTTP mode) on
that port; in HTTP mode without ``API_PORT`` everything is served on ``PORT``.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # the REST API's port; None: no API unless MODE=http (then on PORT)
    api_port: int | None = Field(default=None, ge=1, le=65535)
    # the interface to listen on (0.0.0.0: every interface; 127.0.0.1 behind a reverse proxy)
    api_host: str = "0.0.0.0"
    # per API key: a bucket of API_RATE_BURST requests refilled at API_RATE_PER_SECOND (429 + Retry-After beyond)
    api_rate_per_second: float = Field(default=20.0, gt=0)
    api_rate_burst: int = Field(default=40, ge=1)
    # a connection idle this long between requests is closed (uvicorn keep-alive timeout)
    http_keepalive_seconds: float = Field(default=5.0, gt=0)
    # a client slower than this to send its request head is cut off (h11 / httptools read timeout)
    http_header_timeout_seconds: float = Field(default=10.0, gt=0)
    # at most this many connections at once; more get 503 at once rather than queueing forever
    http_max_connections: int = Field(default=1000, ge=1)
    # threads running Slack dispatch and the service's answers
    http_worker_threads: int = Field(default=40, ge=1)
