"""Daily model refresh: the live Caddie forwards to the current models and swaps in fresh ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from slack_sdk import WebClient

from bot.refresh import FixedCaddie, LiveCaddie, refresh_models
from bot.jobs import JOB, REFRESH_JOB, start_scheduler
from bot.settings import BotSettings
from ml.errors import DataFormatError
from ml.service import Caddie


def test_live_caddie_answers_like_the_caddie_it_holds(caddie) -> None:
    live = LiveCaddie(caddie)
    assert live.current() is caddie
    assert live.current().forecast("yaourt") == caddie.forecast("yaourt")


def test_a_refresh_swaps_in_the_freshly_loaded_models(caddie, trained_dir: Path) -> None:
    live = LiveCaddie(caddie)
    assert refresh_models(live, train=lambda: trained_dir, load=lambda d: Caddie.load(d, horizon_days=7))
    assert live.current() is not caddie
    assert live.current().horizon_days == 7 and caddie.horizon_days == 14


def test_a_failed_refresh_keeps_answering_with_the_old_models(caddie, caplog: pytest.LogCaptureFixture) -> None:
    live = LiveCaddie(caddie)

    def broken_training() -> Path:
        raise DataFormatError("online_retail.csv.xz not found")

    assert not refresh_models(live, train=broken_training, load=Caddie.load)
    assert live.current() is caddie
    assert "model refresh failed" in caplog.text and "online_retail.csv.xz" in caplog.text


def _settings(**values: object) -> BotSettings:
    return BotSettings(_env_file=None, slack_bot_token="xoxb-test", **values)


def test_the_refresh_runs_on_its_own_cron_even_without_a_logistics_channel(caddie) -> None:
    scheduler = start_scheduler(_settings(refresh_cron="45 4 * * *"), WebClient(token="xoxb-test"), FixedCaddie(caddie),
                                refresh=lambda: None)
    try:
        job = scheduler.get_job(REFRESH_JOB)
        assert job is not None and scheduler.get_job(JOB) is None
        assert (str(job.trigger.fields[5]), str(job.trigger.fields[6])) == ("4", "45")  # hour, minute
        assert job.coalesce and job.max_instances == 1
    finally:
        scheduler.shutdown(wait=False)


def test_an_empty_refresh_cron_turns_the_refresh_off(caddie, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFRESH_CRON", "")
    settings = _settings()
    assert settings.refresh_cron == ""
    scheduler = start_scheduler(settings, WebClient(token="xoxb-test"), FixedCaddie(caddie), refresh=lambda: None)
    try:
        assert scheduler.get_job(REFRESH_JOB) is None
    finally:
        scheduler.shutdown(wait=False)


def test_an_invalid_refresh_cron_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFRESH_CRON", "every night")
    with pytest.raises(ValidationError, match="refresh_cron"):
        BotSettings(_env_file=None)
