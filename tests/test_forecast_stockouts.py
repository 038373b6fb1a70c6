"""Stock-out days are censored: they neither train the model as targets nor drag its level down."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ml.models.forecast import DemandForecaster
from ml.models.forecast_signals import uncensor


def _daily(n_days: int = 140, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2024-01-01", periods=n_days, freq="D")
    return pd.concat([pd.DataFrame({"store_id": "A", "product_id": p, "date": dates,
                                    "quantity": rng.poisson(rate, n_days).astype(float), "stockout_hours": 0.0})
                      for p, rate in (("milk", 20.0), ("eggs", 12.0), ("jam", 6.0))], ignore_index=True)


def _empty_shelves(daily: pd.DataFrame, share: float, flagged: bool, seed: int = 1) -> pd.DataFrame:
    """Zero sales on a random ``share`` of days (the last 30 days hit hardest), flagged as stock-outs or not."""
    rng = np.random.default_rng(seed)
    recent = daily["date"] > daily["date"].max() - pd.Timedelta(days=30)
    out_of_stock = rng.random(len(daily)) < np.where(recent, 2 * share, share)
    return daily.assign(quantity=np.where(out_of_stock, 0.0, daily["quantity"]),
                        stockout_hours=np.where(out_of_stock & flagged, 10.0, 0.0))


def _level(daily: pd.DataFrame) -> pd.Series:
    model = DemandForecaster(country=None, horizon=14, max_iter=60).fit(daily)
    return model.predict(14).groupby("product_id")["mean"].mean()


def test_censored_stockout_days_do_not_lower_the_forecast() -> None:
    clean = _daily()
    with_stockouts = _level(_empty_shelves(clean, 0.2, flagged=True))
    without = _level(clean)
    unflagged = _level(_empty_shelves(clean, 0.2, flagged=False))
    assert (with_stockouts >= 0.9 * without).all(), (with_stockouts.to_dict(), without.to_dict())
    # the same zeros taken at face value (no stock-out hours) do pull the forecast down
    assert (unflagged < 0.85 * without).all(), (unflagged.to_dict(), without.to_dict())


def test_uncensor_raises_censored_days_to_the_recent_clean_mean_and_never_lowers() -> None:
    y = np.array([[4.0, 6.0, 0.0, 9.0, 1.0]])
    censored = np.array([[False, False, True, False, True]])
    out = uncensor(y, censored, window=3)
    # day 2: clean days 0-1 mean 5; day 4: clean days 1 and 3 (day 2 censored) mean 7.5
    np.testing.assert_allclose(out, [[4.0, 6.0, 5.0, 9.0, 7.5]])
    high = uncensor(np.array([[1.0, 30.0]]), np.array([[False, True]]))
    assert high[0, 1] == 30.0  # a censored day that sold more than the recent mean keeps its sales
