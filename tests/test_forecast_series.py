"""Series-aware forecasting: a series is a product in a store; stores are never mixed or crossed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ml.data.aggregate import daily_demand, with_signals
from ml.errors import NotSoldInStore, UnknownProduct, UnknownStore
from ml.models.forecast import DemandForecaster
from ml.models.forecast_baselines import SeasonalNaive


def two_store_transactions() -> pd.DataFrame:
    """Store "A" sells milk and bread; store "B" sells milk only (no bread series in B)."""
    rows = [("A", "milk", "2024-01-01", 2.0), ("A", "milk", "2024-01-01", 1.0), ("A", "bread", "2024-01-03", 5.0),
            ("B", "milk", "2024-01-02", 7.0), ("B", "milk", "2024-01-04", 1.0)]
    return pd.DataFrame({
        "customer_id": pd.NA, "store_id": [r[0] for r in rows], "product_id": [r[1] for r in rows],
        "timestamp": pd.to_datetime([r[2] for r in rows]) + pd.Timedelta(hours=10),
        "quantity": [r[3] for r in rows], "price": 1.0,
    })


def test_daily_demand_builds_one_grid_per_existing_store_product_series() -> None:
    daily = daily_demand(two_store_transactions())
    assert list(daily.columns) == ["store_id", "product_id", "date", "quantity"]
    series = daily[["store_id", "product_id"]].drop_duplicates().apply(tuple, axis=1).tolist()
    assert series == [("A", "bread"), ("A", "milk"), ("B", "milk")]  # no ("B", "bread")
    assert len(daily) == 3 * 4
    by = {k: g["quantity"].tolist() for k, g in daily.groupby(["store_id", "product_id"])}
    assert by[("A", "milk")] == [3.0, 0.0, 0.0, 0.0]
    assert by[("B", "milk")] == [0.0, 7.0, 0.0, 1.0]
    assert by[("A", "bread")] == [0.0, 0.0, 5.0, 0.0]


def test_daily_demand_filters_by_series_and_products() -> None:
    tx = two_store_transactions()
    only = daily_demand(tx, series=[("B", "milk"), ("B", "bread")])  # B sells no bread: left out
    assert set(zip(only["store_id"], only["product_id"])) == {("B", "milk")}
    milk = daily_demand(tx, product_ids=["milk"], start="2024-01-02", end="2024-01-03")
    assert set(zip(milk["store_id"], milk["product_id"])) == {("A", "milk"), ("B", "milk")}
    assert milk["quantity"].sum() == 7.0


def test_with_signals_joins_drivers_and_fills_days_without_a_signal() -> None:
    daily = daily_demand(two_store_transactions())
    signals = pd.DataFrame({"store_id": ["A"], "product_id": ["milk"], "date": [pd.Timestamp("2024-01-02")],
                            "promo": [1.0], "discount": [0.7], "stockout_hours": [3.0]})
    out = with_signals(daily, signals)
    row = out[(out["store_id"] == "A") & (out["product_id"] == "milk") & (out["date"] == "2024-01-02")]
    assert row[["promo", "discount", "stockout_hours"]].iloc[0].tolist() == [1.0, 0.7, 3.0]
    other = out[(out["store_id"] == "B")]
    assert (other["promo"] == 0).all() and (other["discount"] == 1).all() and other["stockout_hours"].isna().all()


def _two_store_daily(n_days: int = 120) -> pd.DataFrame:
    """Store A sells ~50 milk a day, store B ~5; only store A sells bread."""
    rng = np.random.default_rng(0)
    dates = pd.date_range("2024-01-01", periods=n_days, freq="D")
    parts = [("A", "milk", 50.0), ("B", "milk", 5.0), ("A", "bread", 20.0)]
    return pd.concat([pd.DataFrame({"store_id": s, "product_id": p, "date": dates,
                                    "quantity": rng.poisson(rate, n_days).astype(float)})
                      for s, p, rate in parts], ignore_index=True)


@pytest.mark.parametrize("make", [lambda: DemandForecaster(country=None, max_iter=40), SeasonalNaive])
def test_forecasters_keep_store_series_apart(make) -> None:
    model = make().fit(_two_store_daily())
    assert model.series_ == [("A", "bread"), ("A", "milk"), ("B", "milk")]
    assert model.stores_ == ["A", "B"] and model.products_ == ["bread", "milk"]
    forecast = model.predict(7)
    assert list(forecast.columns) == ["store_id", "product_id", "date", "mean", "lower", "upper"]
    assert set(zip(forecast["store_id"], forecast["product_id"])) == set(model.series_)
    level = forecast.groupby(["store_id", "product_id"])["mean"].mean()
    assert level[("A", "milk")] > 4 * level[("B", "milk")]  # each store keeps its own scale
    # a bare product id means every store that sells it; a pair means that series
    milk = model.predict(3, "milk")
    assert milk["store_id"].tolist() == ["A"] * 3 + ["B"] * 3
    pair = model.predict(3, [("B", "milk")])
    assert (pair["store_id"] == "B").all() and len(pair) == 3


def test_predict_names_what_is_missing() -> None:
    model = SeasonalNaive().fit(_two_store_daily(30))
    with pytest.raises(NotSoldInStore):
        model.predict(3, [("B", "bread")])
    with pytest.raises(UnknownStore):
        model.predict(3, [("Z", "milk")])
    with pytest.raises(UnknownProduct):
        model.predict(3, [("A", "caviar")])
