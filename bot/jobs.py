"""The scheduled jobs: the daily demand-forecast post for logistics (at most once per channel and day) and
the model refresh.

APScheduler fires the post on ``FORECAST_CRON`` (crontab syntax and weekdays, in ``TIMEZONE``);
``misfire_grace_time`` and ``coalesce`` cover a late or busy process. What they do not cover -- a restart
after the cron time, or two bot processes running side by side -- is handled with claims
(:mod:`bot.post_claims`) and a catch-up at start-up: when today's cron time has passed (less than
:data:`CATCH_UP_WINDOW` ago) and today's post is missing, the job runs once. When the data cannot forecast
the posting day (too old), a notice is posted instead of another day's figures.
"""

from __future__ import annotations

import logging
import time
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Callable

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from bot import rendering
from bot.channels import ChannelLink, ChannelStores
from bot.cron import cron_trigger, due_day
from bot.database import describe_database_error, is_read_only
from bot.i18n import fmt_date, t
from bot.logistics import channel_stores, post_store_threads, store_post
from bot.post_history import find_posted, post_metadata
from bot.post_claims import POSTED, claim, make_engine, mark_posted, post_status, release
from bot.refresh import CaddieProvider
from bot.settings import BotSettings

from ml.errors import UnknownStore
from ml.results import Store

if TYPE_CHECKING:
    from ml.service import Caddie

log = logging.getLogger(__name__)

JOB = "daily_forecast"
REFRESH_JOB = "refresh_models"
MISFIRE_GRACE_SECONDS = 3600
RETRY_DELAYS = (60.0, 120.0, 300.0, 600.0, 1200.0)  # seconds before each retry when the database fails
CATCH_UP_WINDOW = timedelta(hours=6)  # a morning post found missing later than this after its time is skipped


def post_daily_forecasts(client: WebClient, caddie: Caddie, engine: Engine, channel: str, day: date,
                         lang: str = "fr", top_n: int = 10, link: ChannelLink | None = None) -> str | None:
    """Posts the top-``top_n`` demand forecast to ``channel`` once for ``day``: for the store of its ``link``
    (with its orders), for each of its stores in a thread per store (:mod:`bot.logistics`), or for the chain.

    Returns the message ts, or None when the post was already claimed or done. On any failure the claim is
    released (a later run retries) and the exception propagates, to be logged by the caller.
    """
    stores = _stores(caddie, channel, link) if caddie.reference_day(day) == day else []
    if len(stores) > 1:
        return post_store_threads(client, caddie, engine, channel, day, stores, job=JOB, lang=lang, top_n=top_n)
    if not claim(engine, JOB, channel, day):
        log.info("daily forecast for %s in %s already claimed or posted: skipped", day, channel)
        return None
    try:
        found = find_posted(client, JOB, channel, day)  # sent by a run that died before recording it
        if found is not None:
            log.warning("daily forecast for %s was in %s already (ts %s) but not recorded: recorded, not posted "
                        "again", day, channel, found)
            _record_posted(engine, channel, day, found)
            return found
        text, blocks = logistics_message(caddie, day, lang, top_n, store=stores[0] if stores else None)
        response = client.chat_postMessage(channel=channel, text=text, blocks=blocks,
                                           metadata=post_metadata(JOB, channel, day))
    except BaseException:
        release(engine, JOB, channel, day)
        raise
    ts = response.get("ts")
    _record_posted(engine, channel, day, ts)
    log.info("daily forecast for %s posted to %s (ts %s)", day, channel, ts)
    return ts


def _stores(caddie: Caddie, channel: str, link: ChannelLink | None) -> list[Store]:
    """The channel's stores; a store the service does not know is left out with one line naming the setting."""
    if link is None or link.is_chain:
        return []
    try:
        return channel_stores(caddie, link)
    except UnknownStore as exc:
        log.error("channel %s is linked to an unknown store %r (CHANNEL_STORES or /caddie magasin): posting for "
                  "the other stores", channel, exc.query)
        return [s for s in (_known(caddie, q) for q in link.stores) if s is not None]


def _known(caddie: Caddie, query: str) -> Store | None:
    try:
        return caddie.resolve_store(query)
    except UnknownStore:
        return None


def logistics_message(caddie: Caddie, day: date, lang: str, top_n: int, store: Store | None = None
                      ) -> tuple[str, list[dict]]:
    """The post for ``day``: its forecasts (and, for a ``store``, its orders), or a notice when the data is too old
    (or too new) to forecast it.

    Posting another day's figures under today's date would mislead; the notice says what to do instead.
    """
    if caddie.reference_day(day) != day:
        log.warning("data ends %s: no forecast for %s, posting a notice", caddie.as_of, day)
        message = t("logistics.stale", lang, day=fmt_date(day, lang), as_of=fmt_date(caddie.as_of, lang))
        return rendering.notice_blocks(message, lang)
    if store is not None:
        post = store_post(caddie, store, day, lang, top_n)
        return post.text, post.blocks
    return rendering.logistics_blocks(caddie.forecast_top(top_n, day), day, lang)


def _record_posted(engine: Engine, channel: str, day: date, ts: str | None, attempts: int = 3) -> None:
    """Marks the claim as posted; the message is out, so a failure here is retried, then logged, never released."""
    for attempt in range(1, attempts + 1):
        try:
            mark_posted(engine, JOB, channel, day, ts)
            return
        except DBAPIError as exc:
            if attempt == attempts:
                log.error("posted %s to %s (ts %s) but could not record it: %s", day, channel, ts, exc, exc_info=exc)
                return
            time.sleep(0.5 * attempt)


