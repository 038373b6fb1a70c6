"""Per-store answers against the real trained service (the simulated chain of the test session)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.channels import ChannelLink, ChannelStores, Where, links_engine
from bot.dispatch import Reply, handle
from bot.jobs import post_daily_forecasts
from bot.post_claims import make_engine
from ml.results import ScopeLevel
from tests.chain_double import plain
from tests.fake_slack import FakeSlack, fake_slack_fixture  # noqa: F401 - the fake_slack fixture


@pytest.fixture
def where(tmp_path: Path) -> Where:
    return Where(channel="C0STORE", user="U0BOB", links=ChannelStores(links_engine(f"sqlite:///{tmp_path / 'c.db'}")))


def ask(caddie, command: str, text: str, where: Where, as_of: date) -> Reply:  # noqa: ANN001
    reply = handle(command, text, caddie, lang="fr", today=as_of + timedelta(days=1), where=where)
    return replace(reply, text=plain(reply.text))


def _store_and_product(caddie, as_of: date):  # noqa: ANN001, ANN202
    """The first store and its best-selling forecastable product."""
    store = caddie.stores()[0]
    return store, caddie.forecast_top(1, as_of + timedelta(days=1), store=store.store_id)[0]


def test_a_linked_channel_gets_its_store_figures(caddie, as_of: date, where: Where) -> None:
    store, top = _store_and_product(caddie, as_of)
    ask(caddie, "/caddie", f"magasin {store.store_id}", where, as_of)
    reply = ask(caddie, "/forecast", f"{top.product.name} demain", where, as_of)
    expected = caddie.forecast(top.product.name, as_of + timedelta(days=2), store=store.store_id)
    assert expected.scope.level is ScopeLevel.STORE
    assert f"Magasin *{store.name}*" in reply.text
    assert reply.chart_title is not None and store.name in reply.chart_title

    chain = ask(caddie, "/forecast", f"{top.product.name} demain", Where("C0ELSE", links=where.links), as_of)
    assert f"toute la chaîne ({len(caddie.stores())} magasins" in chain.text


def test_order_for_the_linked_store(caddie, as_of: date, where: Where) -> None:
    store, _ = _store_and_product(caddie, as_of)
    ask(caddie, "/caddie", f"magasin {store.name}", where, as_of)
    reply = ask(caddie, "/commande", "", where, as_of)
    proposal = caddie.orders(store.store_id)
    assert reply.in_channel and f"Commande proposée — {store.name}" in reply.text
    for line in proposal.lines[:3]:
        assert line.product.name in reply.text
    assert ("prévision seule" in reply.text) is (not proposal.has_stock_data)


def test_unknown_store_with_the_real_catalogue(caddie, as_of: date, where: Where) -> None:
    store = caddie.stores()[0]
    typo = store.name[:-1] + "x" if len(store.name) > 4 else "zzqx"
    reply = ask(caddie, "/forecast", f"yaourt magasin {typo}zzz", where, as_of)
    assert not reply.in_channel and "Je ne trouve pas le magasin" in reply.text


def test_logistics_post_of_two_real_stores(fake_slack: FakeSlack, caddie, as_of: date, tmp_path: Path) -> None:
    from slack_sdk import WebClient

    stores = caddie.stores()[:2]
    client = WebClient(token="xoxb-test", base_url=fake_slack.api_url)
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    day = as_of + timedelta(days=1)
    ts = post_daily_forecasts(client, caddie, engine, "C0LOG", day, "fr", 3,
                              ChannelLink(stores=tuple(s.store_id for s in stores)))
    posts = [p.payload for p in fake_slack.calls("chat.postMessage")]
    assert len(posts) == 3 and ts is not None
    assert [p.get("thread_ts") for p in posts] == [None, ts, ts]
    assert [plain(p["text"]).split(" — ")[0] for p in posts[1:]] == [s.name for s in stores]


def test_a_department_named_in_english_orders_the_same_products_as_its_french_name(caddie) -> None:
    store = next(s for s in caddie.stores() if s.format == "supermarche")
    french = caddie.orders(store.store_id, "crèmerie")
    english = caddie.orders(store.store_id, "dairy")
    assert french.lines and [line.product for line in english.lines] == [line.product for line in french.lines]
    assert {line.product.category for line in english.lines} == {"Crèmerie"}
