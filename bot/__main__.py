"""``python -m bot``: starts caddie in Socket Mode, over HTTP, or as a local console (no Slack token).

    python -m bot                                  # mode from the tokens present (MODE=auto)
    python -m bot --mode console
    python -m bot --once "/forecast yaourt demain"  # one answer, then exit
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from pydantic import ValidationError

from bot.settings import BotSettings, ConfigError

log = logging.getLogger("bot")


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot", description="caddie, the store teams' Slack bot")
    parser.add_argument("--mode", choices=["auto", "http", "socket", "console"], help="default: MODE (auto)")
    parser.add_argument("--once", metavar="TEXT", help='answer one command, e.g. "/forecast yaourt demain", and exit')
    parser.add_argument("--charts-dir", type=Path, help="where the console saves charts (default: CHARTS_DIR)")
    return parser.parse_args(argv)


def _settings_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first.get("loc", ())).upper()
    return f"invalid setting {field}: {first.get('msg')}"


def _load_caddie():  # noqa: ANN202 - (LiveCaddie, refresh callable); ml imported lazily (heavy imports)
    from bot.refresh import LiveCaddie, refresh_models
    from ml.service import Caddie
    from ml.settings import MLSettings
    from ml.train import ensure_trained, train_all

    settings = MLSettings()

    def load(model_dir: Path) -> Caddie:
        return Caddie.load(model_dir, horizon_days=settings.forecast_horizon_days)

    live = LiveCaddie(load(ensure_trained(settings)))
    return live, lambda: refresh_models(live, lambda: train_all(settings).model_dir, load)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    try:
        overrides = {k: v for k, v in {"mode": args.mode, "charts_dir": args.charts_dir}.items() if v is not None}
        settings = BotSettings(**overrides)
        logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        mode = "console" if args.once is not None else settings.resolved_mode()
    except ValidationError as exc:
        print(f"caddie: {_settings_error(exc)}", file=sys.stderr)
        return 2
    except ConfigError as exc:
        print(f"caddie: {exc}", file=sys.stderr)
        return 2

    from bot.errors import user_message
    from ml.errors import CaddieError

    try:
        caddie, refresh = _load_caddie()
    except CaddieError as exc:
        print(f"caddie: {user_message(exc, settings.language)}", file=sys.stderr)
        return 1

    if mode == "console":
        return _run_console(settings, caddie.current(), args.once)

    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackClientError

    from bot.app import create_app

    try:
        app = create_app(settings, caddie)
    except (BoltError, SlackClientError) as exc:  # e.g. auth.test refused the token, or Slack unreachable
        print(f"caddie: cannot start the Slack app: {exc}", file=sys.stderr)
        return 2
    from bot.jobs import start_scheduler

    start_scheduler(settings, app.client, caddie, refresh=refresh)
    if settings.refresh_cron:
        log.info("models retrained on %r (%s)", settings.refresh_cron, settings.timezone)
    if settings.logistics_channel:
        log.info("daily forecast to %s on %r (%s)", settings.logistics_channel, settings.forecast_cron,
                 settings.timezone)
    if mode == "socket":
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        SocketModeHandler(app, settings.slack_app_token).start()
    else:
        app.start(port=settings.port)
    return 0


def _run_console(settings: BotSettings, caddie, once: str | None) -> int:  # noqa: ANN001 - ml.service.Caddie
    from bot.console import Console

    console = Console(caddie, sys.stdout, lang=settings.language, today=settings.current_day(),
                      charts_dir=settings.charts_dir)
    if once is not None:
        console.run_line(once)
        return 0
    return console.loop(sys.stdin, prompt=sys.stdin.isatty())


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
