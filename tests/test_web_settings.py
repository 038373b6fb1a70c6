"""The web service's settings: documented in .env.example, blank API_PORT means no API port."""

from __future__ import annotations

import re

from bot.web.settings import WebSettings
from tests.test_env_example import EXAMPLE


def test_every_web_setting_is_documented_and_the_example_loads() -> None:
    documented = set(re.findall(r"^([A-Z_]+)=", EXAMPLE.read_text(encoding="utf-8"), flags=re.MULTILINE))
    assert {name.upper() for name in WebSettings.model_fields} <= documented
    web = WebSettings(_env_file=EXAMPLE)
    assert web.api_port is None and web.api_rate_burst >= 1


def test_api_port_from_the_environment(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("API_PORT", "8080")
    assert WebSettings(_env_file=None).api_port == 8080
    monkeypatch.setenv("API_PORT", " ")
    assert WebSettings(_env_file=None).api_port is None
