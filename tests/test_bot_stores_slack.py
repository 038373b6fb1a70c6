"""Stores through Slack: the real Bolt app over HTTP, signed requests, the local fake of Slack's Web API.

The service is a three-store chain double (tests/chain_double.py) whose store figures are known, so each
answer shows which store it is for.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.app import create_client
from bot.channels import ChannelStores
from bot.jobs import JOB, DailyPost
from bot.post_claims import POSTED, make_engine, post_status
from bot.refresh import FixedCaddie
from bot.settings import BotSettings
from tests.chain_double import AS_OF, ChainDouble, plain
from tests.fake_slack import FakeSlack, fake_slack_fixture  # noqa: F401 - the fake_slack fixture
from tests.test_slack_app import SECRET, Bot, serve

LYON_CHANNEL, OTHER_CHANNEL, LOGISTICS = "C0LYON", "C0OTHER", "C0LOG"
TOMORROW = AS_OF + timedelta(days=1)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'var' / 'caddie.db'}"


@pytest.fixture
def bot(fake_slack: FakeSlack, db_url: str) -> Iterator[Bot]:
    settings = BotSettings(_env_file=None, slack_bot_token="xoxb-test", slack_signing_secret=SECRET,
                           slack_api_url=fake_slack.api_url, today=TOMORROW, database_url=db_url)
    with serve(settings, ChainDouble(), fake_slack) as running:  # links from DATABASE_URL and CHANNEL_STORES
        yield running


def ask(bot: Bot, command: str, text: str, channel: str, key: str) -> dict[str, Any]:
    """Sends a signed slash command typed in ``channel``; returns the first answer posted to its response_url."""
    status, body = bot.command(command, text, key=key, channel=channel)
    assert status == 200 and body == ""
    answer = bot.fake.wait_for(path_prefix=f"/response/{key}")[0].payload
    return json.loads(plain(json.dumps(answer, ensure_ascii=False)))


def shown(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False)


def test_a_linked_channel_answers_for_its_store_and_others_for_the_chain(bot: Bot) -> None:
    linked = ask(bot, "/caddie", "magasin Lyon Part-Dieu", LYON_CHANNEL, "link")
    assert linked["response_type"] == "in_channel" and "Lyon Part-Dieu" in linked["text"]

    here = ask(bot, "/forecast", "yaourt demain", LYON_CHANNEL, "lyon")
    assert here["response_type"] == "in_channel"
    assert "Magasin *Lyon Part-Dieu*" in shown(here) and "*11 unités attendues*" in here["text"]
    assert "toute la chaîne" not in shown(here)
    bot.fake.wait_for("files.completeUploadExternal")
    [get_url] = bot.fake.calls("files.getUploadURLExternal")
    assert "lyon-part-dieu" in get_url.payload["filename"]

    elsewhere = ask(bot, "/forecast", "yaourt demain", OTHER_CHANNEL, "other")
    assert "Pour toute la chaîne (3 magasins" in shown(elsewhere)
    assert "*71 unités attendues*" in elsewhere["text"]  # 11 + 23 + 37
    assert "/caddie magasin" in shown(elsewhere)

    nantes = ask(bot, "/forecast", "yaourt demain magasin Nantes", LYON_CHANNEL, "nantes")
    assert "Magasin *Nantes Centre*" in shown(nantes) and "*23 unités attendues*" in nantes["text"]


def test_the_link_is_shown_and_survives_a_new_app(bot: Bot, fake_slack: FakeSlack, db_url: str) -> None:
    ask(bot, "/caddie", "magasin 2", LYON_CHANNEL, "link")
    links = ChannelStores.from_settings(db_url, "")
    assert links.link_of(LYON_CHANNEL).single_store == "2"
    shown_link = ask(bot, "/caddie", "magasin", LYON_CHANNEL, "show")
    assert shown_link["response_type"] == "ephemeral" and "Nantes Centre" in shown_link["text"]


def test_unknown_store_gets_close_names(bot: Bot) -> None:
    answer = ask(bot, "/forecast", "yaourt demain magasin Nantse", LYON_CHANNEL, "typo")
    assert answer["response_type"] == "ephemeral"
    assert "Je ne trouve pas le magasin « Nantse »" in answer["text"] and "Nantes" in answer["text"]
    assert "Traceback" not in shown(answer)


def test_a_product_the_store_does_not_sell(bot: Bot) -> None:
    answer = ask(bot, "/forecast", "saumon magasin Rennes", OTHER_CHANNEL, "saumon")
    assert "Le magasin Rennes Cleunay ne vend pas « Saumon fumé »" in answer["text"]


def test_commande_renders_the_order_lines(bot: Bot) -> None:
    ask(bot, "/caddie", "magasin Lyon", LYON_CHANNEL, "link")
    answer = ask(bot, "/commande", "", LYON_CHANNEL, "order")
    assert answer["response_type"] == "in_channel"
    # Lyon, yaourt: 3 days x 11 = 33, quantile 41,25, minus 10 on hand and 2 on order = 29,25 -> 5 packs of 6
    assert "*Yaourt nature* : commander *30* (5 × 6)" in answer["text"]
    assert "en stock 10, en commande 2 → besoin 29,2" in answer["text"]
    assert "Saumon fumé" in answer["text"]
    english = ask(bot, "/order", "baguette store Nantes", OTHER_CHANNEL, "order-en")
    assert "Nantes Centre" in english["text"] and "Baguette tradition" in english["text"]


# -- the daily logistics post -----------------------------------------------------------------------

def run_daily_job(client: WebClient, caddies: FixedCaddie, engine: Any, settings: BotSettings) -> str | None:
    """One scheduled run of the daily post (a new process each time: nothing kept between runs but the database)."""
    return DailyPost(client, caddies, settings, engine).run()


def logistics(fake: FakeSlack, db_url: str, stores: str) -> tuple[BotSettings, Any]:
    settings = BotSettings(_env_file=None, slack_bot_token="xoxb-test", slack_api_url=fake.api_url,
                           logistics_channel=LOGISTICS, database_url=db_url, forecast_top_n=3, today=TOMORROW,
                           channel_stores=f"{LOGISTICS}={stores}")
    return settings, make_engine(db_url)


def test_several_stores_get_a_summary_and_a_thread_each_exactly_once(fake_slack: FakeSlack, db_url: str) -> None:
    settings, engine = logistics(fake_slack, db_url, "1|Nantes|Rennes")
    client, caddie = create_client(settings), FixedCaddie(ChainDouble())
    ts = run_daily_job(client, caddie, engine, settings)
    posts = fake_slack.calls("chat.postMessage")
    assert len(posts) == 4 and ts is not None
    summary, *replies = [json.loads(plain(json.dumps(p.payload, ensure_ascii=False))) for p in posts]
    assert "thread_ts" not in summary and "3 magasins" in summary["text"]
    assert [r["thread_ts"] for r in replies] == [ts] * 3
    assert [r["text"].splitlines()[0].split(" — ")[0] for r in replies] == [
        "Lyon Part-Dieu", "Nantes Centre", "Rennes Cleunay"]
    assert "Commandes proposées" in replies[1]["text"] and "Yaourt nature" in replies[1]["text"]

    assert run_daily_job(client, caddie, engine, settings) == ts  # a second run posts nothing new
    assert len(fake_slack.calls("chat.postMessage")) == 4
    assert post_status(engine, JOB, LOGISTICS, TOMORROW) == POSTED


class FlakyClient(WebClient):
    """Fails the first thread reply for Nantes, as Slack would on a network error."""

    failed = False

    def chat_postMessage(self, **kwargs: Any):  # noqa: ANN201, N802 - the SDK's name
        if kwargs.get("thread_ts") and "Nantes" in kwargs.get("text", "") and not self.failed:
            self.failed = True
            raise SlackClientError("connection reset")
        return super().chat_postMessage(**kwargs)


def test_a_failed_thread_reply_is_retried_under_the_same_summary(fake_slack: FakeSlack, db_url: str) -> None:
    settings, engine = logistics(fake_slack, db_url, "1|2|3")
    client, caddie = FlakyClient(token="xoxb-test", base_url=fake_slack.api_url), FixedCaddie(ChainDouble())
    ts = run_daily_job(client, caddie, engine, settings)
    first = [r.payload for r in fake_slack.calls("chat.postMessage")]
    assert ts is not None and len(first) == 3  # summary, Lyon, Rennes
    assert run_daily_job(client, caddie, engine, settings) == ts
    later = [r.payload for r in fake_slack.calls("chat.postMessage")][3:]
    assert len(later) == 1 and later[0]["thread_ts"] == ts and later[0]["text"].startswith("Nantes Centre")
    assert run_daily_job(client, caddie, engine, settings) == ts
    assert len(fake_slack.calls("chat.postMessage")) == 4


def test_one_store_gets_one_message_with_its_orders(fake_slack: FakeSlack, db_url: str) -> None:
    settings, engine = logistics(fake_slack, db_url, "Lyon Part-Dieu")
    run_daily_job(create_client(settings), FixedCaddie(ChainDouble(stock=False)), engine, settings)
    [post] = fake_slack.calls("chat.postMessage")
    assert "thread_ts" not in post.payload
    text = plain(post.payload["text"])
    assert text.startswith("Lyon Part-Dieu — ") and "Proposition à partir de la prévision seule" in text
