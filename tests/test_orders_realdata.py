"""The order-policy backtest on a small sample of FreshRetailNet-50K (skipped without ../shared/data)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ml.evaluation.orders import backtest_orders
from ml.orders.runs import FRN_FILE, RefitProvider, freshretailnet_data


@pytest.mark.realdata
def test_backtest_on_freshretailnet_sample(shared_data: Path) -> None:
    if not (shared_data / FRN_FILE).exists():
        pytest.skip(f"{FRN_FILE} not found in {shared_data}")
    data = freshretailnet_data(shared_data, n_series=40, holdout_days=14)
    assert data.actual.groupby(["store_id", "product_id"]).ngroups == 40
    provider = RefitProvider(data.actual, data.start, horizon=14, refit_every=14, country=None,
                             max_iter=40)
    table = backtest_orders(data.actual, data.start, provider, data.parameters).table
    assert list(table.index) == ["caddie", "last_week", "forecast_mean"]
    assert ((table["fill_rate"] > 0) & (table["fill_rate"] <= 1)).all()
    # a week of cover of perishables with a 5-day shelf life wastes more than ordering to the forecast
    assert table.loc["last_week", "units_wasted"] > table.loc["caddie", "units_wasted"]
    assert table.loc["caddie", "fill_rate"] > table.loc["forecast_mean", "fill_rate"]
