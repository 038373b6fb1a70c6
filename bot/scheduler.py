"""The daily demand-forecast post for logistics, at most once per channel and day.

APScheduler fires the job on ``FORECAST_CRON`` (crontab syntax and weekdays, in ``TIMEZONE``);
``misfire_grace_time`` and ``coalesce`` cover a late or busy process. What they do not cover -- a restart
after the cron time, or two bot processes running side by side -- is handled here:

- each post is claimed first by inserting a row in ``scheduled_posts`` (same database as the data,
  ``DATABASE_URL``); the primary key (job, channel, day) lets exactly one claimer through;
- a failed post deletes its claim so a later run retries; a claim left by a crashed process
  expires after :data:`STALE_CLAIM`;
- at start-up, when today's cron time has passed (less than :data:`CATCH_UP_WINDOW` ago) and today's post
  is missing, the job runs once;
- when the data cannot forecast the posting day (too old), a notice is posted instead of another day's figures.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from slack_sdk import WebClient
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    and_,
    create_engine,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.schema import CreateTable

from bot import rendering
from bot.i18n import fmt_date, t
from bot.settings import BotSettings

if TYPE_CHECKING:
    from ml.service import Caddie

log = logging.getLogger(__name__)

JOB = "daily_forecast"
MISFIRE_GRACE_SECONDS = 3600
STALE_CLAIM = timedelta(minutes=15)
CATCH_UP_WINDOW = timedelta(hours=6)  # a morning post found missing later than this after its time is skipped

CLAIMED, POSTED = "claimed", "posted"

metadata = MetaData()
scheduled_posts = Table(
    "scheduled_posts",
    metadata,
    Column("job", String(64), primary_key=True),
    Column("channel", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("status", String(16), nullable=False),
    Column("claimed_at", DateTime, nullable=False),  # naive UTC
    Column("posted_at", DateTime),  # naive UTC
    Column("message_ts", String(32)),
)


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def make_engine(database_url: str) -> Engine:
    """An engine on ``database_url`` with the ``scheduled_posts`` table created (SQLite folders too)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(database_url, pool_pre_ping=url.get_backend_name() != "sqlite")
    try:
        _create_table(engine)
    except DBAPIError:
        # several processes may start at once: on PostgreSQL the later of two concurrent CREATE TABLE IF NOT
        # EXISTS fails on a catalog unique index once the first one commits; the table is there now
        _create_table(engine)
    return engine


def _create_table(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(CreateTable(scheduled_posts, if_not_exists=True))


def _key(job: str, channel: str, day: date):  # noqa: ANN202 - a SQLAlchemy boolean clause
    return and_(scheduled_posts.c.job == job, scheduled_posts.c.channel == channel, scheduled_posts.c.day == day)


def claim(engine: Engine, job: str, channel: str, day: date, *, now: datetime | None = None) -> bool:
    """Takes the right to post (job, channel, day). False when someone else holds or has done it."""
    now = now or _utcnow()
    try:
        with engine.begin() as conn:
            conn.execute(insert(scheduled_posts).values(job=job, channel=channel, day=day, status=CLAIMED,
                                                        claimed_at=now))
        return True
    except IntegrityError:
        pass
    # a claim abandoned by a crashed process can be taken over, atomically, once stale
    with engine.begin() as conn:
        taken = conn.execute(
            update(scheduled_posts)
            .where(_key(job, channel, day), scheduled_posts.c.status == CLAIMED,
                   scheduled_posts.c.claimed_at < now - STALE_CLAIM)
            .values(claimed_at=now)
        )
    return taken.rowcount == 1


def release(engine: Engine, job: str, channel: str, day: date) -> None:
    """Drops an unfinished claim so that a later run posts."""
    with engine.begin() as conn:
        conn.execute(delete(scheduled_posts).where(_key(job, channel, day), scheduled_posts.c.status == CLAIMED))


def mark_posted(engine: Engine, job: str, channel: str, day: date, message_ts: str | None) -> None:
    with engine.begin() as conn:
        conn.execute(update(scheduled_posts).where(_key(job, channel, day))
                     .values(status=POSTED, posted_at=_utcnow(), message_ts=message_ts))


def post_status(engine: Engine, job: str, channel: str, day: date) -> str | None:
    """``"claimed"``, ``"posted"`` or None (nothing recorded)."""
    with engine.connect() as conn:
        return conn.execute(select(scheduled_posts.c.status).where(_key(job, channel, day))).scalar_one_or_none()


def post_daily_forecasts(client: WebClient, caddie: Caddie, engine: Engine, channel: str, day: date,
                         lang: str = "fr", top_n: int = 10) -> str | None:
    """Posts the top-``top_n`` demand forecast to ``channel`` once for ``day``.

    Returns the message ts, or None when the post was already claimed or done. On any failure the claim is
    released (a later run retries) and the exception propagates, to be logged by the caller.
    """
    if not claim(engine, JOB, channel, day):
        log.info("daily forecast for %s in %s already claimed or posted: skipped", day, channel)
        return None
    try:
        text, blocks = logistics_message(caddie, day, lang, top_n)
        response = client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    except BaseException:
        release(engine, JOB, channel, day)
        raise
    ts = response.get("ts")
    _record_posted(engine, channel, day, ts)
    log.info("daily forecast for %s posted to %s (ts %s)", day, channel, ts)
    return ts


def logistics_message(caddie: Caddie, day: date, lang: str, top_n: int) -> tuple[str, list[dict]]:
    """The post for ``day``: its forecasts, or a notice when the data is too old (or too new) to forecast it.

    Posting another day's figures under today's date would mislead; the notice says what to do instead.
    """
    if caddie.reference_day(day) != day:
        log.warning("data ends %s: no forecast for %s, posting a notice", caddie.as_of, day)
        message = t("logistics.stale", lang, day=fmt_date(day, lang), as_of=fmt_date(caddie.as_of, lang))
        return rendering.notice_blocks(message, lang)
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


_CRONTAB_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")  # crontab numbers: 0 and 7 are Sunday
_DAY_RANGE = re.compile(r"(\d+)(?:-(\d+))?")


def _crontab_weekdays(field: str) -> str:
    """A crontab day-of-week field in APScheduler's terms, with day names.

    APScheduler 3 reads numbers as 0 = Monday while crontab says 0 = Sunday ("1-5" would run Tuesday to
    Saturday): numbers, ranges and steps are expanded to names. Names and "*" mean the same in both.
    """
    days: list[str] = []
    for part in field.split(","):
        span, _, step = part.partition("/")
        if span == "*" and not step:
            return "*"
        match = _DAY_RANGE.fullmatch(span)
        if span == "*":
            low, high = 0, 6
        elif match:
            low = int(match.group(1))
            high = int(match.group(2)) if match.group(2) else (6 if step else low)
        else:
            days.append(part)  # mon-fri, sat...: APScheduler reads names the crontab way
            continue
        if not 0 <= low <= high <= 7 or (step and not step.isdigit()) or step == "0":
            raise ValueError(f"invalid day of week {part!r}")
        days.extend(_CRONTAB_DAYS[d] for d in range(low, high + 1, int(step or 1)))
    return ",".join(dict.fromkeys(days))


def cron_trigger(expr: str, timezone: tzinfo | str | None = None) -> CronTrigger:
    """A trigger for a standard 5-field crontab expression (minute hour day month day-of-week), crontab weekdays."""
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields (minute hour day month day-of-week), got {len(fields)}")
    minute, hour, day, month, weekday = fields
    return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=_crontab_weekdays(weekday),
                       timezone=timezone)


