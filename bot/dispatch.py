"""From a slash command to a reply: parse, ask the :class:`ml.service.Caddie`, render. Never raises.

The slack layer (listeners, console, scheduler) calls these functions and only
moves the resulting text, blocks, chart and views to Slack.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, timedelta

from bot.channels import Where
from bot.charts import forecast_chart
from bot.commands import (
    Command,
    ForecastCommand,
    HelpCommand,
    OrderCommand,
    PredictCommand,
    ProfileCommand,
    RecommendCommand,
    StoreLinkCommand,
    TargetCommand,
    parse_command,
    parse_profile_submission,
)
from bot.errors import FormError, form_error_messages, user_message
from bot.home_rendering import HomeAccuracy, home_view
from bot.i18n import t
from bot.insights_rendering import with_vote_buttons
from bot.rendering import (
    error_blocks,
    forecast_blocks,
    help_blocks,
    message_modal,
    notice_blocks,
    profile_modal,
    profile_result_modal,
    propensity_blocks,
    recommendation_blocks,
    target_blocks,
)
from bot.store_answers import answer_order, answer_store_link, forecast_scope, wants_chain_hint
from bot.store_rendering import chart_title, with_scope
from ml.results import ForecastResult
from ml.service import Caddie

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reply:
    text: str
    blocks: list[dict]
    chart_png: bytes | None = None
    chart_filename: str | None = None
    chart_title: str | None = None  # plain text, for the uploaded file's title
    in_channel: bool = False
    open_modal: bool = False  # ``/predict profil``: the slack layer opens :func:`profile_form`
    customer_count: int | None = None  # ``/target``: how many customers the answer lists (for the audit log)


@dataclass(frozen=True)
class Parsed:
    """A slash command parsed once: the typed command, or the mistake to explain. Carried from the ack to the answer."""

    name: str  # as typed: "/forecast"
    command: Command | None = None
    error: Exception | None = None

    def __deepcopy__(self, memo: dict) -> Parsed:
        return self  # immutable; Bolt deep-copies the context for lazy listeners (an exception may not copy)

    @property
    def wants_profile_modal(self) -> bool:
        """``/predict profil``: answered with the what-if modal instead of a message."""
        return isinstance(self.command, ProfileCommand)


def parse(command: str, text: str, caddie: Caddie, *, today: date) -> Parsed:
    """``command`` with arguments ``text`` as a :class:`Parsed`. Never raises."""
    try:
        return Parsed(command, parse_command(command, text, caddie.reference_day(today)))
    except Exception as exc:  # noqa: BLE001 - the answer explains it
        return Parsed(command, error=exc)


def answer(parsed: Parsed, caddie: Caddie, *, lang: str = "fr", where: Where = Where()) -> Reply:
    """The reply to an already parsed command, for the store of ``where`` (its channel). Never raises."""
    try:
        if parsed.error is not None:
            raise parsed.error
        assert parsed.command is not None
        return _answer(parsed.command, caddie, lang, where)
    except Exception as exc:  # every failure becomes a message; unknown ones are logged with an id
        return error_reply(exc, lang, command=parsed.name)


def handle(command: str, text: str, caddie: Caddie, *, lang: str = "fr", today: date, where: Where = Where()
           ) -> Reply:
    """Answer ``command`` (``"/forecast"``, ``"recommend"``…) with arguments ``text``. Never raises."""
    return answer(parse(command, text, caddie, today=today), caddie, lang=lang, where=where)


def error_reply(exc: BaseException, lang: str = "fr", *, command: str | None = None) -> Reply:
    message = user_message(exc, lang, command=command)
    text, blocks = error_blocks(message, lang)
    return Reply(text=text, blocks=blocks)


def _answer(cmd: object, caddie: Caddie, lang: str, where: Where) -> Reply:
    if isinstance(cmd, HelpCommand):
        text, blocks = help_blocks(cmd.command, lang)
        return Reply(text=text, blocks=blocks)
    if isinstance(cmd, ProfileCommand):
        text, blocks = notice_blocks(t("profile.opening", lang), lang)
        return Reply(text=text, blocks=blocks, open_modal=True)
    if isinstance(cmd, ForecastCommand):
        return _forecast(cmd, caddie, lang, where)
    if isinstance(cmd, OrderCommand):
        text, blocks = answer_order(cmd, caddie, where, lang)
        return Reply(text=text, blocks=blocks, in_channel=True)
    if isinstance(cmd, StoreLinkCommand):
        text, blocks = answer_store_link(cmd, caddie, where, lang)
        return Reply(text=text, blocks=blocks, in_channel=cmd.query is not None or cmd.unlink)
    if isinstance(cmd, RecommendCommand):
        result = caddie.recommend(cmd.customer_id, cmd.n)
        text, blocks = recommendation_blocks(result, lang)
        return Reply(text=text, blocks=with_vote_buttons(blocks, result, lang), in_channel=True)
    if isinstance(cmd, PredictCommand):
        text, blocks = propensity_blocks(caddie.predict(cmd.customer_id, cmd.product), lang)
        return Reply(text=text, blocks=blocks, in_channel=True)
    if isinstance(cmd, TargetCommand):
        result = caddie.target(cmd.product, cmd.n)
        text, blocks = target_blocks(result, lang)
        return Reply(text=text, blocks=blocks, in_channel=True, customer_count=len(result.customers))
    raise TypeError(f"no handler for {cmd!r}")


def _forecast(cmd: ForecastCommand, caddie: Caddie, lang: str, where: Where) -> Reply:
    """``/forecast`` for the store the text names, else the channel's store or region, else the chain."""
    link = where.link()
    result = _forecast_result(cmd, caddie, forecast_scope(cmd.store, link))
    text, blocks = forecast_blocks(result, lang, table=cmd.days is not None or cmd.until is not None)
    text, blocks = with_scope(text, blocks, result.scope, lang, hint=wants_chain_hint(cmd.store, link))
    png, filename = _chart(result, lang)
    return Reply(text=text, blocks=blocks, chart_png=png, chart_filename=filename,
                 chart_title=chart_title(result, lang), in_channel=True)