class DailyPost:
    """The scheduled post of today's forecast (in ``TIMEZONE``); errors are logged, never raised.

    When the database is down or read-only (the claim cannot be written), the post is retried after
    :data:`RETRY_DELAYS`; a read-only database is reported in the logistics channel at the first failure, an
    unreachable one when the retries are exhausted. A database down at start-up is connected to later.
    """

    def __init__(self, client: WebClient, caddies: CaddieProvider, settings: BotSettings,
                 engine: Engine | None = None, retry_delays: tuple[float, ...] = RETRY_DELAYS):
        assert settings.logistics_channel is not None
        self.client, self.caddies, self.settings = client, caddies, settings
        self.channel: str = settings.logistics_channel
        self.retry_delays = retry_delays
        self.scheduler: BackgroundScheduler | None = None  # set by start_scheduler, for the retries
        self._engine = engine
        self._reported: set[tuple[date, str]] = set()

    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.settings.database_url)
        return self._engine

    def run(self, attempt: int = 0) -> str | None:
        settings, day = self.settings, self.settings.current_day()
        try:
            link = ChannelStores.from_settings(settings.database_url, settings.channel_stores,
                                               self.engine()).link_of(self.channel)
            return post_daily_forecasts(self.client, self.caddies.current(), self.engine(), self.channel, day,
                                        settings.language, settings.forecast_top_n, link)
        except (SQLAlchemyError, OSError) as exc:
            self._database_failed(exc, day, attempt)
        except Exception as exc:  # noqa: BLE001 - a scheduler thread has nobody to raise to
            log.error("daily forecast post failed (will retry on the next run): %s", exc, exc_info=exc)
        return None

    def _database_failed(self, exc: BaseException, day: date, attempt: int) -> None:
        retry = attempt < len(self.retry_delays)
        delay = self.retry_delays[attempt] if retry else None
        log.error("daily forecast post for %s: DATABASE_URL: %s; %s", day, describe_database_error(exc),
                  f"retrying in {delay:.0f} s" if retry else "giving up for today")
        if is_read_only(exc):
            self._report(day, "logistics.db_read_only", minutes=max(1, round((delay or 0) / 60)))
        elif not retry:
            self._report(day, "logistics.db_down")
        if retry and self.scheduler is not None:
            self.scheduler.add_job(self.run, "date", run_date=datetime.now(self.settings.tz) + timedelta(seconds=delay),
                                   kwargs={"attempt": attempt + 1}, id=f"{JOB}_retry", replace_existing=True)

    def _report(self, day: date, key: str, **params: object) -> None:
        """Tells the logistics channel, once per day and kind of problem."""
        if (day, key) in self._reported:
            return
        lang = self.settings.language
        text, blocks = rendering.notice_blocks(t(key, lang, day=fmt_date(day, lang), **params), lang)
        try:
            self.client.chat_postMessage(channel=self.channel, text=text, blocks=blocks)
            self._reported.add((day, key))
        except Exception as exc:  # noqa: BLE001 - Slack down too: the log line above is all there is
            log.error("could not report the database problem to %s: %s", self.channel, type(exc).__name__)

    def posted_today(self) -> bool | None:
        """Whether today's post is recorded; None when the database cannot say."""
        try:
            return post_status(self.engine(), JOB, self.channel, self.settings.current_day()) == POSTED
        except (SQLAlchemyError, OSError) as exc:
            log.warning("DATABASE_URL: %s; today's post will be checked when it runs",
                        describe_database_error(exc))
            return None


def start_scheduler(settings: BotSettings, client: WebClient, caddies: CaddieProvider, engine: Engine | None = None,
                    *, now: datetime | None = None, refresh: Callable[[], object] | None = None
                    ) -> BackgroundScheduler:
    """Starts the background scheduler: the logistics post when ``LOGISTICS_CHANNEL`` is set (catching up on
    today's post if it is due and missing), and ``refresh`` (retrain and swap the models) on ``REFRESH_CRON``."""
    tz = settings.tz
    scheduler = BackgroundScheduler(timezone=tz)
    if refresh is not None and settings.refresh_cron:
        scheduler.add_job(refresh, cron_trigger(settings.refresh_cron, tz), id=REFRESH_JOB, replace_existing=True,
                          misfire_grace_time=MISFIRE_GRACE_SECONDS, coalesce=True, max_instances=1)
    if settings.logistics_channel:
        post = DailyPost(client, caddies, settings, engine)
        post.scheduler = scheduler
        _add_post_jobs(scheduler, settings, post, now or datetime.now(tz))
    scheduler.start()
    return scheduler


def _add_post_jobs(scheduler: BackgroundScheduler, settings: BotSettings, post: DailyPost, now: datetime) -> None:
    scheduler.add_job(post.run, cron_trigger(settings.forecast_cron, settings.tz), id=JOB, replace_existing=True,
                      misfire_grace_time=MISFIRE_GRACE_SECONDS, coalesce=True, max_instances=1)
    day = settings.current_day()  # the post's key, as DailyPost.run computes it
    due = due_day(now, settings.forecast_cron, within=CATCH_UP_WINDOW) is not None
    if due_day(now, settings.forecast_cron) is not None and not due:
        log.warning("today's %s post was missed more than %s ago: not sent late", settings.forecast_cron,
                    CATCH_UP_WINDOW)
    if due and not post.posted_today():
        log.info("the %s post of %s is due and missing: catching up", settings.forecast_cron, day)
        scheduler.add_job(post.run, id=f"{JOB}_catch_up", replace_existing=True,
                          max_instances=1)  # no trigger: runs once, now
