"""Who may see answers about customers, the audit log, and logs without customer data (real Bolt app, fake Slack)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.access import AccessPolicy, UsergroupMembers
from bot.app import create_client
from bot.audit import AuditLog, Requester
from bot.settings import BotSettings, ConfigError
from tests.fake_slack import FakeSlack, fake_slack_fixture  # noqa: F401 - the fake_slack fixture
from tests.test_slack_app import CHANNEL, USER, Bot, bot_settings, serve

OTHER_CHANNEL, STAFF = "C0CAISSE", "S0STAFF"


def _customer(caddie) -> str:  # noqa: ANN001
    """The customer with the longest id: easy to spot in a log."""
    return max(caddie.customers(), key=len)


def _audit(tmp_path: Path) -> list[dict]:
    return AuditLog(f"sqlite:///{tmp_path / 'caddie.db'}").entries()


def _answer(bot: Bot, key: str = "r1") -> dict:
    [answer] = bot.fake.wait_for(path_prefix=f"/response/{key}")
    return answer.payload


@pytest.fixture
def bot(fake_slack: FakeSlack, caddie, tmp_path: Path):  # noqa: ANN201
    with serve(bot_settings(fake_slack, caddie, tmp_path), caddie, fake_slack) as running:
        yield running


# -- channels and workspace ------------------------------------------------------------------------

def test_an_allowed_channel_gets_an_ephemeral_answer_and_an_audit_row(bot: Bot, caddie, tmp_path: Path) -> None:
    customer = _customer(caddie)
    bot.command("/recommend", f"client {customer}")
    answer = _answer(bot)
    assert answer["response_type"] == "ephemeral" and customer in answer["text"]
    [row] = _audit(tmp_path)
    assert (row["user_id"], row["team_id"], row["channel_id"], row["how"]) == (USER, "T0TEST", CHANNEL, "command")
    assert (row["command"], row["customer_id"], row["product"]) == ("recommend", customer, None)


def test_target_records_the_product_and_how_many_customers_were_named(bot: Bot, caddie, tmp_path: Path) -> None:
    product = caddie.products(1)[0].name.split()[0].lower()
    bot.command("/target", f"{product} 7")
    answer = _answer(bot)
    [row] = _audit(tmp_path)
    assert (row["command"], row["product"], row["customer_id"]) == ("target", product, None)
    listed = [c.customer_id for c in caddie.target(product, 7).customers]
    assert row["customer_count"] == len(listed) and 0 < len(listed) <= 7
    assert all(c in answer["text"] for c in listed)


@pytest.mark.parametrize("command,text", [("/recommend", "client {c}"), ("/predict", "client {c} lait"),
                                          ("/target", "lait")])
def test_every_customer_command_from_an_unlisted_channel_is_refused(bot: Bot, caddie, tmp_path: Path, command: str,
                                                                    text: str) -> None:
    customer = _customer(caddie)
    bot.command(command, text.format(c=customer), channel=OTHER_CHANNEL)
    answer = _answer(bot)
    assert answer["response_type"] == "ephemeral"
    assert f"<#{CHANNEL}>" in answer["text"], "the refusal says where to ask"
    assert customer not in answer["text"]
    bot.settle()
    assert _audit(tmp_path) == [], "nothing was answered, nothing to audit"


def test_a_request_from_another_workspace_is_refused(bot: Bot, caddie, tmp_path: Path) -> None:
    bot.command("/recommend", f"client {_customer(caddie)}", team="T0OTHER")
    answer = _answer(bot)
    assert "espace de travail" in answer["text"] and _customer(caddie) not in answer["text"]
    assert f"<#{CHANNEL}>" not in answer["text"], "another workspace is not told about ours"


def test_forecasts_stay_open_to_every_channel(bot: Bot, caddie) -> None:
    bot.command("/forecast", caddie.products(1)[0].name.split()[0].lower(), channel=OTHER_CHANNEL)
    assert _answer(bot)["response_type"] == "in_channel"


def test_customer_answers_go_in_channel_only_when_configured(fake_slack: FakeSlack, caddie, tmp_path: Path) -> None:
    settings = bot_settings(fake_slack, caddie, tmp_path, customer_answers_in_channel=True)
    with serve(settings, caddie, fake_slack) as bot:
        bot.command("/recommend", f"client {_customer(caddie)}")
        assert _answer(bot)["response_type"] == "in_channel"


def test_nothing_configured_means_nobody(fake_slack: FakeSlack, caddie, tmp_path: Path) -> None:
    settings = bot_settings(fake_slack, caddie, tmp_path, customer_channels=(), slack_team_id=None)
    with serve(settings, caddie, fake_slack) as bot:
        bot.command("/recommend", f"client {_customer(caddie)}")
        answer = _answer(bot)
        assert "pas activées" in answer["text"] and _customer(caddie) not in answer["text"]


# -- user groups -----------------------------------------------------------------------------------

def test_members_of_a_user_group_may_ask_anywhere(fake_slack: FakeSlack, caddie, tmp_path: Path) -> None:
    fake_slack.usergroups[STAFF] = [USER]
    settings = bot_settings(fake_slack, caddie, tmp_path, customer_channels=(), customer_usergroups=(STAFF,))
    with serve(settings, caddie, fake_slack) as bot:
        bot.command("/recommend", f"client {_customer(caddie)}", channel=OTHER_CHANNEL)
        assert _customer(caddie) in _answer(bot)["text"]
        bot.command("/recommend", f"client {_customer(caddie)}", key="r2", user="U0BOB", channel=OTHER_CHANNEL)
        refused = _answer(bot, "r2")
        assert f"<!subteam^{STAFF}>" in refused["text"] and _customer(caddie) not in refused["text"]
    [lookup] = fake_slack.calls("usergroups.users.list")  # the second request used the cached member list
    assert "S0STAFF" in lookup.path or lookup.payload.get("usergroup") == STAFF


def test_the_member_list_is_cached_then_read_again(fake_slack: FakeSlack) -> None:
    fake_slack.usergroups[STAFF] = [USER]
    clock = [100.0]
    members = UsergroupMembers(create_client(_settings(fake_slack)), ttl=60, clock=lambda: clock[0])
    assert members.members(STAFF) == {USER}
    fake_slack.usergroups[STAFF] = ["U0BOB"]
    clock[0] += 59
    assert members.members(STAFF) == {USER}
    clock[0] += 2
    assert members.members(STAFF) == {"U0BOB"}, "a user removed from the group loses access after the TTL"
    assert len(fake_slack.calls("usergroups.users.list")) == 2


def test_an_unreadable_user_group_grants_nothing(fake_slack: FakeSlack) -> None:
    fake_slack.fail("usergroups.users.list", "missing_scope")
    policy = AccessPolicy(_settings(fake_slack, customer_usergroups=(STAFF,)),
                          UsergroupMembers(create_client(_settings(fake_slack))))
    refusal = policy.refusal(Requester(USER, "T0TEST", OTHER_CHANNEL, "command"))
    assert refusal is not None and refusal.key == "groups"


def _settings(fake: FakeSlack, **values: object) -> BotSettings:
    base: dict[str, object] = {"slack_bot_token": "xoxb-test", "slack_api_url": fake.api_url, "slack_team_id": "T0TEST"}
    return BotSettings(_env_file=None, **{**base, **values})


def test_lists_are_read_comma_separated_and_customer_access_needs_the_workspace(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUSTOMER_CHANNELS", "C0ONE, #C0TWO,")
    monkeypatch.setenv("CUSTOMER_USERGROUPS", "S0STAFF")
    settings = BotSettings(_env_file=None)
    assert settings.customer_channels == ("C0ONE", "C0TWO") and settings.customer_usergroups == (STAFF,)
    with pytest.raises(ConfigError, match="SLACK_TEAM_ID"):
        settings.check_customer_access()


# -- audit failures and logs -----------------------------------------------------------------------

def test_no_answer_about_a_customer_when_the_audit_cannot_be_written(fake_slack: FakeSlack, caddie,
                                                                     tmp_path: Path) -> None:
    db = tmp_path / "caddie.db"
    AuditLog(f"sqlite:///{db}").entries()  # creates the tables
    read_only = f"sqlite:///file:{db}?mode=ro&uri=true"  # (file modes would not stop a test run as root)
    with serve(bot_settings(fake_slack, caddie, tmp_path, database_url=read_only), caddie, fake_slack) as bot:
        bot.command("/recommend", f"client {_customer(caddie)}")
        answer = _answer(bot)
    assert "enregistrée" in answer["text"] and _customer(caddie) not in answer["text"]
    with sa.create_engine(f"sqlite:///{db}").connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM audit_log")).scalar_one() == 0


def test_debug_logs_hold_no_customer_id_reply_or_response_url(bot: Bot, caddie,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    customer, product = _customer(caddie), caddie.products(1)[0].name.split()[0].lower()
    commands = [("/recommend", f"client {customer}"), ("/predict", f"client {customer} {product}"),
                ("/target", f"{product} 5"), ("/recommend", "client 987654321"), ("/predict", f"{customer}")]
    for i, (command, text) in enumerate(commands):
        bot.command(command, text, key=f"k{i}")
        bot.fake.wait_for(path_prefix=f"/response/k{i}")
    bot.settle()
    assert any("audited" in r.getMessage() for r in caplog.records), "DEBUG lines were logged, without data"
    named = {customer, "987654321", *(c.customer_id for c in caddie.target(product, 5).customers)}
    for record in caplog.records:
        message = record.getMessage() + (record.exc_text or "")
        assert "/response/" not in message and "response_url" not in message, message
        found = [c for c in named if re.search(rf"(?<![\w.:-]){re.escape(c)}(?![\w.:-])", message)]
        assert not found, f"customer id {found} in log line: {message}"


def test_the_slack_library_would_log_the_response_url_at_debug_if_not_held(fake_slack: FakeSlack,
                                                                         caplog: pytest.LogCaptureFixture) -> None:
    """Why :func:`bot.logs.keep_payloads_out_of_logs` exists (a control for the test above)."""
    from slack_sdk.webhook import WebhookClient

    caplog.set_level(logging.DEBUG, logger="slack_sdk")  # what LOG_LEVEL=DEBUG would do without the hold
    WebhookClient(fake_slack.response_url("leak")).send(text="client 4242")
    assert "/response/leak" in caplog.text and "4242" in caplog.text
