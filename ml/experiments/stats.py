"""The statistics of an A/B test on conversion rates: Wilson intervals, the two-proportion z-test, sample sizes.

All formulas are the textbook ones (Wilson 1927; Newcombe 1998 for the difference's interval is not used: the
difference gets the unpooled Wald interval beside the pooled z-test, as most A/B tools report):

- Wilson score interval of ``x`` successes in ``n``:
  ``(p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)``;
- two-proportion z-test: ``z = (p2 - p1) / sqrt(p̄(1-p̄)(1/n1 + 1/n2))`` with the pooled ``p̄``, two-sided p-value;
- sample size per arm to detect ``p1 -> p2`` with a two-sided test at ``alpha`` and ``power``:
  ``n = (z_{1-α/2}·sqrt(2p̄(1-p̄)) + z_{power}·sqrt(p1(1-p1) + p2(1-p2)))² / (p2 - p1)²``, rounded up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import norm

ALPHA = 0.05
POWER = 0.8


@dataclass(frozen=True, slots=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class ZTest:
    difference: float  # p2 - p1
    interval: Interval  # 1 - alpha interval of the difference (unpooled)
    z: float
    p_value: float  # two-sided


def _z(alpha: float) -> float:
    return float(norm.ppf(1 - alpha / 2))


def wilson_interval(successes: int, n: int, alpha: float = ALPHA) -> Interval:
    """The Wilson score interval of a proportion; (0, 1) when ``n`` is 0."""
    if n <= 0:
        return Interval(0.0, 1.0)
    if not 0 <= successes <= n:
        raise ValueError(f"successes must lie in 0..{n}, got {successes}")
    z = _z(alpha)
    p = successes / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    denominator = 1 + z * z / n
    return Interval(max(0.0, (centre - half) / denominator), min(1.0, (centre + half) / denominator))


def two_proportion_test(x1: int, n1: int, x2: int, n2: int, alpha: float = ALPHA) -> ZTest | None:
    """Arm 2 against arm 1; None when an arm has no data or every unit has the same outcome (no variance)."""
    if n1 <= 0 or n2 <= 0:
        return None
    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    se_pooled = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se_pooled == 0:
        return None
    z = (p2 - p1) / se_pooled
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    half = _z(alpha) * se
    return ZTest(p2 - p1, Interval(p2 - p1 - half, p2 - p1 + half), z, float(2 * norm.sf(abs(z))))


def sample_size_per_arm(p1: float, p2: float, alpha: float = ALPHA, power: float = POWER) -> int | None:
    """Units needed in each arm to detect ``p1 -> p2``; None when the rates are equal or outside (0, 1)."""
    if p1 == p2 or not (0 < p1 < 1 and 0 < p2 < 1):
        return None
    pooled = (p1 + p2) / 2
    a = _z(alpha) * math.sqrt(2 * pooled * (1 - pooled))
    b = float(norm.ppf(power)) * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    return math.ceil((a + b) ** 2 / (p2 - p1) ** 2)
