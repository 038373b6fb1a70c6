"""Operator errors: every misconfiguration gives ONE line on stderr naming the setting, exit status 2, no trace.

Each case runs the real entry point, ``python -m bot``, as a subprocess in an empty folder (no .env).
Created files are readable by their owner only.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ONCE = ["--once", "/forecast yaourt demain"]


@dataclass(frozen=True)
class Case:
    name: str
    setting: str  # the name the error line must contain
    env: dict[str, str]
    args: list[str] = field(default_factory=lambda: list(ONCE))


CASES = [
    Case("malformed database URL", "DATABASE_URL", {"DATABASE_URL": "not a url"}),
    Case("unknown database driver", "DATABASE_URL", {"DATABASE_URL": "oracle+nothing://u@h/db"}),
    Case("unreachable database at first start", "DATABASE_URL",
         {"DATABASE_URL": "postgresql+psycopg://caddie:x@127.0.0.1:1/caddie"}),
    Case("read-only database at first start", "DATABASE_URL",
         {"DATABASE_URL": "sqlite:///file:{tmp}/ro.db?mode=ro&uri=true"}),
    Case("unknown data source at first start", "DATA_SOURCE", {"DATA_SOURCE": "carrefour_2024"}),
    Case("public data missing from DATA_DIR", "DATA_DIR",
         {"DATA_SOURCE": "online_retail", "DATA_DIR": "{tmp}/nowhere"}),
    Case("malformed column mapping", "DATA_COLUMNS",
         {"DATA_SOURCE": "{tmp}/ro.db", "DATA_COLUMNS": "client"}),
    Case("bad simulator end", "SIMULATOR_END", {"SIMULATOR_END": "hier"}),
    Case("model folder is a file", "MODEL_DIR", {"MODEL_DIR": "{tmp}/ro.db"}),
    Case("model folder cannot be created", "MODEL_DIR", {"MODEL_DIR": "{tmp}/ro.db/models"}),
    Case("damaged models", "MODEL_DIR", {"MODEL_DIR": "{tmp}/damaged"}),
    Case("bad cron", "FORECAST_CRON", {"FORECAST_CRON": "tous les jours"}),
    Case("bad refresh cron", "REFRESH_CRON", {"REFRESH_CRON": "0 25 * * *"}),
    Case("unknown language", "LANGUAGE", {"LANGUAGE": "de"}),
    Case("unknown time zone", "TIMEZONE", {"TIMEZONE": "Europe/Lutece"}),
    Case("unknown log level", "LOG_LEVEL", {"LOG_LEVEL": "BAVARD"}),
    Case("TODAY not a date", "TODAY", {"TODAY": "demain"}),
    Case("horizon not a number", "FORECAST_HORIZON_DAYS", {"FORECAST_HORIZON_DAYS": "deux semaines"}),
    Case("HTTP mode without signing secret", "SLACK_SIGNING_SECRET", {"SLACK_BOT_TOKEN": "xoxb-1"},
         args=["--mode", "http"]),
    Case("Socket Mode with a bot token as app token", "SLACK_APP_TOKEN",
         {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"}, args=["--mode", "socket"]),
    Case("customer channels without the workspace", "SLACK_TEAM_ID",
         {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "CUSTOMER_CHANNELS": "C0STORE"},
         args=["--mode", "http"]),
    Case("port not a number", "PORT", {"PORT": "http"}, args=["--mode", "console"]),
]


def _env(tmp: Path, model_dir: Path, case: Case) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "DATA_", "DATABASE_", "MODEL_", "SIMULATOR_", "CUSTOMER_"))}
    env.update({"PYTHONPATH": str(REPO), "MODE": "auto", "LOG_LEVEL": "INFO", "LANGUAGE": "fr",
                "MODEL_DIR": str(model_dir),
                "DATABASE_URL": f"sqlite:///{tmp / 'var' / 'caddie.db'}", "TODAY": "2024-07-01"})
    env.update({k: v.format(tmp=tmp) for k, v in case.env.items()})
    return env


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess]:
    """Every case run once (four at a time), each in its own empty folder, MODEL_DIR empty (a first start)."""
    def run(case: Case) -> subprocess.CompletedProcess[str]:
        tmp = tmp_path_factory.mktemp("misconfig")
        (tmp / "ro.db").write_bytes(b"")
        damaged = tmp / "damaged"
        damaged.mkdir()
        for name in ("catalog", "forecast", "propensity", "recommend"):
            (damaged / f"{name}.joblib").write_bytes(b"not a model")
        for name in ("forecast", "propensity", "recommend"):
            (damaged / f"{name}.json").write_text("{}")
        return _run(case.args, _env(tmp, tmp / "models", case), tmp)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip([c.name for c in CASES], pool.map(run, CASES)))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_misconfiguration_is_one_line_naming_the_setting(outcomes: dict, case: Case) -> None:
    done = outcomes[case.name]
    lines = done.stderr.splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1, done.stderr
    assert case.setting in lines[0]
    assert "Traceback" not in done.stderr and "Désolé" not in done.stderr + done.stdout
    assert done.stdout == ""


def test_there_are_at_least_ten_cases() -> None:
    assert len({c.setting for c in CASES}) >= 10


def test_a_database_down_does_not_stop_the_bot_from_answering(caddie, trained_dir: Path, tmp_path: Path) -> None:
    env = _env(tmp_path, trained_dir, Case("down", "DATABASE_URL", {
        "DATABASE_URL": "postgresql+psycopg://caddie:x@127.0.0.1:1/caddie",
        "TODAY": str(caddie.as_of + timedelta(days=1))}))
    product = caddie.products(1)[0]
    done = _run(["--once", f"/forecast {product.name.split()[0].lower()} demain"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert product.name in done.stdout
    [warning] = [line for line in done.stderr.splitlines() if "WARNING" in line]
    assert "DATABASE_URL" in warning and "Traceback" not in done.stderr


def test_customer_commands_wait_for_the_database(caddie, trained_dir: Path, tmp_path: Path) -> None:
    """The console is audited too: with the database down, no answer about a customer."""
    env = _env(tmp_path, trained_dir, Case("down", "DATABASE_URL", {
        "DATABASE_URL": "postgresql+psycopg://caddie:x@127.0.0.1:1/caddie"}))
    customer = caddie.customers()[0]
    done = _run(["--once", f"/recommend client {customer}"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "enregistrée" in done.stdout and f"client {customer}" not in done.stdout


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_bot_creates_its_database_readable_by_the_owner_only(caddie, trained_dir: Path, tmp_path: Path) -> None:
    old = os.umask(0o022)  # a permissive shell: the bot must not inherit it
    try:
        done = _run(ONCE, _env(tmp_path, trained_dir, Case("ok", "", {})), tmp_path)
    finally:
        os.umask(old)
    assert done.returncode == 0, done.stderr
    assert _mode(tmp_path / "var" / "caddie.db") == 0o600
    assert _mode(tmp_path / "var") == 0o700


def test_training_creates_models_and_database_readable_by_the_owner_only(tmp_path: Path) -> None:
    env = _env(tmp_path, tmp_path, Case("train", "", {}))
    env.update({"MODEL_DIR": str(tmp_path / "models"), "SIMULATOR_CUSTOMERS": "40", "SIMULATOR_DAYS": "90",
                "SIMULATOR_END": "2024-06-30"})
    old = os.umask(0o022)
    try:
        done = subprocess.run([sys.executable, "-m", "ml.train", "--skip-eval"], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300)
    finally:
        os.umask(old)
    assert done.returncode == 0, done.stderr
    created = [tmp_path / "models", tmp_path / "var", *(tmp_path / "models").iterdir(), tmp_path / "var" / "caddie.db"]
    assert len(created) > 4
    assert {p.name: _mode(p) & 0o077 for p in created} == {p.name: 0 for p in created}
