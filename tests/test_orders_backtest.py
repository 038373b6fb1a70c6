"""The policy backtest on tiny hand-made series whose outcome is computed by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ml.evaluation.orders import backtest_orders, markdown_table, tune_correlation

DAYS = pd.date_range("2024-01-01", periods=15)  # 7 days of history, 8 days of holdout
START = DAYS[7]


def actual(demand: list[float] | None = None) -> pd.DataFrame:
    quantity = [10.0] * 7 + (demand or [10.0] * 8)
    return pd.DataFrame({"store_id": "s", "product_id": "p", "date": DAYS, "quantity": quantity})


def parameters(shelf_life: float = np.nan) -> pd.DataFrame:
    return pd.DataFrame([dict(product_id="p", lead_time_days=1, review_days=1, pack_size=1.0, service_level=0.95,
                              shelf_life_days=shelf_life, waste_cost=0.5, lost_sale_cost=0.5)])


def exact_forecast(origin: pd.Timestamp) -> pd.DataFrame:
    """Forecasts demand 10 a day, with no spread, for the 10 days after ``origin``."""
    dates = pd.date_range(origin + pd.Timedelta(days=1), periods=10)
    return pd.DataFrame({"store_id": "s", "product_id": "p", "date": dates, "mean": 10.0, "lower": 10.0,
                         "upper": 10.0})


def test_constant_demand_lead_time_1_review_1() -> None:
    # start with 10 x (L + R) = 20. caddie: S = 20 -> day 0 orders 0 (sells 10, 10 left), day 1 orders 10,
    # from then on each day opens with 10 (delivered), sells 10, closes with 0: average stock (10 + 0) / 2 = 5.
    # last_week: S = 70; day 0 orders 50 -> every day from day 1 opens with 60 and closes with 50: 55.
    result = backtest_orders(actual(), START, exact_forecast, parameters())
    table = result.table
    assert table.loc["caddie", "fill_rate"] == 1.0 and table.loc["caddie", "units_wasted"] == 0.0
    assert table.loc["caddie", "avg_stock"] == pytest.approx(5.0)  # days 1..7 (day 0 is before any delivery)
    assert table.loc["caddie", "stock_days"] == pytest.approx(0.5)
    assert table.loc["caddie", "period_coverage"] == 1.0
    assert table.loc["last_week", "avg_stock"] == pytest.approx(55.0)
    assert table.loc["forecast_mean", "avg_stock"] == pytest.approx(5.0)
    assert (table["stockout_days"] == 0).all() and (table["units_demanded"] == 70).all()
    assert list(result.replays[0].ordered[0]) == [0, 10, 10, 10, 10, 10, 10, 10]
    assert "| caddie | 100.0% | 0.0% | 5.00 |" in markdown_table(table)


def test_perishables_expire_first_in_first_out() -> None:
    # last_week (S = 70) with a shelf life of 3 days: day 0 opens 20 (orders 50), day 1 opens 60, sells the 10
    # left of day 0; day 3 throws away the 30 left of day 1's 50; day 4 opens 30 and orders 40 (arrives day 5);
    # day 7 throws away the 30 left of those 40. Opening/closing from day 1: 60/50, 60/50, 60/20, 30/20,
    # 60/50, 60/50, 60/20.
    result = backtest_orders(actual(), START, exact_forecast, parameters(shelf_life=3), policies=("last_week",))
    row = result.table.loc["last_week"]
    assert row["units_wasted"] == 60.0 and row["fill_rate"] == 1.0
    assert row["waste_rate"] == pytest.approx(60 / 70)
    assert row["avg_stock"] == pytest.approx((110 + 110 + 80 + 50 + 110 + 110 + 80) / 2 / 7)
    assert list(result.replays[0].wasted[0]) == [0, 0, 0, 30, 0, 0, 0, 30]


def test_a_demand_spike_is_a_stock_out_day_for_the_forecast_mean() -> None:
    # forecast_mean holds S = 20: every day opens with 10; on day 5 demand is 30 and only 10 are sold
    demand = [10.0, 10, 10, 10, 10, 30, 10, 10]
    result = backtest_orders(actual(demand), START, exact_forecast, parameters(), policies=("forecast_mean",))
    row = result.table.loc["forecast_mean"]
    assert row["units_demanded"] == 90 and row["units_sold"] == 70
    assert row["fill_rate"] == pytest.approx(70 / 90)
    assert row["stockout_days"] == pytest.approx(1 / 7)


def test_caddie_caps_a_perishable_and_serves_the_rest_from_the_forecast() -> None:
    # shelf life 1 <= lead time 1: each order covers tomorrow only (10), never more
    result = backtest_orders(actual(), START, exact_forecast, parameters(shelf_life=1), policies=("caddie",))
    row = result.table.loc["caddie"]
    assert row["fill_rate"] == 1.0 and row["units_wasted"] == 0.0
    assert list(result.replays[0].ordered[0]) == [10.0] * 8


def test_too_short_a_history_is_refused() -> None:
    with pytest.raises(ValueError, match="7 days"):
        backtest_orders(actual(), DAYS[3], exact_forecast, parameters())


def spread_forecast(origin: pd.Timestamp) -> pd.DataFrame:
    """Mean 10 a day with an 80 % interval of +-2.56 (daily sd 2)."""
    return exact_forecast(origin).assign(lower=10 - 2.5631, upper=10 + 2.5631)


def test_rho_is_the_smallest_reaching_the_target_on_the_window_before_the_holdout() -> None:
    days = pd.date_range("2024-01-01", periods=22)
    seen: list[pd.Timestamp] = []

    def make_provider(history: pd.DataFrame, start: pd.Timestamp):
        seen.append(history["date"].max())
        return spread_forecast

    def frame(level: float) -> pd.DataFrame:
        return pd.DataFrame({"store_id": "s", "product_id": "p", "date": days, "quantity": level})

    # demand exactly the forecast mean: S (a 95 % quantile) always covers it, whatever rho -> the smallest
    choice = tune_correlation(frame(10.0), days[-4], make_provider, parameters(), validation_days=7)
    assert choice.rho == 0.0 and (choice.table["period_coverage"] == 1.0).all()
    assert seen[-1] < days[-4]  # the holdout is never shown to the validation
    assert choice.validation_start == days[-11]
    # demand twice the forecast: no rho covers it -> the widest
    assert tune_correlation(frame(20.0), days[-4], make_provider, parameters(), validation_days=7).rho == 0.5
