"""Order arithmetic of caddie's policy, computed by hand on forecasts with known distributions."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ml.orders.distribution import expected_pinball_loss, gamma_quantile, interval_sd
from ml.orders.params import OrderParameters, parameters_frame
from ml.orders.policy import compute_orders, order_proposal, window_moments
from ml.results import Product, Store


def flat_forecast(mean: float = 10.0, days: int = 10, half_width: float = 0.0, store: str = "s1",
                  product: str = "P1") -> pd.DataFrame:
    dates = pd.date_range("2024-07-01", periods=days)
    return pd.DataFrame({"store_id": store, "product_id": product, "date": dates, "mean": mean,
                         "lower": mean - half_width, "upper": mean + half_width})


def params(**fields: object) -> pd.DataFrame:
    base = dict(lead_time_days=1, review_days=1, pack_size=6.0, service_level=0.95, shelf_life_days=None,
                waste_cost=0.5, lost_sale_cost=0.5)
    base.update(fields)
    frame = parameters_frame(pd.DataFrame({"product_id": ["P1"], "name": ["P1"], "category": [None]}))
    for name, value in base.items():
        frame[name] = value
    return frame


def stock(on_hand: float, on_order: float = 0.0) -> pd.DataFrame:
    return pd.DataFrame({"store_id": ["s1"], "product_id": ["P1"], "on_hand": [on_hand], "on_order": [on_order],
                         "as_of": [pd.Timestamp("2024-06-30")]})


def test_order_rounds_up_to_whole_packs_after_subtracting_on_hand_and_on_order() -> None:
    # S = 2 days x 10 (no spread); position 3 + 2 = 5; need 15 -> 3 packs of 6 = 18
    row = compute_orders(flat_forecast(), params(), stock(3, 2)).iloc[0]
    assert row["forecast_quantile"] == pytest.approx(20.0)
    assert row["safety_stock"] == pytest.approx(0.0)
    assert (row["packs"], row["quantity"], row["period_days"]) == (3, 18.0, 2)
    assert bool(row["has_stock"]) and not bool(row["capped_by_shelf_life"])


def test_nothing_is_ordered_when_stock_covers_the_period() -> None:
    row = compute_orders(flat_forecast(), params(), stock(14, 6)).iloc[0]
    assert (row["packs"], row["quantity"]) == (0, 0.0)


def test_without_stock_data_the_line_orders_the_whole_level_and_says_so() -> None:
    row = compute_orders(flat_forecast(), params(), None).iloc[0]
    assert (row["packs"], row["quantity"]) == (4, 24.0)  # ceil(20 / 6)
    assert not bool(row["has_stock"]) and np.isnan(row["on_hand"])
    proposal = order_proposal(Store("s1", "Lyon"), compute_orders(flat_forecast(), params(), None),
                              {"P1": Product("P1", "Yaourt")}, date(2024, 6, 30), "GBM", date(2024, 6, 30))
    assert not proposal.has_stock_data and proposal.stock_as_of is None
    line = proposal.lines[0]
    assert line.on_hand is None and line.on_order is None and line.quantity == 24.0 and line.packs == 4


def test_a_perishable_is_capped_at_what_sells_before_expiry() -> None:
    # L=1, R=3: S = 40; shelf life 2: new units sell until day L + 2 = 3 -> cap = 30 (no spread)
    p = params(review_days=3, pack_size=1.0, shelf_life_days=2)
    row = compute_orders(flat_forecast(), p, stock(12)).iloc[0]
    assert row["forecast_quantile"] == pytest.approx(40.0)
    assert row["shelf_life_cap"] == pytest.approx(30.0)
    assert bool(row["capped_by_shelf_life"]) and row["quantity"] == pytest.approx(18.0)  # 30 - 12, not 28


def test_under_the_cap_equal_costs_round_the_packs_down() -> None:
    # room 30 - 12 = 18 -> 4 packs (position 28) or 5 (32); no spread: costs 0.5 x 2 vs 0.5 x 2 -> the lower
    p = params(review_days=3, pack_size=4.0, shelf_life_days=2)
    row = compute_orders(flat_forecast(), p, stock(12)).iloc[0]
    assert (row["packs"], row["quantity"]) == (4, 16.0)


def test_under_the_cap_a_dear_lost_sale_rounds_the_packs_up() -> None:
    # lost sale 0.8, waste 0.2: the cap is still 30 (no spread); 28 costs 0.8 x 2 = 1.6, 32 costs 0.2 x 2 = 0.4
    p = params(review_days=3, pack_size=4.0, shelf_life_days=2, waste_cost=0.2, lost_sale_cost=0.8)
    row = compute_orders(flat_forecast(), p, stock(12)).iloc[0]
    assert bool(row["capped_by_shelf_life"]) and (row["packs"], row["quantity"]) == (5, 20.0)


def test_a_slow_fresh_series_is_not_starved_by_a_pack_larger_than_the_room() -> None:
    # 1 a day +- spread, shelf life 2, pack 2, 1 unit on hand: the cap (median of 3 days, ~2.9) leaves room
    # for less than a pack; rounding down ordered nothing, the cheaper choice is one pack (3 units held)
    p = params(review_days=1, pack_size=2.0, shelf_life_days=2, service_level=0.9)
    row = compute_orders(flat_forecast(mean=1.0, half_width=1.0), p, stock(1)).iloc[0]
    assert bool(row["capped_by_shelf_life"]) and row["shelf_life_cap"] - 1 < 2
    assert row["packs"] == 1


def test_expected_pinball_loss_of_the_gamma_matches_a_sample() -> None:
    mu, variance, q = 6.0, 9.0, 0.3
    draws = stats.gamma(mu ** 2 / variance, scale=variance / mu).rvs(400_000, random_state=1)
    for y in (2.0, 6.0, 11.0):
        sampled = np.mean(q * np.maximum(draws - y, 0) + (1 - q) * np.maximum(y - draws, 0))
        assert expected_pinball_loss(np.array([y]), np.array([mu]), np.array([variance]), q)[0] == pytest.approx(
            sampled, rel=0.01)
    ys = np.linspace(0.1, 20, 400)  # its minimum is the q quantile
    best = ys[np.argmin(expected_pinball_loss(ys, np.full(400, mu), np.full(400, variance), q))]
    assert best == pytest.approx(gamma_quantile(np.array([mu]), np.array([variance]), q)[0], abs=0.06)


def test_stock_on_hand_that_expires_before_delivery_does_not_count() -> None:
    # bakery: shelf life 1 <= lead time 1: today's bread is gone tomorrow; the order covers day L only
    p = params(pack_size=1.0, shelf_life_days=1, lost_sale_cost=0.85, waste_cost=0.15)
    row = compute_orders(flat_forecast(), p, stock(7)).iloc[0]
    assert row["forecast_mean"] == pytest.approx(10.0) and row["quantity"] == pytest.approx(10.0)


def test_period_variance_from_daily_intervals() -> None:
    sd = interval_sd(np.array([10 - 1.2816 * 2]), np.array([10 + 1.2816 * 2]))
    assert sd[0] == pytest.approx(2.0, rel=1e-4)
    mean, sds = np.full((1, 5), 10.0), np.full((1, 5), 2.0)
    mu, var_independent = window_moments(mean, sds, np.array([2]), rho=0.0)
    _, var_shared = window_moments(mean, sds, np.array([2]), rho=1.0)
    assert (mu[0], var_independent[0], var_shared[0]) == pytest.approx((20.0, 8.0, 16.0))
    # past the horizon: extrapolated at the horizon's rate
    mu, _ = window_moments(mean, sds, np.array([8]), rho=0.0)
    assert mu[0] == pytest.approx(80.0)


def test_gamma_quantile_matches_its_moments_and_is_normal_for_large_demand() -> None:
    q = gamma_quantile(np.array([1000.0]), np.array([400.0]), 0.95)[0]
    assert q == pytest.approx(1000 + stats.norm.ppf(0.95) * 20, rel=0.005)
    small = gamma_quantile(np.array([2.0]), np.array([4.0]), 0.5)[0]
    assert small < 2.0  # right-skewed: the median of a small total is below its mean
    assert gamma_quantile(np.array([5.0]), np.array([0.0]), 0.99)[0] == 5.0  # no spread: the mean


def test_service_level_sets_the_safety_stock() -> None:
    forecast = flat_forecast(half_width=1.2816 * 2)  # daily sd 2
    low = compute_orders(forecast, params(service_level=0.5), stock(0)).iloc[0]
    high = compute_orders(forecast, params(service_level=0.99), stock(0)).iloc[0]
    assert 0 < high["safety_stock"] and high["forecast_quantile"] > low["forecast_quantile"]
    assert high["forecast_mean"] == pytest.approx(20.0)


def test_parameters_missing_for_a_product_is_an_error() -> None:
    with pytest.raises(KeyError, match="P9"):
        compute_orders(flat_forecast(product="P9"), params(), None)


def test_order_params_period() -> None:
    p = OrderParameters(2, 3, 6, 0.95, shelf_life_days=5, waste_cost=0.25, lost_sale_cost=0.75)
    assert p.period_days == 5 and p.perishable and p.critical_ratio == pytest.approx(0.75)
