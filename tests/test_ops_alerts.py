"""The logistics post opens with yesterday's "prévu X, vendu Y"; alerts when accuracy degrades or sales stop."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.app import create_client
from bot.i18n import NNBSP, fmt_quantity
from bot.jobs import post_daily_forecasts
from bot.live_report import AlertSettings, engine_for, send_alerts, yesterday_line
from bot.post_claims import make_engine
from bot.settings import BotSettings
from ml import live_accuracy as la
from ml.precomputed import CHAIN_SCOPE
from tests.fake_slack import FakeSlack, fake_slack_fixture  # noqa: F401 - the fake_slack fixture

CHANNEL = "C0LOGISTICS"
TODAY = date(2024, 7, 10)


def served(product: str, mean: float, day: date, lower: float = 0.0, upper: float = 100.0,
           level: str = "chain", name: str = CHAIN_SCOPE) -> la.ServedForecast:
    return la.ServedForecast("post:logistics", level, name, product, day, mean, lower, upper, 80, "GBM",
                             day - timedelta(days=1))


def realise(engine, forecasts: list[la.ServedForecast], sold: dict[str, float]) -> None:  # noqa: ANN001
    la.record_served(engine, forecasts, now=datetime(2024, 7, 1))
    la.score(engine, lambda level, name, pid, day: sold.get(pid), through=max(f.day for f in forecasts))


@pytest.fixture
def engine(tmp_path: Path):
    return engine_for(f"sqlite:///{tmp_path / 'caddie.db'}")


def client_for(fake: FakeSlack):  # noqa: ANN201
    return create_client(BotSettings(_env_file=None, slack_bot_token="xoxb-test", slack_api_url=fake.api_url))


def alert_settings(threshold: float = 0.5, stale_days: int = 3, lang: str = "fr") -> AlertSettings:
    return AlertSettings(CHANNEL, threshold, stale_days, lang)


def test_accuracy_alert_fires_past_the_threshold_once_a_day(fake_slack: FakeSlack, engine) -> None:
    fresh = SimpleNamespace(as_of=TODAY - timedelta(days=1))
    days = [TODAY - timedelta(days=i) for i in range(1, 7)]
    # six forecasts of 10 units; each day sold 5: |10 - 5| / 5 = 100 % error, past the 50 % threshold
    realise(engine, [served("yaourt", 10, d) for d in days], {"yaourt": 5.0})
    client = client_for(fake_slack)

    assert send_alerts(client, engine, fresh, TODAY, alert_settings(threshold=1.5)) == []  # 100 % < 150 %
    assert send_alerts(client, engine, fresh, TODAY, alert_settings(threshold=0.5)) == ["alert_accuracy"]
    assert send_alerts(client, engine, fresh, TODAY, alert_settings(threshold=0.5)) == []  # once a day
    posts = fake_slack.calls("chat.postMessage")
    assert len(posts) == 1 and posts[0].payload["channel"] == CHANNEL
    assert f"trompées de 100{NNBSP}%" in posts[0].payload["text"] and "ACCURACY_ALERT_WAPE" in posts[0].payload["text"]
    # the next day, still degraded: told again
    assert send_alerts(client, engine, fresh, TODAY + timedelta(days=1), alert_settings()) == ["alert_accuracy"]


def test_too_few_forecasts_raise_no_accuracy_alert(fake_slack: FakeSlack, engine) -> None:
    realise(engine, [served("yaourt", 10, TODAY - timedelta(days=1))], {"yaourt": 1.0})  # 900 %, but one forecast
    fresh = SimpleNamespace(as_of=TODAY - timedelta(days=1))
    assert send_alerts(client_for(fake_slack), engine, fresh, TODAY, alert_settings()) == []


def test_stale_sales_alert_when_the_data_stops_arriving(fake_slack: FakeSlack, engine) -> None:
    client = client_for(fake_slack)
    three_days_old = SimpleNamespace(as_of=TODAY - timedelta(days=3))
    assert send_alerts(client, engine, three_days_old, TODAY, alert_settings(stale_days=3)) == []
    five_days_old = SimpleNamespace(as_of=TODAY - timedelta(days=5))
    assert send_alerts(client, engine, five_days_old, TODAY, alert_settings(stale_days=3, lang="en")) == [
        "alert_stale"]
    text = fake_slack.calls("chat.postMessage")[0].payload["text"]
    assert "Friday 5 July 2024 (5 days ago)" in text and "SALES_STALE_DAYS" in text


def test_yesterday_line_in_french_and_english(engine) -> None:
    yesterday = TODAY - timedelta(days=1)
    realise(engine, [served("yaourt", 10, yesterday), served("lait", 30, yesterday)], {"yaourt": 12.0, "lait": 33.0})
    # forecast 40, sold 45, |10-12| + |30-33| = 5 over 45 = 11 %
    assert yesterday_line(engine, TODAY, "fr") == (f":bar_chart: Hier (mar. 09/07)\u00a0: prévu 40, vendu 45 — "
                                                   f"écart de 11{NNBSP}% en moyenne.")
    assert yesterday_line(engine, TODAY, "en") == (":bar_chart: Yesterday (Tue 07-09): forecast 40, sold 45 — "
                                                   "off by 11% on average.")
    assert yesterday_line(engine, TODAY + timedelta(days=1), "fr") is None  # nothing served for the 10th


def test_the_logistics_post_opens_with_yesterdays_forecast_and_sales(fake_slack: FakeSlack, tmp_path: Path,
                                                                       caddie) -> None:
    url = f"sqlite:///{tmp_path / 'caddie.db'}"
    engine = make_engine(url)
    la.create_tables(engine)
    first, second = caddie.as_of + timedelta(days=1), caddie.as_of + timedelta(days=2)
    top = caddie.forecast_top(2, first)
    forecasts = [served(r.product.product_id, r.requested.mean, first) for r in top]
    sold = {r.product.product_id: round(r.requested.mean) + 3.0 for r in top}
    realise(engine, forecasts, sold)

    ts = post_daily_forecasts(client_for(fake_slack), caddie, engine, CHANNEL, second, "fr", 3)

    assert ts is not None
    blocks = fake_slack.calls("chat.postMessage")[0].payload["blocks"]
    opening = blocks[1]["text"]["text"]
    expected_forecast = sum(r.requested.mean for r in top)
    assert blocks[0]["type"] == "header" and opening.startswith(":bar_chart: Hier")
    assert f"prévu {fmt_quantity(expected_forecast, 'fr')}, vendu {fmt_quantity(sum(sold.values()), 'fr')}" in opening
