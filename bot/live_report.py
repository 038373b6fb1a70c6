"""Live accuracy told to people: the logistics post's opening line ("prévu X, vendu Y"), the Home tab's figures,
and the alerts to the logistics channel when the forecasts degrade or the sales stop arriving.

Alerts go out at most once per day and kind (claimed like the posts, :mod:`bot.post_claims`): after each model
refresh (when new sales arrive, or fail to) and before the daily post.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot import rendering
from bot.home_rendering import HomeAccuracy
from bot.i18n import fmt_date, fmt_percent, fmt_quantity, t
from bot.post_claims import claim, mark_posted, release
from ml import live_accuracy
from ml.results import Scope

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from ml.service import Caddie

log = logging.getLogger(__name__)

ALERT_WINDOW_DAYS = 7
ALERT_MIN_FORECASTS = 5  # fewer scored forecasts over the window say too little to raise an alarm


@lru_cache(maxsize=8)
def engine_for(database_url: str) -> Engine:
    """One engine per database for the process, with the bot's and the live-accuracy tables created."""
    from bot.database import make_engine

    engine = make_engine(database_url)
    live_accuracy.create_tables(engine)
    return engine


def yesterday_line(engine: Engine, day: date, lang: str, scope: Scope | None = None) -> str | None:
    """ "Hier (…) : prévu X, vendu Y — écart de Z % en moyenne" for the forecasts served for ``day`` - 1 in
    ``scope`` (default: the chain); None when none was served or its sales are not known yet. Never raises."""
    from ml.scopes import key

    level, name = key(scope or Scope())
    yesterday = day - timedelta(days=1)
    try:
        live_accuracy.create_tables(engine)
        summary = live_accuracy.accuracy(engine, yesterday, yesterday, scope_level=level, scope_name=name)
    except (SQLAlchemyError, OSError) as exc:
        log.warning("yesterday's accuracy unavailable: %s", type(exc).__name__)
        return None
    if summary.n == 0 or summary.wape is None:
        return None
    return t("live.yesterday", lang, day=fmt_date(yesterday, lang, "day"),
             forecast=fmt_quantity(summary.forecast, lang), sold=fmt_quantity(summary.sold, lang),
             error=fmt_percent(summary.wape, lang))


def with_opening(text: str, blocks: list[dict], line: str | None) -> tuple[str, list[dict]]:
    """The post with ``line`` right under its header (or first, without one)."""
    if not line:
        return text, blocks
    at = 1 if blocks and blocks[0].get("type") == "header" else 0
    title, _, rest = text.partition("\n")
    text = f"{title}\n{line}\n{rest}" if at else f"{line}\n{text}"
    return text, [*blocks[:at], rendering._section(line), *blocks[at:]]


def home_accuracy(engine: Engine, today: date) -> HomeAccuracy | None:
    """Yesterday's accuracy and the last 28 days' (all scopes); None when nothing was ever scored. Never raises."""
    yesterday = today - timedelta(days=1)
    try:
        if live_accuracy.last_scored_day(engine) is None:
            return None
        return HomeAccuracy(
            day=yesterday,
            yesterday=(lambda s: s if s.n else None)(live_accuracy.accuracy(engine, yesterday, yesterday)),
            weeks=live_accuracy.weekly(engine, yesterday, 4),
            month=live_accuracy.accuracy(engine, yesterday - timedelta(days=27), yesterday),
        )
    except (SQLAlchemyError, OSError) as exc:
        log.warning("live accuracy unavailable for the Home tab: %s", type(exc).__name__)
        return None


@dataclass(frozen=True)
class AlertSettings:
    channel: str
    wape_threshold: float  # ACCURACY_ALERT_WAPE
    stale_days: int  # SALES_STALE_DAYS
    lang: str = "fr"


def due_alerts(engine: Engine, caddie: Caddie, today: date, settings: AlertSettings) -> list[tuple[str, str]]:
    """The alerts due ``today``: (kind, message). Sales older than ``stale_days``; the realised WAPE of the
    last 7 days (ending yesterday) above ``wape_threshold`` over at least :data:`ALERT_MIN_FORECASTS`."""
    lang, alerts = settings.lang, []
    live_accuracy.create_tables(engine)
    age = (today - caddie.as_of).days
    if age > settings.stale_days:
        alerts.append(("alert_stale", t("alert.stale", lang, as_of=fmt_date(caddie.as_of, lang), days=age,
                                        limit=settings.stale_days)))
    end = today - timedelta(days=1)
    summary = live_accuracy.accuracy(engine, end - timedelta(days=ALERT_WINDOW_DAYS - 1), end)
    if summary.n >= ALERT_MIN_FORECASTS and summary.wape is not None and summary.wape > settings.wape_threshold:
        alerts.append(("alert_accuracy", t("alert.accuracy", lang, error=fmt_percent(summary.wape, lang),
                                           threshold=fmt_percent(settings.wape_threshold, lang))))
    return alerts


def send_alerts(client: WebClient, engine: Engine, caddie: Caddie, today: date, settings: AlertSettings) -> list[str]:
    """Posts the alerts due today that were not posted yet; returns their kinds. Never raises."""
    sent = []
    try:
        alerts = due_alerts(engine, caddie, today, settings)
    except (SQLAlchemyError, OSError) as exc:
        log.error("alerts not checked: %s", type(exc).__name__)
        return sent
    for kind, message in alerts:
        try:
            if not claim(engine, kind, settings.channel, today):
                continue
        except (SQLAlchemyError, OSError) as exc:
            log.error("alert %s not claimed: %s", kind, type(exc).__name__)
            continue
        try:
            text, blocks = rendering.notice_blocks(message, settings.lang)
            ts = client.chat_postMessage(channel=settings.channel, text=text, blocks=blocks).get("ts")
        except Exception as exc:  # noqa: BLE001 - released: the next check retries
            release(engine, kind, settings.channel, today)
            log.error("alert %s not posted to %s: %s", kind, settings.channel, type(exc).__name__)
            continue
        mark_posted(engine, kind, settings.channel, today, ts)
        log.warning("alert %s posted to %s", kind, settings.channel)
        sent.append(kind)
    return sent
