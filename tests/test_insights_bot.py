"""/abtest and /client parsing and rendering, the customer card and segments on hand-made logs, the gate."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from bot.access import AccessPolicy
from bot.audit import AuditLog, Requester
from bot.commands import HelpCommand
from bot.customer_gate import CustomerGate
from bot.errors import UsageError, user_message
from bot.insights import Insights
from bot.insights_answers import answer_insight
from bot.insights_commands import AbtestCommand, ClientCommand, parse_abtest, parse_client
from bot.insights_rendering import (
    abtest_blocks,
    abtest_list_blocks,
    client_card_blocks,
    parse_vote_value,
    sparkline,
    with_vote_buttons,
)
from bot.settings import BotSettings
from ml.customer_card import build_card
from ml.experiments.definition import parse_experiment
from ml.experiments.report import build_report
from ml.results import Product, Reason, ReasonCode, Recommendation, RecommendationResult
from ml.segments import segment_customers, summarise


@pytest.mark.parametrize("text, expected", [
    ("", AbtestCommand(None)), ("Reco-2024", AbtestCommand("reco-2024")), ("aide", HelpCommand("abtest")),
])
def test_parse_abtest(text, expected):
    assert parse_abtest(text) == expected


@pytest.mark.parametrize("text", ["client 42", "client n°42", "#42", "４２", "42 :wave:"])
def test_parse_client(text):
    assert parse_client(text) == ClientCommand("42")


def test_client_mistakes_name_the_problem_and_the_syntax():
    assert parse_client("") == HelpCommand("client")
    with pytest.raises(UsageError) as caught:
        parse_client("42 lait")
    message = user_message(caught.value, "fr")
    assert "«\u00a0lait\u00a0»" in message and "/client <numéro>" in message
    with pytest.raises(UsageError):
        parse_abtest("reco autre")


def _report():
    outcomes = pd.DataFrame({"arm": ["popular"] * 100 + ["model"] * 100,
                             "converted": [True] * 5 + [False] * 95 + [True] * 15 + [False] * 85,
                             "basket_value": [10.0] * 200})
    return build_report(parse_experiment("reco:popular=1,model=1"), outcomes, None)


def test_abtest_report_shows_rates_intervals_difference_and_sample_size():
    report = _report()
    text, blocks = abtest_blocks(report, "fr")
    assert "5 / 100" in text and "15 / 100" in text
    popular, model = report.arms
    for bound in (popular.interval.low, popular.interval.high, model.interval.high):  # Wilson bounds, in French
        assert f"{100 * bound:.1f}".replace(".", ",") in text
    # 5/100 against 15/100: pooled 0.1, z = 0.1 / sqrt(0.1 * 0.9 * 0.02) = 2.357, p = 0.018
    assert "+10 points" in text and "0,018" in text and "significative" in text
    c = report.comparisons[0]
    assert c.significant and f"{c.needed_minimum:,}".replace(",", "\u202f") in text
    assert blocks[0]["type"] == "header" and len(blocks) <= 50
    english, _ = abtest_blocks(report, "en")
    assert "Significant at the 5% level" in english


def test_abtest_list():
    text, _ = abtest_list_blocks([], "fr")
    assert "Aucune expérience" in text and "EXPERIMENTS" in text
    text, _ = abtest_list_blocks([(parse_experiment("reco:popular=1,model=3"), 12)], "en")
    assert "*reco*" in text and "popular 25%" in text and "model 75%" in text and "12 customers" in text


def _lines() -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = [("7", "A", "2024-05-02", 2, 1.5, "1", "b1"), ("7", "B", "2024-05-02", 1, 4.0, "1", "b1"),
            ("7", "A", "2024-06-20", 1, 1.5, "1", "b2"), ("7", "C", "2024-01-10", 3, 2.0, "2", "b3")]
    lines = pd.DataFrame(rows, columns=["customer_id", "product_id", "timestamp", "quantity", "price", "store_id",
                                        "basket_id"])
    products = pd.DataFrame({"product_id": ["A", "B", "C"], "name": ["Lait", "Pain", "Café"],
                             "category": ["crèmerie", "boulangerie", "épicerie"]})
    return lines, products


def test_customer_card_from_a_hand_made_log():
    lines, products = _lines()
    card = build_card(lines, products, "7", date(2024, 6, 30))
    assert (card.visits, card.visits_90, card.first_visit, card.last_visit) == (
        3, 2, date(2024, 1, 10), date(2024, 6, 20))
    assert card.mean_basket == pytest.approx((3.0 + 4.0 + 1.5 + 6.0) / 3)
    assert card.mean_items == pytest.approx((3 + 1 + 3) / 3)
    # spend: crèmerie 4.5, épicerie 6, boulangerie 4 of 14.5
    assert [(c.category, round(c.share, 4)) for c in card.categories] == [
        ("épicerie", round(6 / 14.5, 4)), ("crèmerie", round(4.5 / 14.5, 4)), ("boulangerie", round(4 / 14.5, 4))]
    assert card.products[0].name == "Lait"  # in two visits
    assert len(card.timeline) == 12 and card.timeline[-1].month == date(2024, 6, 1)
    assert [p.visits for p in card.timeline][-6:] == [1, 0, 0, 0, 1, 1]
    text, blocks = client_card_blocks(card, "fr")
    assert "3 au total" in text and "épicerie (41" in text and "Lait" in text
    assert "▁" in str(blocks) and "█" in str(blocks)


def test_sparkline():
    assert sparkline([0, 1, 2, 4]) == "▁▃▅█"  # bar index round(v / 4 * 7): 0, 2, 4, 7
    assert sparkline([0, 0]) == "▁▁"



def test_vote_buttons_under_each_recommendation():
    items = tuple(Recommendation(Product(f"P{i}", f"Produit {i}"), 1.0, Reason(ReasonCode.POPULAR)) for i in range(3))
    result = RecommendationResult("42", items, "Recommender", date(2024, 6, 30))
    blocks = with_vote_buttons([{"type": "section"}, {"type": "context", "elements": []}], result, "fr")
    assert [b["type"] for b in blocks] == ["section", "actions", "actions", "actions", "context"]
    up, down = blocks[2]["elements"]
    assert parse_vote_value(up["value"]) == ("42", "P1", "Produit 1") == parse_vote_value(down["value"])
    assert (up["action_id"], down["action_id"]) == ("reco_vote_up", "reco_vote_down")
    assert parse_vote_value("garbage") is None


def test_segments_by_recency_and_frequency():
    rows = ([("new", "2024-06-20")] + [("loyal", f"{d:%Y-%m-%d}") for d in pd.date_range("2024-01-07", periods=26, freq="7D")]
            + [("regular", "2024-01-05"), ("regular", "2024-06-25"), ("risk", "2024-01-02"), ("risk", "2024-05-01"),
               ("gone", "2023-12-01"), ("gone", "2024-02-01")])
    days = pd.DataFrame(rows, columns=["customer_id", "day"]).assign(spend=10.0)
    segments = segment_customers(days, date(2024, 6, 30))
    assert segments.to_dict() == {"gone": "lapsed", "loyal": "loyal", "new": "new", "regular": "regular",
                                  "risk": "at_risk"}
    summary = {s.name: s for s in summarise(days, date(2024, 6, 30))}
    assert summary["loyal"].customers == 1 and summary["loyal"].mean_visits == 26  # weekly, January to June
    assert summary["loyal"].mean_spend == 260 and summary["lapsed"].mean_visits == 2  # both within 365 days


def _gate(tmp_path, **settings) -> CustomerGate:
    values = {"slack_team_id": "T1", "customer_channels": ("CALLOWED",), **settings}
    bot_settings = BotSettings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'a.db'}", **values)
    return CustomerGate(AccessPolicy(bot_settings), AuditLog(bot_settings.database_url))


def test_client_refused_outside_the_allowed_channels_and_withheld_without_audit(caddie, tmp_path):
    insights = Insights(f"sqlite:///{tmp_path / 'none.db'}")
    customer = caddie.customers()[0]
    elsewhere = Requester("U1", "T1", "COTHER", "command")
    reply = answer_insight("/client", customer, caddie, _gate(tmp_path), elsewhere, insights)
    assert "<#CALLOWED>" in reply.text and f"Client {customer}" not in reply.text
    assert AuditLog(f"sqlite:///{tmp_path / 'a.db'}").entries() == []
    # allowed, but the database holds no transactions: a clear message, not a trace
    allowed = Requester("U1", "T1", "CALLOWED", "command")
    reply = answer_insight("/client", customer, caddie, _gate(tmp_path), allowed, insights)
    assert "base de données" in reply.text or "client" in reply.text.lower()
    assert "Traceback" not in reply.text


def test_client_withheld_when_the_audit_cannot_be_written(caddie, trained_dir, tmp_path):
    insights = Insights(f"sqlite:///{trained_dir.parent / 'caddie.db'}")
    db = tmp_path / "audit.db"
    AuditLog(f"sqlite:///{db}").entries()  # creates the tables
    gate = CustomerGate(AccessPolicy(BotSettings(_env_file=None, slack_team_id="T1", customer_channels=("C1",))),
                        AuditLog(f"sqlite:///file:{db}?mode=ro&uri=true"))  # read-only: the audit row fails
    customer = caddie.customers()[0]
    reply = answer_insight("/client", customer, caddie, gate, Requester("U1", "T1", "C1", "command"), insights)
    assert f"Client {customer}" not in reply.text and "enregistrée" in reply.text