def _forecast_result(cmd: ForecastCommand, caddie: Caddie, scope: dict[str, str]) -> ForecastResult:
    """A day; a period of ``days`` from the first forecast day; or a range ``day``..``until`` (its days only)."""
    if cmd.days is not None:
        return caddie.forecast(cmd.product, caddie.as_of + timedelta(days=cmd.days), **scope)
    result = caddie.forecast(cmd.product, cmd.until or cmd.day, **scope)
    if cmd.until is None or cmd.day is None:
        return result
    first = max(cmd.day, caddie.as_of + timedelta(days=1))  # "cette semaine": the days still to come
    return replace(result, points=tuple(p for p in result.points if p.day >= first))


def _chart(result: ForecastResult, lang: str) -> tuple[bytes | None, str | None]:
    """The chart and its file name; a chart failure is logged and the text answer still goes out."""
    try:
        return forecast_chart(result, lang), chart_filename(result)
    except Exception:
        logger.exception("chart failed for %s", result.product.product_id)
        return None, None


def slugify(text: str) -> str:
    """``"Yaourt nature 1,5 %"`` -> ``"yaourt-nature-1-5"``."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "produit"


def chart_filename(result: ForecastResult) -> str:
    """``"prevision-yaourt-nature-2024-07-01.png"``; for one store ``"prevision-yaourt-nature-lyon-part-dieu-…"``."""
    store = result.scope.store
    where = f"-{slugify(store.name)[:40]}" if store is not None else ""
    return f"prevision-{slugify(result.product.name)[:60]}{where}-{result.requested_day.isoformat()}.png"


# --------------------------------------------------------------------------- views for the slack layer


def profile_form(caddie: Caddie, *, lang: str = "fr", n: int = 25) -> dict:
    """The what-if modal to open for ``/predict profil`` (menu of the ``n`` most popular products). Never raises."""
    try:
        products = caddie.products(n)
    except Exception:
        logger.exception("could not list products for the profile form")
        products = []
    return profile_modal(products, lang)


def submit_profile(state_values: dict, caddie: Caddie, *, lang: str = "fr") -> dict:
    """The ``view_submission`` ack payload for the what-if form. Never raises.

    Invalid fields -> ``{"response_action": "errors", "errors": {block_id: text}}``;
    otherwise the form is replaced by the result (or by an error message).
    """
    try:
        product, profile = parse_profile_submission(state_values)
        view = profile_result_modal(caddie.predict_profile(profile, product), lang)
    except FormError as exc:
        return {"response_action": "errors", "errors": form_error_messages(exc, lang)}
    except Exception as exc:
        view = message_modal(user_message(exc, lang), lang)
    return {"response_action": "update", "view": view}


def home(caddie: Caddie, *, lang: str = "fr", n: int = 5, live: HomeAccuracy | None = None) -> dict:
    """The App Home view: how good the models are (in words; ``live``: the accuracy of the forecasts served)
    and tomorrow's forecast for the top products. Never raises."""
    try:
        cards = caddie.model_cards()
    except Exception:
        logger.exception("could not read the model cards")
        cards = []
    try:
        forecasts = caddie.forecast_top(n)
    except Exception:
        logger.exception("could not forecast the top products for the home tab")
        forecasts = []
    return home_view(cards, forecasts, lang, live)
