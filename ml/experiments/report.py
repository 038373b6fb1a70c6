"""From outcomes and votes to an :class:`~ml.experiments.results.ExperimentReport`."""

from __future__ import annotations

import pandas as pd

from ml.experiments.definition import Experiment
from ml.experiments.results import ArmResult, Comparison, ExperimentReport
from ml.experiments.stats import sample_size_per_arm, two_proportion_test, wilson_interval

MINIMUM_EFFECT = 0.02  # two points of conversion


def build_report(experiment: Experiment, outcomes: pd.DataFrame, votes: pd.DataFrame | None = None,
                 minimum_effect: float = MINIMUM_EFFECT) -> ExperimentReport:
    """``outcomes``: :func:`ml.experiments.outcomes.customer_outcomes`; ``votes``: arm, vote."""
    arms = tuple(_arm(arm.name, share, outcomes, votes) for arm, share in zip(experiment.arms, experiment.shares))
    control = arms[0]
    comparisons = tuple(_compare(control, arm, minimum_effect) for arm in arms[1:])
    return ExperimentReport(experiment.name, experiment.window_days, minimum_effect, arms, comparisons)


def _arm(name: str, share: float, outcomes: pd.DataFrame, votes: pd.DataFrame | None) -> ArmResult:
    rows = outcomes[outcomes["arm"] == name]
    n, x = len(rows), int(rows["converted"].sum())
    value = float(rows["basket_value"].mean()) if n else 0.0
    up = down = 0
    if votes is not None and not votes.empty:
        mine = votes[votes["arm"] == name]["vote"]
        up, down = int((mine > 0).sum()), int((mine < 0).sum())
    return ArmResult(name, share, n, x, wilson_interval(x, n), value, up, down)


def _compare(control: ArmResult, arm: ArmResult, minimum_effect: float) -> Comparison:
    test = two_proportion_test(control.conversions, control.customers, arm.conversions, arm.customers)
    p1 = control.rate
    observed = sample_size_per_arm(p1, arm.rate) if control.customers and arm.customers else None
    baseline = p1 if 0 < p1 < 1 - minimum_effect else None
    minimum = sample_size_per_arm(baseline, baseline + minimum_effect) if baseline is not None else None
    still = max(0, minimum - min(control.customers, arm.customers)) if minimum is not None else None
    return Comparison(arm.name, control.name, test, observed, minimum, still)
