"""Wilson intervals, the two-proportion z-test and sample sizes against values computed by hand."""

from __future__ import annotations

import math

import pytest

from ml.experiments.stats import sample_size_per_arm, two_proportion_test, wilson_interval

Z = 1.959963984540054  # the 97.5 % quantile of the standard normal


def test_wilson_interval_of_10_in_100_matches_the_formula_worked_by_hand():
    # p = 0.1, n = 100: centre = 0.1 + z²/200, half = z·sqrt(0.0009 + z²/40000), denominator 1 + z²/100
    centre, half, den = 0.1 + Z**2 / 200, Z * math.sqrt(0.0009 + Z**2 / 40000), 1 + Z**2 / 100
    interval = wilson_interval(10, 100)
    assert interval.low == pytest.approx((centre - half) / den, abs=1e-12)
    assert interval.high == pytest.approx((centre + half) / den, abs=1e-12)
    assert (round(interval.low, 4), round(interval.high, 4)) == (0.0552, 0.1744)  # the published table value


def test_wilson_interval_edges():
    assert wilson_interval(0, 0) == wilson_interval(0, 0).__class__(0.0, 1.0)
    zero = wilson_interval(0, 20)
    assert zero.low == 0.0 and zero.high == pytest.approx(Z**2 / 20 / (1 + Z**2 / 20))  # the "rule of 3.84/n"
    full = wilson_interval(20, 20)
    assert full.high == 1.0 and full.low == pytest.approx(1 - zero.high)
    with pytest.raises(ValueError):
        wilson_interval(5, 4)


def test_two_proportion_z_test_by_hand():
    # 50/1000 against 80/1000: pooled 0.065, se = sqrt(0.065·0.935·(2/1000))
    test = two_proportion_test(50, 1000, 80, 1000)
    se = math.sqrt(0.065 * 0.935 * 0.002)
    assert test.difference == pytest.approx(0.03)
    assert test.z == pytest.approx(0.03 / se)
    assert test.p_value == pytest.approx(math.erfc(0.03 / se / math.sqrt(2)))
    assert 0.006 < test.p_value < 0.007
    half = Z * math.sqrt(0.05 * 0.95 / 1000 + 0.08 * 0.92 / 1000)
    assert (test.interval.low, test.interval.high) == (pytest.approx(0.03 - half), pytest.approx(0.03 + half))


def test_z_test_without_data_or_variance_is_none():
    assert two_proportion_test(0, 0, 3, 10) is None
    assert two_proportion_test(0, 10, 0, 12) is None


def test_sample_size_for_10_to_12_percent():
    # pooled 0.11: (1.96·sqrt(2·0.11·0.89) + 0.8416·sqrt(0.09 + 0.1056))² / 0.02² = 3840.9 -> 3841 per arm
    a = Z * math.sqrt(2 * 0.11 * 0.89)
    b = 0.8416212335729143 * math.sqrt(0.1 * 0.9 + 0.12 * 0.88)
    assert sample_size_per_arm(0.10, 0.12) == math.ceil((a + b) ** 2 / 0.02**2) == 3841
    assert sample_size_per_arm(0.12, 0.10) == 3841  # symmetric
    assert sample_size_per_arm(0.10, 0.15) < sample_size_per_arm(0.10, 0.12)  # bigger effects need fewer


def test_sample_size_undefined_for_equal_or_degenerate_rates():
    assert sample_size_per_arm(0.1, 0.1) is None
    assert sample_size_per_arm(0.0, 0.1) is None
