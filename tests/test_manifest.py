"""manifest.yaml declares exactly what the app listens to."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.listeners import SIMULATE_SHORTCUT_ID, SLASH_COMMANDS

MANIFEST = yaml.safe_load((Path(__file__).resolve().parents[1] / "manifest.yaml").read_text(encoding="utf-8"))


def test_every_slash_command_is_declared_with_a_usage_hint() -> None:
    declared = {c["command"]: c for c in MANIFEST["features"]["slash_commands"]}
    assert set(declared) == set(SLASH_COMMANDS)
    assert all(c["usage_hint"] and c["description"] for c in declared.values())


def test_the_shortcut_and_home_tab_are_wired() -> None:
    assert [s["callback_id"] for s in MANIFEST["features"]["shortcuts"]] == [SIMULATE_SHORTCUT_ID]
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True
    assert "app_home_opened" in MANIFEST["settings"]["event_subscriptions"]["bot_events"]
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True


def test_bot_scopes_cover_what_the_bot_calls() -> None:
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "files:write", "usergroups:read"} <= scopes
