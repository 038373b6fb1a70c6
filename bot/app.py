"""Builds the Bolt app: a Web API client that retries rate limits, the listeners, nothing else."""

from __future__ import annotations

import logging
from concurrent.futures import Executor

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot import listeners
from bot.channels import ChannelStores
from bot.access import AccessPolicy, UsergroupMembers
from bot.audit import AuditLog
from bot.customer_gate import CustomerGate
from bot.logs import keep_payloads_out_of_logs
from bot.refresh import CaddieProvider
from bot.replay import SeenRequests, once_only
from bot.settings import BotSettings


log = logging.getLogger(__name__)


def create_client(settings: BotSettings) -> WebClient:
    """A Web API client for ``SLACK_API_URL`` that retries connection errors and 429s (honouring Retry-After)."""
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        retry_handlers=[ConnectionErrorRetryHandler(), RateLimitErrorRetryHandler(max_retry_count=3)],
    )


def create_gate(settings: BotSettings, client: WebClient, audit: AuditLog | None = None) -> CustomerGate:
    """Access rules from the settings (user groups read through ``client``), the audit log in ``DATABASE_URL``."""
    policy = AccessPolicy(settings, UsergroupMembers(client, ttl=settings.usergroup_cache_seconds))
    return CustomerGate(policy, audit or AuditLog(settings.database_url), settings.customer_answers_in_channel)


def create_app(settings: BotSettings, caddies: CaddieProvider, client: WebClient | None = None, *,
               audit: AuditLog | None = None, listener_executor: Executor | None = None,
               channels: ChannelStores | None = None, seen: SeenRequests | None = None) -> App:
    """The Bolt app answering the slash commands, the profile modal and the App Home tab.

    ``process_before_response=False``: Slack gets its acknowledgement at once, the work runs in lazy listeners.
    The token is checked against ``auth.test`` at start-up only when ``SLACK_API_URL`` is Slack's own.
    A replayed request or a Slack retry is acknowledged and not handled again (:mod:`bot.replay`; ``seen``
    defaults to the ``seen_requests`` table of ``DATABASE_URL``).
    """
    app = App(  # the bot token travels with the client
        signing_secret=settings.slack_signing_secret,
        client=client if client is not None else create_client(settings),
        token_verification_enabled=settings.token_verification_enabled,
        process_before_response=False,
        logger=logging.getLogger("bot.slack"),
        listener_executor=listener_executor,  # None: Bolt's own thread pool
    )
    keep_payloads_out_of_logs()
    app.middleware(once_only(seen or SeenRequests(settings.database_url)))  # after Bolt's signature check
    if channels is None:
        channels = ChannelStores.from_settings(settings.database_url, settings.channel_stores)
    listeners.register(app, caddies, settings, create_gate(settings, app.client, audit), channels)
    return app