def due_day(now: datetime, cron: str, within: timedelta | None = None) -> date | None:
    """``now``'s date when the crontab ``cron`` (read in ``now``'s time zone) has already fired today, else None.

    With ``within``, only when it fired at most that long ago. ``now`` must be time-zone aware. Used at
    start-up to catch up on a post missed while the bot was down.
    """
    if now.tzinfo is None:
        raise ValueError("now must be time-zone aware")
    trigger = cron_trigger(cron, now.tzinfo)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    first = trigger.get_next_fire_time(None, midnight)
    if first is not None and first.date() == now.date() and first <= now and (within is None or now - first <= within):
        return now.date()
    return None


def run_daily_job(client: WebClient, caddie: Caddie, engine: Engine, settings: BotSettings) -> str | None:
    """The scheduled job: today's post (in ``TIMEZONE``), errors logged with their trace, never raised."""
    assert settings.logistics_channel is not None
    try:
        return post_daily_forecasts(client, caddie, engine, settings.logistics_channel, settings.current_day(),
                                    settings.language, settings.forecast_top_n)
    except Exception as exc:  # noqa: BLE001 - a scheduler thread has nobody to raise to
        log.error("daily forecast post failed (will retry on the next run): %s", exc, exc_info=exc)
        return None


REFRESH_JOB = "refresh_models"


def start_scheduler(settings: BotSettings, client: WebClient, caddie: Caddie, engine: Engine | None = None,
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
        _add_post_jobs(scheduler, settings, client, caddie, engine or make_engine(settings.database_url),
                       now or datetime.now(tz))
    scheduler.start()
    return scheduler


def _add_post_jobs(scheduler: BackgroundScheduler, settings: BotSettings, client: WebClient, caddie: Caddie,
                   engine: Engine, now: datetime) -> None:
    assert settings.logistics_channel is not None
    job_args = {"client": client, "caddie": caddie, "engine": engine, "settings": settings}
    scheduler.add_job(run_daily_job, cron_trigger(settings.forecast_cron, settings.tz), id=JOB,
                      kwargs=job_args, replace_existing=True, misfire_grace_time=MISFIRE_GRACE_SECONDS,
                      coalesce=True, max_instances=1)
    day = settings.current_day()  # the post's key, as run_daily_job computes it
    due = due_day(now, settings.forecast_cron, within=CATCH_UP_WINDOW) is not None
    if due_day(now, settings.forecast_cron) is not None and not due:
        log.warning("today's %s post was missed more than %s ago: not sent late", settings.forecast_cron,
                    CATCH_UP_WINDOW)
    if due and post_status(engine, JOB, settings.logistics_channel, day) != POSTED:
        log.info("the %s post of %s is due and missing: catching up", settings.forecast_cron, day)
        scheduler.add_job(run_daily_job, id=f"{JOB}_catch_up", kwargs=job_args, replace_existing=True,
                          max_instances=1)  # no trigger: runs once, now
