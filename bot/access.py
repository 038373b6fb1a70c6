"""Who may see answers about customers (``/recommend``, ``/predict``, ``/target``).

Customer-level answers are given only to requests from the configured workspace (``SLACK_TEAM_ID``), and
there only in the channels of ``CUSTOMER_CHANNELS`` or to members of the Slack user groups of
``CUSTOMER_USERGROUPS`` (read with ``usergroups.users.list``, cached ``USERGROUP_CACHE_SECONDS``). Nothing
configured means nobody: the safe default. The local console (an operator on the machine) is exempt from the
channel rules, not from the audit (:mod:`bot.audit`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.audit import Requester
from bot.commands import PredictCommand, RecommendCommand, TargetCommand
from bot.i18n import join_list, t
from bot.settings import BotSettings

log = logging.getLogger(__name__)

CUSTOMER_COMMANDS = (RecommendCommand, PredictCommand, TargetCommand)
CONSOLE = "console"


def is_customer_level(command: object) -> bool:
    """True for commands whose answer names or profiles customers."""
    return isinstance(command, CUSTOMER_COMMANDS)


@dataclass(frozen=True)
class Refusal:
    """Why a request is refused, as a message key and its parameters."""

    key: str
    params: dict[str, str] = field(default_factory=dict)

    def message(self, lang: str) -> str:
        return t(f"access.{self.key}", lang, **self.params)


class UsergroupMembers:
    """Members of Slack user groups, asked with ``usergroups.users.list`` and kept ``ttl`` seconds.

    A failed look-up (missing scope, unknown group, Slack down) counts as no members -- refusing is the safe
    side -- and is logged with the group id and Slack's error code only; it is retried on the next request.
    """

    def __init__(self, client: WebClient, ttl: float = 300.0, clock: Callable[[], float] = time.monotonic):
        self._client = client
        self._ttl = ttl
        self._clock = clock
        self._cache: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def members(self, group: str) -> frozenset[str]:
        now = self._clock()
        with self._lock:
            cached = self._cache.get(group)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        try:
            response = self._client.usergroups_users_list(usergroup=group)
        except SlackApiError as exc:
            log.warning("user group %s could not be read: %s", group, exc.response.get("error"))
            return frozenset()
        except SlackClientError as exc:
            log.warning("user group %s could not be read: %s", group, type(exc).__name__)
            return frozenset()
        users = frozenset(response.get("users") or ())
        with self._lock:
            self._cache[group] = (now, users)
        return users


class AccessPolicy:
    """Decides whether a :class:`~bot.audit.Requester` may get a customer-level answer."""

    def __init__(self, settings: BotSettings, usergroups: UsergroupMembers | None = None):
        self._settings = settings
        self._usergroups = usergroups

    def refusal(self, requester: Requester) -> Refusal | None:
        """None when allowed; else why not, with where to ask instead."""
        if requester.how == CONSOLE:
            return None
        settings = self._settings
        channels, groups = settings.customer_channels, settings.customer_usergroups
        if not settings.slack_team_id or not (channels or groups):
            return Refusal("not_enabled")
        if requester.team_id != settings.slack_team_id:
            return Refusal("wrong_team")
        if requester.channel_id in channels:
            return None
        if self._usergroups is not None and any(requester.user_id in self._usergroups.members(g) for g in groups):
            return None
        return self._where_to_ask()

    def _where_to_ask(self) -> Refusal:
        lang = self._settings.language
        channels = join_list([f"<#{c}>" for c in self._settings.customer_channels], lang)
        groups = join_list([f"<!subteam^{g}>" for g in self._settings.customer_usergroups], lang)
        if channels and groups:
            return Refusal("elsewhere_or_groups", {"channels": channels, "groups": groups})
        if channels:
            return Refusal("elsewhere", {"channels": channels})
        return Refusal("groups", {"groups": groups})
