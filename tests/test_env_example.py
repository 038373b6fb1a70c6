""".env.example, copied as is to .env, is a valid configuration that runs the local console."""

from __future__ import annotations

import re
from pathlib import Path

from bot.settings import BotSettings
from ml.settings import MLSettings

EXAMPLE = Path(__file__).resolve().parents[1] / ".env.example"


def test_the_example_file_loads_into_both_settings_and_means_console_mode() -> None:
    bot, ml = BotSettings(_env_file=EXAMPLE), MLSettings(_env_file=EXAMPLE)
    assert bot.resolved_mode() == "console" and bot.today is None and bot.logistics_channel is None
    assert ml.data_source == "simulator" and ml.simulator_end is None


def test_every_setting_is_documented_in_the_example_file() -> None:
    documented = set(re.findall(r"^([A-Z_]+)=", EXAMPLE.read_text(encoding="utf-8"), flags=re.MULTILINE))
    fields = {name.upper() for name in [*BotSettings.model_fields, *MLSettings.model_fields]}
    assert fields <= documented, sorted(fields - documented)
