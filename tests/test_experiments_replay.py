"""The offline replay on a simulated log: exposures at past dates, outcomes from the weeks after."""

from __future__ import annotations

import pandas as pd

from ml.experiments.__main__ import main
from ml.experiments.definition import parse_experiment
from ml.experiments.replay import ReplayPlan, exposure_dates, replay


def test_replay_exposes_at_past_dates_and_measures_the_following_weeks(small_dataset):
    tx = small_dataset.transactions
    experiment = parse_experiment("replay:popular=1,model=1", window_days=14)
    plan = ReplayPlan(dates=2, step_days=14, n=5, salt="t")
    report, exposures = replay(tx, experiment, plan)
    last = tx["timestamp"].max().normalize()
    dates = exposure_dates(tx, 14, plan)
    assert dates == [last - pd.Timedelta(days=28), last - pd.Timedelta(days=14)]  # a full window after each
    assert set(exposures["at"]) <= set(dates) and exposures["at"].min() == dates[0]
    assert exposures["customer_id"].is_unique  # a customer is exposed once, at the first date they are active
    popular = exposures[exposures["arm"] == "popular"]["items"]
    assert popular.nunique() == 1  # the baseline shows everyone the same best sellers
    assert exposures[exposures["arm"] == "model"]["items"].nunique() > 1  # the model personalises
    assert report.customers == len(exposures)
    assert {a.name for a in report.arms} == {"popular", "model"} and all(a.customers > 0 for a in report.arms)
    assert all(0 <= a.conversions <= a.customers for a in report.arms)


def test_replay_command_prints_the_report(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("SIMULATOR_CUSTOMERS", "60")
    monkeypatch.setenv("SIMULATOR_DAYS", "120")
    assert main(["replay", "--data", "simulator", "--dates", "1"]) == 0
    out = capsys.readouterr().out
    assert "experiment replay:" in out and "popular" in out and "model" in out and "95% CI" in out
