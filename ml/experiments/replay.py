"""An offline replay of an experiment on a past log: the whole loop, exposures at past dates to outcomes.

At each exposure date (every ``step_days`` over the last ``dates`` steps that still leave a full outcome window
after them), both recommenders are fitted on the log strictly before that date; the customers who had bought
something in the ``active_days`` before it (the ones who would be in the store) and were not exposed yet are
assigned to an arm by the salted hash and shown that arm's ``n`` recommendations. Outcomes come from the
following ``window_days`` of the same log, exactly as they would from the nightly data in production.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pandas as pd

from ml.experiments.assignment import assign
from ml.experiments.definition import Experiment
from ml.experiments.log import Exposure
from ml.experiments.outcomes import customer_outcomes
from ml.experiments.report import build_report
from ml.experiments.results import ExperimentReport
from ml.evaluation.recommend import shipped_model
from ml.models.recommend_baselines import PopularityRecommender


@dataclass(frozen=True)
class ReplayPlan:
    dates: int = 4
    step_days: int = 14
    active_days: int = 30
    n: int = 5
    salt: str = "replay"


def exposure_dates(transactions: pd.DataFrame, window_days: int, plan: ReplayPlan) -> list[pd.Timestamp]:
    """The last ``plan.dates`` dates, ``step_days`` apart, each followed by a full outcome window."""
    last = pd.Timestamp(transactions["timestamp"].max()).normalize()
    final = last - pd.Timedelta(days=window_days)
    return [final - pd.Timedelta(days=plan.step_days * k) for k in reversed(range(plan.dates))]


def replay_exposures(transactions: pd.DataFrame, experiment: Experiment, plan: ReplayPlan) -> list[Exposure]:
    """Every exposure of the replay (customers with an id only)."""
    tx = transactions[transactions["customer_id"].notna()]
    tx = tx.assign(customer_id=tx["customer_id"].astype(str), product_id=tx["product_id"].astype(str))
    exposed: set[str] = set()
    exposures: list[Exposure] = []
    for day in exposure_dates(tx, experiment.window_days, plan):
        past = tx[tx["timestamp"] < day]
        active = past[past["timestamp"] >= day - pd.Timedelta(days=plan.active_days)]["customer_id"].unique()
        customers = sorted(set(active) - exposed)
        by_arm: dict[str, list[str]] = {}
        for customer in customers:
            by_arm.setdefault(assign(experiment, customer, plan.salt).name, []).append(customer)
        for arm, members in by_arm.items():
            model = (shipped_model() if arm == "model" else PopularityRecommender()).fit(past)
            shown = model.recommend_batch(members, plan.n)
            exposures += [Exposure(experiment.name, arm, c, tuple(shown[c]), "replay", day.to_pydatetime())
                          for c in members]
        exposed.update(customers)
    return exposures


def replay(transactions: pd.DataFrame, experiment: Experiment, plan: ReplayPlan = ReplayPlan(),
           minimum_effect: float = 0.02) -> tuple[ExperimentReport, pd.DataFrame]:
    """The report of the replayed experiment and the exposures frame (customer_id, arm, items, at)."""
    exposures = replay_exposures(transactions, experiment, plan)
    frame = pd.DataFrame([{"customer_id": e.customer_id, "arm": e.arm, "items": e.items, "at": e.at}
                          for e in exposures], columns=["customer_id", "arm", "items", "at"])
    outcomes = customer_outcomes(frame, transactions, experiment.window_days)
    return build_report(experiment, outcomes, None, minimum_effect), frame


def window_end(frame: pd.DataFrame, window_days: int) -> pd.Timestamp:
    return pd.Timestamp(frame["at"].max()) + timedelta(days=window_days)
