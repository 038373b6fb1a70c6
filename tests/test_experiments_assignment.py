"""Arms by salted hash: the same in another process, in the defined proportions; definitions read strictly."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ml.experiments.assignment import assign, unit_hash
from ml.experiments.definition import BadExperiment, parse_experiment, parse_experiments

CUSTOMERS = [str(i) for i in range(40)]
_PROGRAM = """
import json, sys
from ml.experiments.assignment import assign
from ml.experiments.definition import parse_experiment
exp = parse_experiment("reco:popular=1,model=1")
print(json.dumps([assign(exp, c, sys.argv[1]).name for c in json.loads(sys.argv[2])]))
"""


def _arms_in_new_process(salt: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", _PROGRAM, salt, json.dumps(CUSTOMERS)], check=True,
                         capture_output=True, text=True, env={"PYTHONHASHSEED": "123", "PATH": ""})
    return json.loads(out.stdout)


def test_the_same_salt_gives_the_same_arms_in_another_process():
    experiment = parse_experiment("reco:popular=1,model=1")
    here = [assign(experiment, c, "s1").name for c in CUSTOMERS]
    assert _arms_in_new_process("s1") == here
    assert set(here) == {"popular", "model"}
    other = [assign(experiment, c, "s2").name for c in CUSTOMERS]
    assert other != here  # a new salt reshuffles (40 customers all unchanged: probability 2**-40)


def test_split_follows_the_weights():
    experiment = parse_experiment("reco:popular=30,model=70")
    n = 20_000
    treated = sum(assign(experiment, str(i), "salt").name == "model" for i in range(n))
    sd = (n * 0.3 * 0.7) ** 0.5
    assert abs(treated - 0.7 * n) < 4 * sd
    assert experiment.shares == pytest.approx((0.3, 0.7))


def test_the_hash_depends_on_the_experiment():
    assert unit_hash("s", "a", "42") != unit_hash("s", "b", "42")
    assert 0 <= unit_hash("s", "a", "42") < 1


def test_definitions():
    exp = parse_experiment(" Reco-2024 : popular = 1 , model=3 ", window_days=7)
    assert exp.name == "reco-2024" and exp.control.name == "popular" and exp.window_days == 7
    assert exp.spec() == "reco-2024:popular=1,model=3"
    assert [e.name for e in parse_experiments("a:popular,model; b:model=1,popular=1")] == ["a", "b"]


@pytest.mark.parametrize("text, problem", [
    ("reco", "expected name"), ("reco:model=1", "two arms"), ("reco:model=1,gpt=1", "unknown arm 'gpt'"),
    ("reco:model=1,popular=x", "not a number"), ("reco:model=0,popular=1", "positive"),
    ("reco:model,model", "twice"), ("a:model,popular;a:model,popular", "share a name"),
])
def test_bad_definitions_name_the_problem(text, problem):
    with pytest.raises(BadExperiment, match=problem):
        parse_experiments(text)


def test_the_settings_are_documented_in_the_example_file():
    from pathlib import Path

    from ml.experiments.settings import ExperimentSettings

    example = (Path(__file__).resolve().parents[1] / ".env.example").read_text(encoding="utf-8")
    assert all(f"\n{name.upper()}=" in example for name in ExperimentSettings.model_fields)
    with pytest.raises(ValueError, match="EXPERIMENTS|experiments"):
        ExperimentSettings(_env_file=None, experiments="reco:model=1")
