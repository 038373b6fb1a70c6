"""Once per channel and day: the ``scheduled_posts`` claims of the daily post.

Each post is claimed first by inserting a row (same database as the data, ``DATABASE_URL``); the primary key
(job, channel, day) lets exactly one claimer through. A failed post deletes its claim so that a later run
retries; a claim left by a crashed process expires after :data:`STALE_CLAIM`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.database import make_engine, metadata, scheduled_posts

__all__ = ["CLAIMED", "POSTED", "STALE_CLAIM", "claim", "make_engine", "mark_posted", "metadata", "post_status",
           "release", "scheduled_posts"]

STALE_CLAIM = timedelta(minutes=15)
CLAIMED, POSTED = "claimed", "posted"


def utcnow() -> datetime:
    """Now, as naive UTC (how the bot's tables store times)."""
    return datetime.now(UTC).replace(tzinfo=None)


def _key(job: str, channel: str, day: date):  # noqa: ANN202 - a SQLAlchemy boolean clause
    return and_(scheduled_posts.c.job == job, scheduled_posts.c.channel == channel, scheduled_posts.c.day == day)


def claim(engine: Engine, job: str, channel: str, day: date, *, now: datetime | None = None) -> bool:
    """Takes the right to post (job, channel, day). False when someone else holds or has done it."""
    now = now or utcnow()
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
                     .values(status=POSTED, posted_at=utcnow(), message_ts=message_ts))


def post_status(engine: Engine, job: str, channel: str, day: date) -> str | None:
    """``"claimed"``, ``"posted"`` or None (nothing recorded)."""
    with engine.connect() as conn:
        return conn.execute(select(scheduled_posts.c.status).where(_key(job, channel, day))).scalar_one_or_none()
