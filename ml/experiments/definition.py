"""What an experiment is: a name, arms (each a recommender variant with a share of the traffic), an outcome window.

Written in a setting (``EXPERIMENTS``) or in the ``experiments`` table as ``name:arm=weight,arm=weight``, e.g.
``reco-2024:popular=50,model=50`` (the first arm is the control). An arm's name is the recommender variant it
serves (:data:`VARIANTS`); weights are relative (``1,1`` is 50/50). Several experiments are separated by ``;``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ml.errors import CaddieError

VARIANTS: dict[str, str] = {
    "model": "the trained recommender (own history, co-purchases, popularity)",
    "popular": "the chain's most popular products (the baseline)",
}
DEFAULT_WINDOW_DAYS = 14
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


class BadExperiment(CaddieError):
    """An experiment definition cannot be read (the message names the faulty part)."""


class UnknownExperiment(CaddieError):
    """No experiment has this name."""

    def __init__(self, name: str, known: tuple[str, ...]):
        super().__init__(f"unknown experiment {name!r}")
        self.name = name
        self.known = known


@dataclass(frozen=True, slots=True)
class Arm:
    name: str  # a key of VARIANTS
    weight: float


@dataclass(frozen=True, slots=True)
class Experiment:
    name: str
    arms: tuple[Arm, ...]  # arms[0] is the control
    window_days: int = DEFAULT_WINDOW_DAYS  # a purchase counts when made within this many days of the exposure

    @property
    def shares(self) -> tuple[float, ...]:
        total = sum(arm.weight for arm in self.arms)
        return tuple(arm.weight / total for arm in self.arms)

    @property
    def control(self) -> Arm:
        return self.arms[0]

    def spec(self) -> str:
        return f"{self.name}:" + ",".join(f"{a.name}={a.weight:g}" for a in self.arms)


def parse_experiment(text: str, window_days: int = DEFAULT_WINDOW_DAYS) -> Experiment:
    """``"reco:popular=50,model=50"`` -> :class:`Experiment`; raises :class:`BadExperiment`."""
    name, sep, arms_text = text.strip().partition(":")
    name = name.strip().lower()
    if not sep or not _NAME.match(name):
        raise BadExperiment(f"{text!r}: expected name:arm=weight,arm=weight (name in a-z, 0-9, - _ .)")
    arms = tuple(_parse_arm(part, text) for part in arms_text.split(",") if part.strip())
    if len(arms) < 2:
        raise BadExperiment(f"{text!r}: an experiment needs at least two arms")
    if len({a.name for a in arms}) != len(arms):
        raise BadExperiment(f"{text!r}: an arm appears twice")
    return Experiment(name, arms, window_days)


def _parse_arm(part: str, text: str) -> Arm:
    arm, _, weight = part.strip().partition("=")
    arm = arm.strip().lower()
    if arm not in VARIANTS:
        raise BadExperiment(f"{text!r}: unknown arm {arm!r} (variants: {', '.join(VARIANTS)})")
    try:
        value = float(weight) if weight.strip() else 1.0
    except ValueError:
        raise BadExperiment(f"{text!r}: the weight of {arm!r} is not a number") from None
    if not value > 0:
        raise BadExperiment(f"{text!r}: the weight of {arm!r} must be positive")
    return Arm(arm, value)


def parse_experiments(text: str, window_days: int = DEFAULT_WINDOW_DAYS) -> tuple[Experiment, ...]:
    """Several definitions separated by ``;`` (the ``EXPERIMENTS`` setting); names must be unique."""
    experiments = tuple(parse_experiment(part, window_days) for part in text.split(";") if part.strip())
    names = [e.name for e in experiments]
    if len(set(names)) != len(names):
        raise BadExperiment(f"{text!r}: two experiments share a name")
    return experiments
