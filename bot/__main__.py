"""``python -m bot``: starts caddie in Socket Mode, over HTTP, or as a local console (no Slack token).

HTTP mode serves Slack (``/slack/events``) through the web service (:mod:`bot.web`, uvicorn) on ``PORT``, with
the REST API; ``API_PORT`` serves the web service on that port in any mode (with Socket Mode beside it, or the
REST API alone when there is no Slack token).

    python -m bot                                  # mode from the tokens present (MODE=auto)
    python -m bot --mode console
    python -m bot --once "/forecast yaourt demain"  # one answer, then exit

A misconfiguration stops it with one line naming the setting, and exit status 2 (:mod:`bot.startup`).
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from bot.logs import configure as configure_logging
from bot.refresh import LiveCaddie
from bot.settings import BotSettings, ConfigError, Mode
from bot.startup import check_database_url, database_problem, load_models, settings_error
from ml.permissions import owner_only_files

log = logging.getLogger("bot")


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot", description="caddie, the store teams' Slack bot")
    parser.add_argument("--mode", choices=["auto", "http", "socket", "console"], help="default: MODE (auto)")
    parser.add_argument("--once", metavar="TEXT", help='answer one command, e.g. "/forecast yaourt demain", and exit')
    parser.add_argument("--charts-dir", type=Path, help="where the console saves charts (default: CHARTS_DIR)")
    return parser.parse_args(argv)


@dataclass(frozen=True)
class Startup:
    settings: BotSettings
    mode: Mode
    caddies: LiveCaddie
    refresh: Callable[[], bool]


def _start(args: argparse.Namespace) -> Startup:
    """Settings, logging, database and models; raises :class:`ConfigError` (one line) on any misconfiguration."""
    from ml.settings import MLSettings

    overrides = {k: v for k, v in {"mode": args.mode, "charts_dir": args.charts_dir}.items() if v is not None}
    try:
        settings = BotSettings(**overrides)
        ml_settings = MLSettings()
    except ValidationError as exc:
        raise settings_error(exc) from None
    configure_logging(settings.log_level)
    mode: Mode = "console" if args.once is not None else settings.resolved_mode()
    if mode != "console":
        settings.check_customer_access()
    check_database_url(settings.database_url)
    problem = database_problem(settings.database_url)
    if problem is not None:
        from ml.registry import is_complete  # joblib, numpy: imported once the settings are known to be good

        if not is_complete(Path(ml_settings.model_dir)):
            raise ConfigError(f"DATABASE_URL: {problem}; the first start trains the models and needs a writable "
                              "database: fix DATABASE_URL or the database")
        log.warning("DATABASE_URL: %s. Answering anyway; the daily post and answers about customers wait for "
                    "the database", problem)
    caddies, refresh = load_models(ml_settings)
    return Startup(settings, mode, caddies, refresh)


def main(argv: list[str] | None = None) -> int:
    owner_only_files()  # the database, models and charts hold customer data: readable by the owner only
    args = _parse_args(argv)
    try:
        started = _start(args)
    except ConfigError as exc:
        print(f"caddie: {exc}", file=sys.stderr)
        return 2
    settings, caddies = started.settings, started.caddies
    from bot.web.settings import WebSettings

    try:
        web = WebSettings()
    except ValidationError as exc:
        print(f"caddie: {settings_error(exc)}", file=sys.stderr)
        return 2
    if started.mode == "console":
        if args.once is None and web.api_port is not None:
            return _serve_api_only(settings, web, started)
        return _run_console(settings, caddies.current(), args.once)

    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackClientError

    from bot.app import create_app

    try:
        app = create_app(settings, caddies)
    except (BoltError, SlackClientError) as exc:  # e.g. auth.test refused the token, or Slack unreachable
        print(f"caddie: cannot start the Slack app with SLACK_BOT_TOKEN / SLACK_API_URL: {exc}", file=sys.stderr)
        return 2
    from bot.jobs import start_scheduler

    start_scheduler(settings, app.client, caddies, refresh=started.refresh)
    if settings.refresh_cron:
        log.info("models retrained on %r (%s)", settings.refresh_cron, settings.timezone)
    if settings.logistics_channel:
        log.info("daily forecast to %s on %r (%s)", settings.logistics_channel, settings.forecast_cron,
                 settings.timezone)
    from bot.web.app import create_web_app
    from bot.web.server import serve_forever

    service = create_web_app(settings, caddies, web=web, slack_app=app)
    if started.mode == "socket":
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        if web.api_port is not None:
            threading.Thread(target=serve_forever, args=(service, web), kwargs={"port": web.api_port},
                             name="web", daemon=True).start()
        SocketModeHandler(app, settings.slack_app_token).start()
    else:
        serve_forever(service, web, port=web.api_port or settings.port)
    return 0


def _serve_api_only(settings: BotSettings, web: WebSettings, started: Startup) -> int:
    """No Slack token but ``API_PORT``: the REST API alone (with the nightly refresh, no daily post)."""
    from bot.jobs import start_scheduler
    from bot.web.app import create_web_app
    from bot.web.server import serve_forever

    if settings.logistics_channel:
        log.warning("LOGISTICS_CHANNEL: no daily post without SLACK_BOT_TOKEN (serving the REST API only)")
    if settings.refresh_cron:  # no Slack client: the refresh only
        start_scheduler(settings.model_copy(update={"logistics_channel": None}), None,  # type: ignore[arg-type]
                        started.caddies, refresh=started.refresh)
    assert web.api_port is not None
    serve_forever(create_web_app(settings, started.caddies, web=web), web, port=web.api_port)
    return 0


def _run_console(settings: BotSettings, caddie, once: str | None) -> int:  # noqa: ANN001 - ml.service.Caddie
    from bot.console import Console
    from bot.customer_gate import console_gate

    console = Console(caddie, sys.stdout, gate=console_gate(settings), lang=settings.language,
                      today=settings.current_day(), charts_dir=settings.charts_dir)
    if once is not None:
        console.run_line(once)
        return 0
    return console.loop(sys.stdin, prompt=sys.stdin.isatty())


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
