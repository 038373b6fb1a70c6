"""The service answering from the database's run (ml.forecast_sources, ml.publish): the same answers as from the
model set's files, the newest run after a refresh, the model set when there is no run, the previous run kept
when a publication fails, and a bot command reading the table.

The tiny chain of tests/test_service_chain.py (3 stores, 2 regions, 4 products) is trained per test: each
training publishes its run into the test's database (SQLite always, PostgreSQL when TEST_DATABASE_URL is set).
"""

from __future__ import annotations

import json

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from bot.refresh import LiveCaddie, refresh_models
from bot.web.problems import error_problem
from ml import publish
from ml.data import results_store as rs
from ml.data.schema import Dataset
from ml.forecast_sources import NoServedRun
from ml.service import Caddie
from ml.settings import MLSettings
from ml.train import train_all
from tests.databases import db_url, results_url  # noqa: F401 - the fixtures
from tests.test_service_chain import END, FIRST, sales_log

REPO = Path(__file__).resolve().parents[1]
STORES = ("Lyon Part-Dieu", "Lyon Croix-Rousse", "Nantes Centre")
REGIONS = ("Auvergne-Rhône-Alpes", "Pays de la Loire")
PRODUCTS = ("yaourt", "baguette", "camembert", "pommes")


@pytest.fixture
def url(results_url: str) -> str:
    return results_url


def shifted(days: int, name: str = "petite-chaine") -> Dataset:
    """The chain's data ``days`` later (a night's new sales: the data ends later)."""
    data = sales_log()
    later = pd.Timedelta(days=days)
    return Dataset(name, data.transactions.assign(timestamp=data.transactions["timestamp"] + later), data.products,
                   stores=data.stores, stock=data.stock.assign(as_of=data.stock["as_of"] + later))


def train(root: Path, url: str, dataset: Dataset | None = None) -> Path:
    settings = MLSettings(model_dir=root / "models", database_url=url, _env_file=None)
    train_all(settings, evaluate=False, dataset=dataset or sales_log())
    return root / "models"


def _points(result) -> list[tuple]:
    return [(p.day, p.mean, p.lower, p.upper) for p in result.points]


def _every_forecast(caddie: Caddie) -> list:
    last = caddie.as_of + timedelta(days=caddie.horizon_days)
    answers = [caddie.forecast(p, last, store=s) for p in PRODUCTS for s in STORES
               if not (p == "pommes" and s == "Lyon Croix-Rousse")]  # store 2 does not sell apples
    answers += [caddie.forecast(p, last, region=r) for p in PRODUCTS for r in REGIONS]
    answers += [caddie.forecast(p, last) for p in PRODUCTS]
    return answers


def test_the_database_run_answers_what_the_model_set_answers(url, tmp_path):
    model_dir = train(tmp_path, url)
    db = Caddie.load(model_dir, database_url=url, forecasts_source="database")
    files = Caddie.load(model_dir, forecasts_source="model_set")
    assert db.forecasts_source.startswith("database run") and files.forecasts_source.startswith("model set")
    assert (db.as_of, db.horizon_days) == (files.as_of, files.horizon_days) == (END, 14)
    ours, theirs = _every_forecast(db), _every_forecast(files)
    assert [r.scope for r in ours] == [r.scope for r in theirs]
    for a, b in zip(ours, theirs):
        assert _points(a) == _points(b) and len(a.points) == 14  # float64 both ways: equal, not close
        assert (a.model, a.level, a.history) == (b.model, b.level, b.history)
    chain = ours[-4]  # the chain's yaourt: the three stores' means summed, its own interval
    stores = [r for r in ours[:11] if r.product.product_id == "P1"]
    assert chain.points[0].mean == pytest.approx(sum(r.points[0].mean for r in stores))
    for store in STORES:
        for query, day in ((None, FIRST), ("crèmerie", FIRST), ("baguette", FIRST + timedelta(days=3))):
            assert db.orders(store, query, day) == files.orders(store, query, day)
    assert [r.product for r in db.forecast_top(3, store="Nantes")] == \
        [r.product for r in files.forecast_top(3, store="Nantes")]


