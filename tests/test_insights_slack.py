"""/client, /abtest and the 👍/👎 buttons through the real Bolt app (fake Slack, signed requests)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from bot.audit import AuditLog
from ml.experiments.assignment import assign
from ml.experiments.definition import parse_experiment
from ml.experiments.log import ExperimentLog
from ml.experiments.settings import ExperimentSettings
from tests.fake_slack import FakeSlack, fake_slack_fixture  # noqa: F401 - the fake_slack fixture
from tests.test_slack_app import CHANNEL, USER, Bot, bot_settings, serve

OTHER_CHANNEL = "C0CAISSE"


@pytest.fixture
def bot(fake_slack: FakeSlack, caddie, trained_dir: Path, tmp_path: Path, monkeypatch):  # noqa: ANN201
    """A bot whose database holds the trained data (a copy: exposures and votes stay in this test)."""
    for name in ExperimentSettings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    shutil.copy(trained_dir.parent / "caddie.db", tmp_path / "caddie.db")
    with serve(bot_settings(fake_slack, caddie, tmp_path), caddie, fake_slack) as running:
        yield running


def _answer(bot: Bot, key: str = "r1") -> dict:
    [answer] = bot.fake.wait_for(path_prefix=f"/response/{key}")
    return answer.payload


def _visits(small_dataset, customer: str) -> int:
    tx = small_dataset.transactions
    mine = tx[tx["customer_id"].astype("string") == customer]
    return int(mine["basket_id"].nunique())


def test_client_card_in_an_allowed_channel_is_audited(bot: Bot, caddie, small_dataset, tmp_path: Path) -> None:
    customer = caddie.customers()[0]
    bot.command("/client", f"client {customer}")
    answer = _answer(bot)
    assert answer["response_type"] == "ephemeral"  # customer data: the asker only
    text = str(answer["blocks"])
    assert f"Client {customer}" in text and f"{_visits(small_dataset, customer)} au total" in text
    bot.settle()
    [row] = AuditLog(f"sqlite:///{tmp_path / 'caddie.db'}").entries()
    assert (row["command"], row["customer_id"], row["channel_id"], row["user_id"]) == ("client", customer, CHANNEL,
                                                                                      USER)
    assert not [r for r in bot.fake.calls() if "files" in r.path], "no chart uploaded to the channel"


def test_client_card_elsewhere_is_refused_and_not_audited(bot: Bot, caddie, tmp_path: Path) -> None:
    customer = caddie.customers()[0]
    bot.command("/client", customer, channel=OTHER_CHANNEL)
    answer = _answer(bot)
    assert f"<#{CHANNEL}>" in answer["text"] and f"Client {customer}" not in answer["text"]
    bot.settle()
    assert AuditLog(f"sqlite:///{tmp_path / 'caddie.db'}").entries() == []


def test_recommend_serves_the_arm_logs_the_exposure_and_takes_votes(bot: Bot, caddie, tmp_path: Path) -> None:
    log = ExperimentLog(f"sqlite:///{tmp_path / 'caddie.db'}")
    experiment = parse_experiment("reco:popular=1,model=1")
    log.define(experiment)
    customer = caddie.customers()[1]
    bot.command("/recommend", f"client {customer}")
    answer = _answer(bot)
    arm = assign(experiment, customer, "caddie").name  # the default salt
    [exposure] = log.exposures("reco").to_dict("records")
    assert (exposure["customer_id"], exposure["arm"], exposure["channel"]) == (customer, arm, "slack")
    expected = caddie.products(5) if arm == "popular" else [r.product for r in caddie.recommend(customer, 5).items]
    assert exposure["items"] == tuple(p.product_id for p in expected)
    buttons = [e for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert len(buttons) == 2 * len(expected)
    up = buttons[0]
    assert up["action_id"] == "reco_vote_up" and expected[0].name in up["text"]["text"]
    bot.interaction({"type": "block_actions", "user": {"id": USER}, "team": {"id": "T0TEST"},
                     "channel": {"id": CHANNEL}, "api_app_id": "A0CADDIE", "token": "legacy",
                     "trigger_id": "1.2.3", "response_url": bot.fake.response_url("vote"),
                     "actions": [{"action_id": up["action_id"], "block_id": "reco_vote_1", "value": up["value"],
                                  "type": "button", "action_ts": "1"}]})
    thanks = _answer(bot, "vote")
    assert expected[0].name in thanks["text"] and thanks["response_type"] == "ephemeral"
    votes = log.votes("reco")
    assert votes[["arm", "customer_id", "product_id", "vote"]].values.tolist() == [
        [arm, customer, expected[0].product_id, 1]]

    bot.command("/abtest", "", key="list")
    assert "*reco*" in _answer(bot, "list")["text"]
    bot.command("/abtest", "reco", key="one")
    report = _answer(bot, "one")
    assert report["response_type"] == "in_channel" and "0 / 1" in report["text"]  # no purchase after it yet


def test_abtest_names_an_unknown_experiment(bot: Bot) -> None:
    bot.command("/abtest", "nope")
    text = _answer(bot)["text"]
    assert "nope" in text and "Aucune expérience" in text
