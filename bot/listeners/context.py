"""What every listener finds in Bolt's context, put there by one middleware.

- ``context["caddie"]``: a :class:`~bot.refresh.FixedCaddie` holding the service current when the request came
  in (a model refresh in the middle of a request does not mix two model sets in one answer);
- ``context["settings"]``: the :class:`~bot.settings.BotSettings`;
- ``context["gate"]``: the :class:`~bot.customer_gate.CustomerGate` customer-level answers go through;
- ``context["parsed"]``: for a slash command, the command parsed once (:class:`bot.dispatch.Parsed`), read by
  the ack (``/predict profil`` opens a modal at once) and by the answer.

Lazy listeners get a deep copy of the context: the service handle copies as itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_bolt import BoltContext

from bot import dispatch
from bot.channels import ChannelStores, Where
from bot.customer_gate import CustomerGate
from bot.insights import experiment_caddie
from bot.refresh import CaddieProvider, FixedCaddie
from bot.settings import BotSettings

if TYPE_CHECKING:
    from ml.service import Caddie

CADDIE, SETTINGS, GATE, PARSED, CHANNELS = "caddie", "settings", "gate", "parsed", "channels"


class RequestCaddie(FixedCaddie):
    """The service of one request; Bolt's copy of the context for lazy listeners shares it instead of copying."""

    def __deepcopy__(self, memo: dict[int, Any]) -> RequestCaddie:
        return self


def inject(caddies: CaddieProvider, settings: BotSettings, gate: CustomerGate,
           channels: ChannelStores | None = None) -> Callable[..., None]:
    """The middleware: the service, the settings, the gate and the channel links into the context; a slash
    command parsed once."""

    def put_caddie(context: BoltContext, body: dict[str, Any], next: Callable[[], None]) -> None:  # noqa: A002
        caddie = caddies.current()
        context[CADDIE] = RequestCaddie(experiment_caddie(caddie, settings.database_url))  # /recommend: A/B arms
        context[SETTINGS] = settings
        context[GATE] = gate
        context[CHANNELS] = channels
        if body.get("command") and PARSED not in context:
            context[PARSED] = dispatch.parse(body["command"], body.get("text", "") or "", caddie,
                                             today=settings.current_day())
        next()

    return put_caddie


def caddie_of(context: BoltContext) -> Caddie:
    return context[CADDIE].current()


def settings_of(context: BoltContext) -> BotSettings:
    return context[SETTINGS]


def gate_of(context: BoltContext) -> CustomerGate:
    return context[GATE]


def where_of(context: BoltContext, body: dict[str, Any]) -> Where:
    """The channel the command was typed in, who typed it, and the links giving the channel's store."""
    return Where(channel=body.get("channel_id") or None, user=body.get("user_id") or None,
                 links=context.get(CHANNELS))