def test_a_refresh_serves_the_newest_complete_run(url, tmp_path):
    model_dir = train(tmp_path, url)
    first = rs.latest_run(url)
    live = LiveCaddie(Caddie.load(model_dir, database_url=url))
    assert first["run_id"][:8] in live.current().forecasts_source and live.current().as_of == END

    assert refresh_models(live, train=lambda: train(tmp_path, url, shifted(1)),
                          load=lambda d: Caddie.load(d, database_url=url))
    newest = rs.latest_run(url)
    assert newest["day"] == FIRST + timedelta(days=1) and newest["source"] == "training"
    assert newest["run_id"][:8] in live.current().forecasts_source
    assert live.current().as_of == END + timedelta(days=1)
    assert _points(live.current().forecast("yaourt", store="Nantes"))[0][0] == FIRST + timedelta(days=1)


def test_without_a_run_of_its_data_the_model_set_answers(url, tmp_path):
    model_dir = train(tmp_path / "ours", f"sqlite:///{tmp_path / 'training.db'}")  # published elsewhere
    train(tmp_path / "other", url, shifted(0, name="autre-chaine"))  # the only run in url: other data
    caddie = Caddie.load(model_dir, database_url=url)
    assert caddie.forecasts_source.startswith("model set")
    assert caddie.forecast("yaourt", store="Nantes").points[0].day == FIRST
    with pytest.raises(NoServedRun, match="no complete run of petite-chaine"):
        Caddie.load(model_dir, database_url=url, forecasts_source="database")


def test_a_failed_publication_keeps_the_previous_run_served(url, tmp_path, monkeypatch):
    model_dir = train(tmp_path, url)
    before = rs.latest_run(url)
    rows = rs.read_run(url, before["run_id"])
    write = rs.write_rows

    def fail_on_aggregates(engine, run_id, kind, chunks):
        if kind == "aggregates":
            raise sa.exc.OperationalError("COPY", {}, Exception("disk full"))
        return write(engine, run_id, kind, chunks)

    monkeypatch.setattr(rs, "write_rows", fail_on_aggregates)
    train(tmp_path, url)  # the training succeeds: the new set is served, its publication is not
    assert rs.latest_run(url)["run_id"] == before["run_id"]
    pd.testing.assert_frame_equal(rs.read_run(url, before["run_id"]), rows)
    with sa.create_engine(url).connect() as connection:  # the failed run's rows were removed
        assert connection.execute(sa.text("SELECT count(*) FROM runs")).scalar_one() == 1
        assert connection.execute(sa.text("SELECT count(DISTINCT run_id) FROM forecasts")).scalar_one() == 1
    caddie = Caddie.load(model_dir, database_url=url)
    assert before["run_id"][:8] in caddie.forecasts_source

    monkeypatch.undo()  # the database is back: the operator publishes the served set by hand
    assert publish.main(["--model-dir", str(model_dir), "--database-url", url]) == 0
    again = rs.latest_run(url)
    assert again["run_id"] != before["run_id"] and again["model_set"] == Caddie.load(model_dir).served.name
    assert again["run_id"][:8] in Caddie.load(model_dir, database_url=url).forecasts_source


