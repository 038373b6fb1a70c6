"""Outcomes from a hand-made log, the exposure log in a database, and the report built from them."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from ml.experiments.definition import parse_experiment
from ml.experiments.log import ExperimentLog, Exposure
from ml.experiments.outcomes import customer_outcomes
from ml.experiments.report import build_report
from ml.experiments.stats import sample_size_per_arm, wilson_interval

T0 = datetime(2024, 3, 1, 10)


def _exposures() -> pd.DataFrame:
    rows = [("a", "model", ("p1", "p2"), T0), ("b", "model", ("p1",), T0), ("c", "popular", ("p3",), T0),
            ("d", "popular", ("p3",), T0), ("a", "model", ("p4",), datetime(2024, 3, 10))]
    return pd.DataFrame(rows, columns=["customer_id", "arm", "items", "at"])


def _transactions() -> pd.DataFrame:
    rows = [
        ("a", "p2", "2024-03-05", 2, 1.5),   # a bought a recommended product 4 days later: converted
        ("a", "p9", "2024-03-06", 1, 10.0),  # not recommended: spend only
        ("b", "p1", "2024-02-28", 1, 3.0),   # before the exposure: not a conversion, not spend
        ("b", "p1", "2024-03-20", 1, 3.0),   # 19 days later: outside the 14-day window
        ("c", "p3", "2024-03-01 09:00", 1, 2.0),  # the same day but before the exposure time
        ("c", "p3", "2024-03-15 09:00", 1, 2.0),  # 13 days 23 hours later: inside
        (None, "p3", "2024-03-02", 5, 2.0),  # an anonymous ticket: nobody's
        ("d", "p1", "2024-03-02", 1, None),  # price unknown: spend 0
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "product_id", "timestamp", "quantity", "price"])
    frame["customer_id"] = frame["customer_id"].astype("string")
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], format="ISO8601")
    return frame


def test_outcomes_by_customer_from_a_hand_made_log():
    out = customer_outcomes(_exposures(), _transactions(), window_days=14).set_index("customer_id")
    assert out.loc["a", "converted"] and out.loc["c", "converted"]
    assert not out.loc["b", "converted"] and not out.loc["d", "converted"]
    assert out.loc["a", "exposures"] == 2 and out.loc["a", "exposed_at"] == pd.Timestamp(T0)
    assert out.loc["a", "basket_value"] == pytest.approx(2 * 1.5 + 10.0)
    assert out.loc["b", "basket_value"] == 0 and out.loc["c", "basket_value"] == pytest.approx(2.0)
    assert out.loc["d", "basket_value"] == 0
    assert list(out["arm"]) == ["model", "model", "popular", "popular"]


def test_report_from_outcomes_and_votes():
    experiment = parse_experiment("reco:popular=1,model=1")
    outcomes = customer_outcomes(_exposures(), _transactions(), window_days=14)
    votes = pd.DataFrame({"arm": ["model", "model", "popular"], "vote": [1, -1, 1]})
    report = build_report(experiment, outcomes, votes, minimum_effect=0.1)
    popular, model = report.arms
    assert (popular.customers, popular.conversions, model.customers, model.conversions) == (2, 1, 2, 1)
    assert popular.interval == wilson_interval(1, 2)
    assert (model.thumbs_up, model.thumbs_down, popular.thumbs_up) == (1, 1, 1)
    comparison = report.comparisons[0]
    assert comparison.test is not None and comparison.test.difference == 0 and not comparison.significant
    assert comparison.needed_observed is None  # no difference observed
    assert comparison.needed_minimum == sample_size_per_arm(0.5, 0.6)
    assert comparison.still_needed == comparison.needed_minimum - 2


def test_the_log_keeps_exposures_votes_and_definitions(tmp_path):
    log = ExperimentLog(f"sqlite:///{tmp_path / 'x.db'}")
    log.define(parse_experiment("reco:popular=1,model=2", window_days=7))
    assert [e.spec() for e in log.defined()] == ["reco:popular=1,model=2"]
    assert log.defined()[0].window_days == 7
    first = Exposure("reco", "model", "42", ("p1", "p2"), "slack", T0)
    log.record_exposures([first, Exposure("reco", "popular", "43", ("p3",), "api", T0)])
    assert log.latest_exposure("42", "p2") == first
    assert log.latest_exposure("42", "p3") is None
    log.record_vote(first, "p2", -1, "U1")
    frame = log.exposures("reco")
    assert list(frame["customer_id"]) == ["42", "43"] and frame["items"].iloc[0] == ("p1", "p2")
    assert list(frame["channel"]) == ["slack", "api"]
    votes = log.votes("reco")
    assert votes[["arm", "customer_id", "product_id", "vote"]].values.tolist() == [["model", "42", "p2", -1]]
    with pytest.raises(ValueError):
        log.record_vote(first, "p2", 0, "U1")
