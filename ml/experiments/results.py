"""Typed results of an experiment, for the bot, the API and the dashboard (no pandas)."""

from __future__ import annotations

from dataclasses import dataclass

from ml.experiments.stats import Interval, ZTest


@dataclass(frozen=True, slots=True)
class ArmResult:
    name: str
    share: float  # of the traffic, as defined
    customers: int  # exposed customers
    conversions: int  # of them, bought a recommended product within the window
    interval: Interval  # Wilson 95 % interval of the conversion rate
    mean_basket_value: float  # spent in the window after the first exposure, per exposed customer
    thumbs_up: int = 0
    thumbs_down: int = 0

    @property
    def rate(self) -> float:
        return self.conversions / self.customers if self.customers else 0.0


@dataclass(frozen=True, slots=True)
class Comparison:
    """An arm against the control: the difference, its test, and the customers per arm still needed."""

    arm: str
    control: str
    test: ZTest | None  # None: not enough data (an empty arm, or no variance)
    needed_observed: int | None  # per arm, to detect the observed difference with power 0.8 at alpha 0.05
    needed_minimum: int | None  # per arm, to detect the minimum detectable effect
    still_needed: int | None  # more customers per arm before the smaller arm reaches needed_minimum

    @property
    def significant(self) -> bool:
        return self.test is not None and self.test.p_value < 0.05


@dataclass(frozen=True, slots=True)
class ExperimentReport:
    name: str
    window_days: int
    minimum_effect: float  # absolute, in conversion rate (0.02 = 2 points)
    arms: tuple[ArmResult, ...]  # arms[0] is the control
    comparisons: tuple[Comparison, ...]  # every other arm against the control

    @property
    def customers(self) -> int:
        return sum(arm.customers for arm in self.arms)
