"""The store clause, the store commands, channel links and per-store answers (bot core, no Slack)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.channels import ChannelLink, ChannelStores, Where, links_engine, parse_channel_stores
from bot.commands import ForecastCommand, HelpCommand, parse_command
from bot.dispatch import handle
from bot.errors import BadDate, UsageError
from bot.stores import OrderCommand, StoreClause, StoreLinkCommand, parse_order, parse_store_link, split_store_clause
from bot.store_answers import forecast_scope, order_store
from tests.chain_double import AS_OF, MEANS, ChainDouble, plain

TODAY = date(2024, 7, 1)  # a Monday


def split(text: str) -> tuple[str, StoreClause]:
    rest, clause = split_store_clause(text.split(), TODAY)
    return " ".join(rest), clause


# -- the store clause ----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "rest", "store"), [
    ("yaourt demain magasin Nantes", "yaourt demain", "Nantes"),
    ("yaourt magasin Lyon Part-Dieu", "yaourt", "Lyon Part-Dieu"),
    ("yaourt magasin Lyon Part-Dieu demain", "yaourt demain", "Lyon Part-Dieu"),
    ("yaourt magasin Lyon après demain", "yaourt après demain", "Lyon"),
    ("yaourt magasin 12 7j", "yaourt 7j", "12"),
    ("yaourt magasin Nantes 2 semaines", "yaourt 2 semaines", "Nantes"),
    ("yaourt magasin Nantes samedi prochain", "yaourt samedi prochain", "Nantes"),
    ("yaourt magasin Rennes 05/07", "yaourt 05/07", "Rennes"),
    ("plain yogurt tomorrow store Nantes", "plain yogurt tomorrow", "Nantes"),
    ("yaourt MAGASIN nantes", "yaourt", "nantes"),
    ("yaourt magasin Nantes le 30 novembre", "yaourt le 30 novembre", "Nantes"),
    ("yaourt magasin Saint-Herblain Centre dans 3 jours", "yaourt dans 3 jours", "Saint-Herblain Centre"),
    ("yaourt magasin Nantes 31/02", "yaourt 31/02", "Nantes"),  # not a real day: the date parser says so
])
def test_the_store_clause_runs_to_the_end_or_to_a_date(text: str, rest: str, store: str) -> None:
    assert split(text) == (rest, StoreClause(query=store))


def test_no_clause_leaves_the_text_untouched() -> None:
    assert split("yaourt nature demain") == ("yaourt nature demain", StoreClause())


@pytest.mark.parametrize("word", ["chaîne", "chain", "tous", "toute la chaîne"])
def test_the_chain_can_be_asked_for_by_name(word: str) -> None:
    assert split(f"yaourt magasin {word} demain") == ("yaourt demain", StoreClause(chain=True))


@pytest.mark.parametrize("text", ["yaourt magasin", "yaourt magasin demain"])
def test_a_store_word_without_a_name_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        split(text)
    assert caught.value.problem == "missing_store"


def test_forecast_command_carries_the_clause() -> None:
    cmd = parse_command("/forecast", "yaourt demain magasin Nantes", TODAY)
    assert cmd == ForecastCommand("yaourt", TODAY + timedelta(days=1), None, store=StoreClause("Nantes"))
    with pytest.raises(UsageError) as caught:
        parse_command("/forecast", "magasin Nantes demain", TODAY)
    assert caught.value.problem == "missing_product"


# -- /commande and /caddie magasin -----------------------------------------------------------------

@pytest.mark.parametrize(("command", "text", "expected"), [
    ("/commande", "", OrderCommand(None)),
    ("/order", "yaourt", OrderCommand("yaourt")),
    ("/commande", "rayon crèmerie magasin Nantes", OrderCommand("rayon crèmerie", StoreClause("Nantes"))),
    ("/commande", "yaourt nature demain", OrderCommand("yaourt nature", day=TODAY + timedelta(days=1))),
    ("/commande", "magasin 12 jeudi", OrderCommand(None, StoreClause("12"), TODAY + timedelta(days=3))),
])
def test_order_commands(command: str, text: str, expected: OrderCommand) -> None:
    assert parse_command(command, text, TODAY) == expected


def test_order_help_and_mistakes() -> None:
    assert parse_command("/commande", "aide", TODAY) == HelpCommand("order")
    with pytest.raises(UsageError, match="order_period"):
        parse_order("yaourt 7j".split(), TODAY)
    with pytest.raises(UsageError, match="order_needs_store"):
        parse_order("yaourt magasin chaîne".split(), TODAY)
    with pytest.raises(BadDate) as caught:
        parse_order("yaourt 31/02".split(), TODAY)
    assert caught.value.command == "order"


@pytest.mark.parametrize(("text", "expected"), [
    ("magasin Lyon Part-Dieu", StoreLinkCommand("Lyon Part-Dieu")),
    ("store 12", StoreLinkCommand("12")),
    ("magasin", StoreLinkCommand()),
    ("magasin aucun", StoreLinkCommand(unlink=True)),
    ("store none", StoreLinkCommand(unlink=True)),
])
def test_caddie_magasin(text: str, expected: StoreLinkCommand) -> None:
    assert parse_command("/caddie", text, TODAY) == expected
    assert parse_store_link(text.split()[1:]) == expected


def test_caddie_alone_is_still_the_help() -> None:
    assert parse_command("/caddie", "", TODAY) == HelpCommand("")


# -- the CHANNEL_STORES setting and the links table ------------------------------------------------

def test_channel_stores_setting() -> None:
    links = parse_channel_stores("C0123=12, C0456=Lyon Part-Dieu,C0LOG=1|2|Rennes,C0W=région:Ouest,C0ALL=chaîne")
    assert links["C0123"] == ChannelLink(stores=("12",), source="setting")
    assert links["C0456"].single_store == "Lyon Part-Dieu"
    assert links["C0LOG"].stores == ("1", "2", "Rennes") and links["C0LOG"].single_store is None
    assert links["C0W"].region == "Ouest" and not links["C0W"].is_chain
    assert links["C0ALL"].is_chain
    assert parse_channel_stores("") == {}


@pytest.mark.parametrize("bad", ["C0123", "C0123=", "=12", "C0=1,C0=2", "C0=1||2", "C0=region:"])
def test_a_bad_setting_names_the_entry(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_channel_stores(bad)


def test_links_are_persisted_and_win_over_the_setting(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'caddie.db'}"
    links = ChannelStores(links_engine(url), parse_channel_stores("C0A=1,C0B=2"))
    assert links.link_of("C0A").single_store == "1" and links.link_of("C0A").source == "setting"
    links.link("C0A", "3", "U0ALICE")
    links.link("C0C", "2")
    reopened = ChannelStores.from_settings(url, "C0A=1,C0B=2")  # another process, same database
    assert reopened.link_of("C0A") == ChannelLink(stores=("3",), source="slack")
    assert reopened.link_of("C0C").single_store == "2"
    reopened.link("C0B", None)  # "aucun": hides the setting's store
    assert links.link_of("C0B").is_chain
    assert links.link_of("C0OTHER").is_chain and links.link_of(None).is_chain


def test_scope_rules() -> None:
    store, chain = ChannelLink(stores=("1",)), ChannelLink()
    assert forecast_scope(StoreClause(), store) == {"store": "1"}
    assert forecast_scope(StoreClause("Nantes"), store) == {"store": "Nantes"}
    assert forecast_scope(StoreClause(chain=True), store) == {}
    assert forecast_scope(StoreClause(), chain) == {}
    assert forecast_scope(StoreClause(), ChannelLink(region="Ouest")) == {"region": "Ouest"}
    assert forecast_scope(StoreClause(), ChannelLink(stores=("1", "2"))) == {}
    assert order_store(StoreClause(), store) == "1"
    with pytest.raises(UsageError, match="order_needs_store"):
        order_store(StoreClause(), chain)


# -- per-store answers through the dispatcher -------------------------------------------------------

@pytest.fixture
def where(tmp_path: Path) -> Where:
    links = ChannelStores(links_engine(f"sqlite:///{tmp_path / 'caddie.db'}"), parse_channel_stores("C0W=région:Ouest"))
    return Where(channel="C0LYON", user="U0ALICE", links=links)


def ask(command: str, text: str, where: Where, lang: str = "fr", caddie: ChainDouble | None = None):  # noqa: ANN201
    reply = handle(command, text, caddie or ChainDouble(), lang=lang, today=AS_OF + timedelta(days=1), where=where)
    return replace(reply, text=plain(reply.text))


def test_linked_channel_answers_for_its_store_and_the_text_can_name_another(where: Where) -> None:
    assert "Lyon Part-Dieu" in ask("/caddie", "magasin lyon", where).text
    reply = ask("/forecast", "yaourt demain", where)
    assert "Lyon Part-Dieu" in reply.text and "11" in reply.text and "toute la chaîne" not in reply.text
    assert "lyon-part-dieu" in (reply.chart_filename or "")
    assert "magasin Lyon Part-Dieu" in (reply.chart_title or "")
    other = ask("/forecast", "yaourt demain magasin Nantes", where)
    assert "Nantes Centre" in other.text and "23" in other.text
    assert "Lyon" not in other.text


def test_unlinked_channel_answers_for_the_chain_and_says_so(where: Where) -> None:
    reply = ask("/forecast", "yaourt demain", Where("C0ELSEWHERE", links=where.links))
    total = sum(v for (_, p), v in MEANS.items() if p == "p1")
    assert "toute la chaîne (3 magasins" in reply.text and "/caddie magasin" in reply.text
    assert f"{total:.0f}" in reply.text
    assert "(chaîne)" in (reply.chart_title or "")
    english = ask("/forecast", "yaourt tomorrow", Where("C0ELSEWHERE", links=where.links), lang="en")
    assert "whole chain (3 stores" in english.text


def test_a_region_channel_answers_for_the_region(where: Where) -> None:
    reply = ask("/forecast", "yaourt", Where("C0W", links=where.links))
    assert "Région *Ouest*" in reply.text and f"{23 + 37:.0f}" in reply.text


def test_unknown_store_gets_close_names(where: Where) -> None:
    reply = ask("/forecast", "yaourt demain magasin Nantse", where)
    assert not reply.in_channel
    assert "« Nantse »" in reply.text and "Nantes" in reply.text
    link = ask("/caddie", "magasin Lyyon", where)
    assert "Lyon" in link.text and not link.in_channel
    assert where.link().is_chain  # nothing was linked


def test_a_product_the_store_does_not_sell_is_said_so(where: Where) -> None:
    reply = ask("/forecast", "saumon magasin Nantes", where)
    assert not reply.in_channel
    assert "Le magasin Nantes Centre ne vend pas « Saumon fumé »" in reply.text


def test_store_link_show_and_unlink(where: Where) -> None:
    assert "aucun magasin" in ask("/caddie", "magasin", where).text
    ask("/caddie", "magasin 2", where)
    shown = ask("/caddie", "magasin", where)
    assert "Nantes Centre" in shown.text and not shown.in_channel
    removed = ask("/caddie", "magasin aucun", where)
    assert "toute la chaîne (3 magasins)" in removed.text
    assert where.link().is_chain


def test_order_in_a_linked_channel_and_without_a_store(where: Where) -> None:
    caddie = ChainDouble()
    ask("/caddie", "magasin Nantes", where)
    reply = ask("/commande", "", where, caddie=caddie)
    assert reply.in_channel and "Commande proposée — Nantes Centre" in reply.text
    assert caddie.calls[-1] == ("orders", "2", None, None)
    # Yaourt in Nantes: 3 x 23 = 69 expected, quantile 86,25, minus 10 + 2 -> 74,25 -> 13 packs of 6 = 78
    assert "*Yaourt nature* : commander *78* (13 × 6)" in reply.text
    lonely = ask("/commande", "yaourt", Where("C0NOWHERE", links=where.links))
    assert "ajoutez `magasin &lt;nom&gt;`" in lonely.text and not lonely.in_channel  # Slack-escaped


def test_customer_commands_on_a_sales_log_say_there_are_no_customers() -> None:
    from bot.errors import user_message
    from ml.errors import NoCustomerData

    assert "Ces données n'ont pas de clients" in plain(user_message(NoCustomerData("freshretailnet50k"), "fr"))
    assert "These data have no customers" in user_message(NoCustomerData("freshretailnet50k"), "en")


def test_linking_outside_a_channel_explains_how() -> None:
    reply = ask("/caddie", "magasin Nantes", Where())
    assert not reply.in_channel
    assert "ajoutez `magasin &lt;nom&gt;` à la commande" in reply.text  # Slack-escaped


def test_a_database_down_falls_back_to_the_setting_and_says_a_link_cannot_be_saved(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database folder should be")
    links = ChannelStores.from_settings(f"sqlite:///{blocker / 'caddie.db'}", "C0LYON=1")  # starts anyway
    where = Where("C0LYON", links=links)
    assert links.link_of("C0LYON").single_store == "1"
    assert "Lyon Part-Dieu" in ask("/forecast", "yaourt", where).text
    reply = ask("/caddie", "magasin Nantes", where)
    assert not reply.in_channel and "base de données indisponible" in reply.text
