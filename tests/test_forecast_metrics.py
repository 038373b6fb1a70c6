"""Forecast metrics on small hand-computed arrays, and the daily demand grid."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ml.data.aggregate import daily_demand
from ml.data.schema import DEFAULT_STORE_ID
from ml.evaluation.metrics import coverage, interval_width, mase, wape


def test_mase_scales_mae_by_the_in_sample_seasonal_naive_error() -> None:
    y_train = [1, 2, 3, 4]  # season 2: |3-1|, |4-2| -> scale 2
    assert mase([5, 5], [4, 7], y_train, season=2) == pytest.approx(((1 + 2) / 2) / 2)


def test_mase_falls_back_to_one_step_scale_then_nan() -> None:
    weekly = [1, 2] * 4  # perfect for season 2, one-step naive errors are all 1
    assert mase([3], [1], weekly, season=2) == pytest.approx(2.0)
    assert math.isnan(mase([3], [1], [4, 4, 4, 4], season=2))


def test_wape_pools_absolute_errors() -> None:
    assert wape([10, 0, 30], [12, 1, 27]) == pytest.approx((2 + 1 + 3) / 40)
    assert math.isnan(wape([0, 0], [1, 2]))


def test_coverage_counts_bounds_as_inside() -> None:
    assert coverage([1, 2, 3, 4], [1, 0, 4, 0], [2, 1, 5, 4]) == pytest.approx(0.5)


def test_interval_width_is_the_mean_width() -> None:
    assert interval_width([0, 1], [2, 5]) == pytest.approx(3.0)


def test_metrics_reject_arrays_of_different_lengths() -> None:
    with pytest.raises(ValueError):
        wape([1, 2], [1])


def _transactions(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": "c1",
        "product_id": [r[0] for r in rows],
        "timestamp": pd.to_datetime([r[1] for r in rows]),
        "quantity": [r[2] for r in rows],
        "price": 1.0,
    })


def test_daily_demand_sums_per_day_and_fills_missing_days_with_zero() -> None:
    tx = _transactions([
        ("a", "2024-01-01 09:00", 2.0), ("a", "2024-01-01 18:00", 3.0),
        ("a", "2024-01-04 10:00", 1.0), ("b", "2024-01-02 11:00", 4.0),
    ])
    daily = daily_demand(tx)
    assert list(daily.columns) == ["store_id", "product_id", "date", "quantity"]
    assert (daily["store_id"] == DEFAULT_STORE_ID).all()  # a log without stores is one store
    assert len(daily) == 2 * 4
    a = daily[daily["product_id"] == "a"]
    assert a["quantity"].tolist() == [5.0, 0.0, 0.0, 1.0]
    assert a["date"].tolist() == list(pd.date_range("2024-01-01", "2024-01-04"))
    assert daily["date"].dtype == np.dtype("datetime64[ns]")
    assert daily.equals(daily.sort_values(["product_id", "date"]).reset_index(drop=True))


def test_daily_demand_restricts_products_and_window() -> None:
    tx = _transactions([("a", "2024-01-01", 2.0), ("a", "2024-01-05", 3.0), ("b", "2024-01-02", 4.0)])
    daily = daily_demand(tx, product_ids=["a", "never_sold"], start="2024-01-02", end="2024-01-06")
    assert sorted(daily["product_id"].unique()) == ["a"]  # a product never sold has no series
    assert daily.groupby("product_id")["quantity"].sum().to_dict() == {"a": 3.0}
    assert daily["date"].min() == pd.Timestamp("2024-01-02")
    assert daily["date"].max() == pd.Timestamp("2024-01-06")
