"""The local console: same answers as Slack, as text; charts saved as PNG files; `python -m bot --once`."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bot.audit import AuditLog
from bot.console import Console, blocks_to_text
from bot.customer_gate import console_gate
from bot.settings import BotSettings

REPO = Path(__file__).resolve().parents[1]


def test_blocks_to_text_renders_every_block_kind() -> None:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Prévision : Yaourt"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "Voir <https://example.org|le détail>"},
         "fields": [{"type": "mrkdwn", "text": "*Lundi*"}, {"type": "mrkdwn", "text": "12 unités"}]},
        {"type": "divider"},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "Données jusqu'au 30/06"},
                                         {"type": "image", "image_url": "https://x", "alt_text": "logo"}]},
        {"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Ouvrir"}}]},
        {"type": "image", "image_url": "https://x/chart.png", "alt_text": "graphique"},
        {"type": "mystery"},
    ]
    assert blocks_to_text(blocks).splitlines() == [
        "Prévision : Yaourt", "=" * len("Prévision : Yaourt"),
        "Voir le détail", "Lundi", "12 unités",
        "-" * 40,
        "Données jusqu'au 30/06  [logo]",
        "[Ouvrir]",
        "[graphique]",
    ]
    assert blocks_to_text([]) == ""
    code = {"type": "section", "text": {"type": "mrkdwn", "text": "```\nJour   Prévision\nlun.   3 * 4\n```"}}
    assert blocks_to_text([code]).splitlines() == ["Jour   Prévision", "lun.   3 * 4"]
    escaped = {"type": "section", "text": {"type": "mrkdwn", "text": ":warning: `/forecast &lt;produit&gt;`"}}
    assert blocks_to_text([escaped]) == "⚠ `/forecast <produit>`"


def _product_word(caddie) -> str:  # noqa: ANN001
    return caddie.products(1)[0].name.split()[0].lower()


def _gate(tmp_path: Path):  # noqa: ANN202
    return console_gate(BotSettings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'caddie.db'}"))


def test_console_session_answers_saves_charts_and_quits(caddie, tmp_path: Path) -> None:
    out = io.StringIO()
    customer = caddie.customers()[0]
    script = io.StringIO(f"help\n/forecast {_product_word(caddie)} demain\n\nrecommend client {customer}\n"
                         "predict profil\n/forecast zzqxw\nbonjour\nquit\n/target never-read\n")
    console = Console(caddie, out, gate=_gate(tmp_path), lang="fr", today=caddie.as_of + timedelta(days=1),
                      charts_dir=tmp_path / "charts", user="operator")

    assert console.loop(script, prompt=False) == 0

    text = out.getvalue()
    assert "/recommend" in text and "/target" in text  # help
    charts = list((tmp_path / "charts").glob("*.png"))
    assert len(charts) == 1 and charts[0].read_bytes().startswith(b"\x89PNG")
    assert str(charts[0]) in text
    assert "zzqxw" in text  # the unknown product is named back
    assert "bonjour" in text  # unknown command
    assert "Slack" in text  # the what-if form needs Slack
    assert "never-read" not in text and "Traceback" not in text
    assert f"client {customer}" in text  # the console is exempt from the channel rules...
    [entry] = AuditLog(f"sqlite:///{tmp_path / 'caddie.db'}").entries()  # ...not from the audit log
    assert (entry["user_id"], entry["how"], entry["command"], entry["customer_id"]) == (
        "operator", "console", "recommend", customer)


def test_console_stops_at_end_of_input(caddie, tmp_path: Path) -> None:
    out = io.StringIO()
    console = Console(caddie, out, gate=_gate(tmp_path), lang="en", today=caddie.as_of + timedelta(days=1),
                      charts_dir=tmp_path)
    assert console.loop(io.StringIO("help\n"), prompt=True) == 0
    assert "Commands" in out.getvalue()


def _bot_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update({"MODE": "auto", "LOG_LEVEL": "WARNING", "PYTHONPATH": str(REPO)}, **extra)
    return env


def test_once_prints_one_reply_and_exits(caddie, trained_dir: Path, tmp_path: Path) -> None:
    env = _bot_env(tmp_path, MODEL_DIR=str(trained_dir), TODAY=str(caddie.as_of + timedelta(days=1)),
                   CHARTS_DIR=str(tmp_path / "charts"), DATABASE_URL=f"sqlite:///{tmp_path / 'caddie.db'}")
    done = subprocess.run([sys.executable, "-m", "bot", "--once", f"/forecast {_product_word(caddie)} demain"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert caddie.products(1)[0].name in done.stdout
    [chart] = (tmp_path / "charts").glob("*.png")
    assert str(chart) in done.stdout


@pytest.mark.parametrize(("env", "message"), [
    ({"MODE": "http", "SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
    ({"MODE": "socket", "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-wrong"}, "xapp-"),
    ({"FORECAST_CRON": "tous les matins"}, "FORECAST_CRON"),
])
def test_bad_configuration_gets_one_friendly_line(tmp_path: Path, env: dict[str, str], message: str) -> None:
    done = subprocess.run([sys.executable, "-m", "bot"], cwd=tmp_path, env={**_bot_env(tmp_path), **env},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
