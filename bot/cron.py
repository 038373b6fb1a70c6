"""Crontab expressions for APScheduler: 5 fields, crontab weekdays (0 and 7 are Sunday).

Imports nothing of the bot, so that :mod:`bot.settings` can validate ``FORECAST_CRON`` and ``REFRESH_CRON``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, tzinfo

from apscheduler.triggers.cron import CronTrigger

_CRONTAB_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")  # crontab numbers: 0 and 7 are Sunday
_DAY_RANGE = re.compile(r"(\d+)(?:-(\d+))?")


def crontab_weekdays(field: str) -> str:
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
    return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=crontab_weekdays(weekday),
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
