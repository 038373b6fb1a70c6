"""Bot settings: run-mode resolution, token verification, the reference day."""

from __future__ import annotations

from datetime import date

import pytest

from bot.settings import BotSettings, ConfigError


def settings(**values: object) -> BotSettings:
    return BotSettings(_env_file=None, **values)


@pytest.mark.parametrize(("values", "mode"), [
    ({}, "console"),
    ({"slack_bot_token": "xoxb-1"}, "console"),
    ({"slack_bot_token": "xoxb-1", "slack_signing_secret": "s"}, "http"),
    ({"slack_bot_token": "xoxb-1", "slack_app_token": "xapp-1"}, "socket"),
    ({"slack_bot_token": "xoxb-1", "slack_app_token": "xapp-1", "slack_signing_secret": "s"}, "socket"),
    ({"slack_bot_token": "  ", "slack_app_token": "xapp-1"}, "console"),
    ({"mode": "console", "slack_bot_token": "xoxb-1", "slack_app_token": "xapp-1"}, "console"),
])
def test_auto_mode_follows_the_tokens_present(values: dict[str, object], mode: str) -> None:
    assert settings(**values).resolved_mode() == mode


@pytest.mark.parametrize(("values", "missing"), [
    ({"mode": "http", "slack_bot_token": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
    ({"mode": "http"}, "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET"),
    ({"mode": "socket", "slack_bot_token": "xoxb-1"}, "SLACK_APP_TOKEN"),
    ({"mode": "socket", "slack_bot_token": "xoxb-1", "slack_app_token": "xoxb-2"}, "xapp-"),
    ({"slack_bot_token": "xoxb-1", "slack_app_token": "xoxb-2"}, "xapp-"),
])
def test_explicit_mode_without_its_credentials_is_a_config_error(values: dict[str, object], missing: str) -> None:
    with pytest.raises(ConfigError, match=missing):
        settings(**values).resolved_mode()


def test_token_is_verified_only_against_the_real_slack() -> None:
    assert settings().token_verification_enabled
    assert settings(slack_api_url="https://slack.com/api").token_verification_enabled
    assert not settings(slack_api_url="http://127.0.0.1:8123/api/").token_verification_enabled


def test_today_override_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TODAY", "2024-07-01")
    monkeypatch.setenv("LANGUAGE", "en")
    monkeypatch.setenv("FORECAST_TOP_N", "7")
    loaded = BotSettings(_env_file=None)
    assert loaded.current_day() == date(2024, 7, 1)
    assert (loaded.language, loaded.forecast_top_n) == ("en", 7)
    monkeypatch.delenv("TODAY")
    assert settings().current_day() == settings().now().date()


@pytest.mark.parametrize(("value", "lang"), [("en", "en"), ("FR", "fr"), ("fr_FR:fr", "fr"), ("en_GB.UTF-8", "en")])
def test_language_accepts_gettext_style_values(monkeypatch: pytest.MonkeyPatch, value: str, lang: str) -> None:
    monkeypatch.setenv("LANGUAGE", value)
    assert BotSettings(_env_file=None).language == lang
