"""Finding a post that went out but was never recorded, before posting it again.

Each daily post carries a marker in its message metadata (``event_type`` :data:`MARKER_EVENT`, the job, the
channel and the day). If the process dies between ``chat.postMessage`` and recording the post, the claim goes
stale and the next run would post again; instead the next run reads the channel's history of the day
(``conversations.history``, scope ``channels:history`` / ``groups:history``), finds the bot's own message with
the same marker, and records it instead of posting.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

log = logging.getLogger(__name__)

MARKER_EVENT = "caddie_daily_post"
MAX_PAGES = 5  # 5 x 200 messages of the day: a busier logistics channel is not what this bot posts in


def post_metadata(job: str, channel: str, day: date) -> dict[str, Any]:
    """The ``metadata`` argument of ``chat.postMessage`` marking the post of (job, channel, day)."""
    return {"event_type": MARKER_EVENT, "event_payload": {"job": job, "channel": channel, "day": day.isoformat()}}


def is_marked(message: dict[str, Any], job: str, channel: str, day: date) -> bool:
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != MARKER_EVENT or not message.get("bot_id"):
        return False
    return metadata.get("event_payload") == post_metadata(job, channel, day)["event_payload"]


def find_posted(client: WebClient, job: str, channel: str, day: date, *, now: datetime | None = None) -> str | None:
    """The ts of the bot's post of (job, channel, day) in ``channel``'s recent history; None when not there or the
    history cannot be read (then the caller posts: a missing post is worse than a possible duplicate)."""
    now = now or datetime.now(UTC)
    oldest = min(datetime.combine(day, time.min, UTC) - timedelta(days=1), now - timedelta(days=2))
    cursor = None
    try:
        for _ in range(MAX_PAGES):
            response = client.conversations_history(channel=channel, oldest=f"{oldest.timestamp():.6f}", limit=200,
                                                    include_all_metadata=True, cursor=cursor)
            for message in response.get("messages") or []:
                if is_marked(message, job, channel, day):
                    return str(message["ts"])
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not response.get("has_more") or not cursor:
                return None
    except (SlackApiError, SlackClientError) as exc:
        error = exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc).__name__
        log.warning("cannot read the history of %s to look for an unrecorded post (%s; the app needs the "
                    "channels:history scope): posting", channel, error)
    return None