def test_a_runs_table_from_before_the_details_is_upgraded_and_its_runs_not_served(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE runs (run_id VARCHAR(40) PRIMARY KEY, day DATE NOT NULL, "
                                   "model_version VARCHAR(200) NOT NULL, status VARCHAR(20) NOT NULL, "
                                   "started_at DATETIME NOT NULL, completed_at DATETIME)")
        connection.exec_driver_sql("INSERT INTO runs VALUES ('old', '2024-07-01', 'v1', 'complete', "
                                   "'2024-07-01 02:00:00', '2024-07-01 03:00:00')")
    run = rs.latest_run(url)
    assert run["run_id"] == "old" and run["data_name"] is None and run["model"] is None
    model_dir = train(tmp_path, f"sqlite:///{tmp_path / 'elsewhere.db'}")
    assert Caddie.load(model_dir, database_url=url).forecasts_source.startswith("model set")


def _bot(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    environ.update({"MODE": "auto", "LOG_LEVEL": "WARNING", "PYTHONPATH": str(REPO), "LANGUAGE": "en"}, **env)
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=environ, capture_output=True,
                          text=True, timeout=180)


def test_a_bot_command_answers_from_the_table(tmp_path):
    url = f"sqlite:///{tmp_path / 'caddie.db'}"
    model_dir = train(tmp_path, url)
    run_id = rs.latest_run(url)["run_id"]
    with sa.create_engine(url).begin() as connection:  # what the bot says can only come from this row
        connection.execute(sa.text("UPDATE forecast_aggregates SET mean = 777, lower = 700, upper = 850 "
                                   "WHERE run_id = :run AND level = 'chain' AND product_id = 'P1'"), {"run": run_id})
    env = {"MODEL_DIR": str(model_dir), "DATABASE_URL": url, "TODAY": str(FIRST), "CHARTS_DIR": str(tmp_path / "c")}
    done = _bot(tmp_path, "--once", "/forecast yaourt demain", **env, FORECASTS_SOURCE="database")
    assert done.returncode == 0, done.stderr
    assert "777" in done.stdout and "700" in done.stdout and "850" in done.stdout
    files = _bot(tmp_path, "--once", "/forecast yaourt demain", **env, FORECASTS_SOURCE="model_set")
    assert files.returncode == 0 and "777" not in files.stdout


@pytest.mark.parametrize(("source", "message"), [
    ("bogus", "FORECASTS_SOURCE"),
    ("database", "FORECASTS_SOURCE=database: DATABASE_URL holds no complete run of petite-chaine"),
])
def test_a_bad_forecasts_source_gets_one_line(tmp_path, source, message):
    model_dir = train(tmp_path, f"sqlite:///{tmp_path / 'training.db'}")
    done = _bot(tmp_path, "--once", "/forecast yaourt", MODEL_DIR=str(model_dir), FORECASTS_SOURCE=source,
                DATABASE_URL=f"sqlite:///{tmp_path / 'empty.db'}")
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_database_gone_after_start_up_gets_a_clear_reply(tmp_path):
    from bot.errors import user_message
    from ml.errors import ForecastsUnavailable

    url = f"sqlite:///{tmp_path / 'caddie.db'}"
    caddie = Caddie.load(train(tmp_path, url), database_url=url)
    with sa.create_engine(url).begin() as connection:
        connection.exec_driver_sql("DROP TABLE forecasts")
    with pytest.raises(ForecastsUnavailable) as raised:
        caddie.forecast("yaourt", store="Nantes")
    assert "base de données ne répond pas" in user_message(raised.value, "fr")
    assert "database does not answer" in user_message(raised.value, "en")
    problem = error_problem(raised.value, "en")  # the REST API: a temporary outage, not an internal error
    body = json.loads(problem.body)
    assert problem.status_code == 503 and body["type"] == "/problems/forecasts-unavailable"
    assert "database does not answer" in body["detail"]


def test_a_run_replaces_its_day_of_its_own_data_only_and_old_runs_are_pruned(tmp_path):
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    frame = pd.DataFrame({"store_id": ["1"], "product_id": ["P1"], "date": [pd.Timestamp(FIRST)], "mean": [1.0],
                          "lower": [0.0], "upper": [2.0]})

    def run(day, data: str) -> str:
        run_id = rs.start_run(url, day, "v", data_name=data)
        rs.write_rows(url, run_id, "forecasts", [frame])
        rs.complete_run(url, run_id)
        return run_id

    a1, b1 = run(FIRST, "a"), run(FIRST, "b")  # same day, other data: both kept
    a2, a3 = run(FIRST + timedelta(days=1), "a"), run(FIRST + timedelta(days=2), "a")
    assert {rs.latest_run(url, FIRST, data_name=d)["run_id"] for d in "ab"} == {a1, b1}
    assert rs.prune_runs(url, "a", keep=2) == 1
    with sa.create_engine(url).connect() as connection:
        kept = {r for (r,) in connection.execute(sa.text("SELECT run_id FROM runs"))}
        rows = {r for (r,) in connection.execute(sa.text("SELECT DISTINCT run_id FROM forecasts"))}
    assert kept == rows == {a2, a3, b1}
    assert rs.latest_run(url, data_name="a", since=FIRST + timedelta(days=3)) is None
