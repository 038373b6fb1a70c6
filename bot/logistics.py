"""The daily logistics post per store: what goes in it, and the thread per store when a channel has several.

A channel answers for the stores of its link (``/caddie magasin`` or ``CHANNEL_STORES``: one store, several,
or a region's). One store: one message with its forecasts and orders. Several: one summary message, then
each store's message as a reply in its thread (``thread_ts``). None: the chain's forecasts, as before.

Exactly once per day and channel: the summary is claimed as (``daily_forecast``, channel, day) like the
single post; each reply is claimed as (``daily_forecast_store``, "channel/store", day). A reply that fails
releases only its own claim; the next run finds the summary posted, reuses its ``ts`` and posts only the
missing replies.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from sqlalchemy import Engine, select

from bot.channels import ChannelLink
from bot.errors import user_message
from bot.live_report import with_opening, yesterday_line
from bot.logistics_rendering import StoreDigest, digest, store_logistics_blocks, summary_blocks
from bot.post_claims import POSTED, claim, mark_posted, release, scheduled_posts
from ml.errors import CaddieError
from ml.results import ForecastResult, OrderProposal, Scope, ScopeLevel, Store

if TYPE_CHECKING:
    from ml.service import Caddie

log = logging.getLogger(__name__)

STORE_JOB = "daily_forecast_store"


@dataclass(frozen=True)
class StorePost:
    text: str
    blocks: list[dict]
    digest: StoreDigest


def channel_stores(caddie: Caddie, link: ChannelLink) -> list[Store]:
    """The stores a channel's post covers: its stores, or its region's; [] for the chain."""
    if link.region is not None:
        return [s for s in caddie.stores() if s.region == link.region]
    return [caddie.resolve_store(query) for query in dict.fromkeys(link.stores)]


def store_post(caddie: Caddie, store: Store, day: date, lang: str, top_n: int, *, opening: str | None = None
               ) -> StorePost:
    """One store's forecasts for ``day`` and its proposed orders (after ``opening``, yesterday's "prévu X,
    vendu Y"). An order failure keeps the forecasts."""
    forecasts: list[ForecastResult] = caddie.forecast_top(top_n, day, store=store.store_id)
    proposal: OrderProposal | None = None
    problem = None
    try:
        proposal = caddie.orders(store.store_id, None, day)
    except CaddieError as exc:
        problem = user_message(exc, lang)
        log.warning("no order proposal for store %s on %s: %s", store.store_id, day, exc)
    text, blocks = with_opening(*store_logistics_blocks(store, forecasts, proposal, day, lang, problem=problem),
                                opening)
    return StorePost(text, blocks, digest(store, forecasts, proposal, problem))


def _posted_ts(engine: Engine, job: str, channel: str, day: date) -> str | None:
    with engine.connect() as conn:
        row = conn.execute(select(scheduled_posts.c.status, scheduled_posts.c.message_ts).where(
            scheduled_posts.c.job == job, scheduled_posts.c.channel == channel,
            scheduled_posts.c.day == day)).one_or_none()
    return row.message_ts if row is not None and row.status == POSTED else None


def post_store_threads(client: WebClient, caddie: Caddie, engine: Engine, channel: str, day: date,
                       stores: list[Store], *, job: str, lang: str = "fr", top_n: int = 10) -> str | None:
    """The summary (claimed as ``job``), then one thread reply per store (each claimed). Returns the summary ts.

    Everything is computed before anything is posted. A failed summary releases its claim and raises; a failed
    reply is logged, released, and retried by the next run under the same summary.
    """
    posts = [store_post(caddie, store, day, lang, top_n, opening=yesterday_line(
        engine, day, lang, Scope(ScopeLevel.STORE, store=store))) for store in stores]
    ts = _posted_ts(engine, job, channel, day)
    if ts is None:
        if not claim(engine, job, channel, day):
            log.info("logistics summary for %s in %s is being posted elsewhere: skipped", day, channel)
            return None
        try:
            text, blocks = summary_blocks([p.digest for p in posts], day, lang)
            ts = client.chat_postMessage(channel=channel, text=text, blocks=blocks).get("ts")
        except BaseException:
            release(engine, job, channel, day)
            raise
        mark_posted(engine, job, channel, day, ts)
    for store, post in zip(stores, posts):
        _post_reply(client, engine, channel, day, ts, store, post)
    return ts


def _post_reply(client: WebClient, engine: Engine, channel: str, day: date, thread_ts: str | None, store: Store,
                post: StorePost) -> None:
    key = f"{channel}/{store.store_id}"[:64]
    if not claim(engine, STORE_JOB, key, day):
        return  # already posted (or being posted) under this summary
    try:
        response = client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=post.text, blocks=post.blocks)
    except Exception as exc:  # noqa: BLE001 - the other stores still get their reply; a later run retries this one
        release(engine, STORE_JOB, key, day)
        log.error("logistics reply for store %s in %s failed (retried next run): %s", store.store_id, channel, exc,
                  exc_info=exc)
        return
    mark_posted(engine, STORE_JOB, key, day, response.get("ts"))
