"""The data and forecasts of the order-policy backtest runs: the simulator and FreshRetailNet-50K.

The forecasts come from :class:`ml.models.forecast.DemandForecaster`, refitted every ``refit_every`` days
on the history up to that day; between refits a review day uses the latest fit's forecast of the days after
it (never a forecast made with days it could not have known). The forecaster keys series by product_id
only, so a store x product series is encoded as product_id = "store|product" while it is fitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ml.orders.params import EMPTY_TABLE, OrderParameters, default_parameters, parameters_frame

SEP = "|"
FRN_FILE = "freshretailnet50k/frn50k_daily.csv.xz"


@dataclass(frozen=True)
class BacktestData:
    name: str
    actual: pd.DataFrame  # store_id, product_id, date, quantity: every day, history and holdout
    start: pd.Timestamp  # first holdout day
    parameters: pd.DataFrame  # per product_id
    categories: pd.Series  # per product_id, for the per-category table
    note: str  # how the data was prepared, for the report


def simulator_data(holdout_days: int = 28, days: int = 365, n_customers: int = 400, seed: int = 7,
                   end: date = date(2024, 6, 30)) -> BacktestData:
    """Daily demand per store x product of the simulated chain (each store's assortment, zeros filled)."""
    from ml.data.simulator import simulate

    dataset = simulate(n_customers=n_customers, days=days, end=end, seed=seed)
    tx = dataset.transactions
    daily = (tx.assign(date=tx["timestamp"].dt.normalize(), store_id=tx["store_id"].astype(str))
             .groupby(["store_id", "product_id", "date"])["quantity"].sum())
    calendar = pd.date_range(tx["timestamp"].min().normalize(), tx["timestamp"].max().normalize())
    pairs = daily.index.droplevel("date").unique()
    grid = pd.MultiIndex.from_tuples([(s, p, d) for s, p in pairs for d in calendar],
                                     names=["store_id", "product_id", "date"])
    actual = daily.reindex(grid, fill_value=0.0).reset_index()
    products = dataset.products
    return BacktestData(
        name=f"simulator ({len(pairs)} store x product series, {days} days, seed {seed})",
        actual=actual, start=calendar[-holdout_days], parameters=parameters_frame(products, EMPTY_TABLE),
        categories=products.set_index("product_id")["category"].astype(str),
        note="simulated till receipts summed per store, product and day; demand = sales (no stock-outs)")


def freshretailnet_data(data_dir: Path, n_series: int = 1000, holdout_days: int = 28, seed: int = 0,
                        category: str = "fruits et légumes", pack_size: float = 0.1,
                        fewest_stockouts: bool = False) -> BacktestData:
    """A sample of FreshRetailNet-50K series (random, or the ``n_series`` with the fewest days with stock-out
    hours); observed sales are taken as demand (see the note)."""
    path = Path(data_dir) / FRN_FILE
    frame = pd.read_csv(path, usecols=["store_id", "product_id", "dt", "sale_amount", "stock_hour6_22_cnt"])
    share = (frame.assign(out=frame["stock_hour6_22_cnt"] > 0).groupby(["store_id", "product_id"])["out"].mean()
             .reset_index())
    share = share.sample(frac=1.0, random_state=seed)  # random order, then (stably) by stock-out share
    if fewest_stockouts:
        share = share.sort_values("out", kind="stable")
    chosen = share.head(n_series)[["store_id", "product_id"]]
    frame = frame.merge(chosen, on=["store_id", "product_id"])
    stockout_share = float((frame["stock_hour6_22_cnt"] > 0).mean())
    # the product ids of different stores are one product: parameters per product id
    actual = pd.DataFrame({
        "store_id": frame["store_id"].astype(str), "product_id": frame["product_id"].astype(str),
        "date": pd.to_datetime(frame["dt"]), "quantity": frame["sale_amount"].astype(float)})
    base = default_parameters(category)
    params = _uniform(actual["product_id"].unique(), OrderParameters(
        base.lead_time_days, base.review_days, pack_size, base.service_level, base.shelf_life_days,
        base.waste_cost, base.lost_sale_cost))
    calendar = np.sort(actual["date"].unique())
    return BacktestData(
        name=(f"FreshRetailNet-50K ({len(chosen)} {'least stocked-out' if fewest_stockouts else 'random'} series "
              f"of 50,000, seed {seed}, 90 days)"),
        actual=actual, start=pd.Timestamp(calendar[-holdout_days]), parameters=params,
        categories=pd.Series(category, index=params["product_id"]),
        note=(f"sale_amount is normalised (relative units, packs of {pack_size}); {stockout_share:.0%} of the "
              "sampled series-days have stock-out hours, whose sales understate demand: observed sales are "
              "taken as the demand every policy faces (the same for all), so fill rates are against sales, "
              f"not latent demand; every product gets the '{category}' parameters (a fresh-goods retailer)"))


def _uniform(product_ids: np.ndarray, params: OrderParameters) -> pd.DataFrame:
    products = pd.DataFrame({"product_id": product_ids, "name": product_ids, "category": None})
    frame = parameters_frame(products)
    for name in ("lead_time_days", "review_days", "pack_size", "service_level", "shelf_life_days",
                 "waste_cost", "lost_sale_cost"):
        frame[name] = getattr(params, name)
    return frame


class RefitProvider:
    """origin -> forecasts of the days after it, from a DemandForecaster refitted every ``refit_every`` days."""

    def __init__(self, actual: pd.DataFrame, start: pd.Timestamp, horizon: int, refit_every: int = 7,
                 **forecaster_params: object):
        self.daily = actual.assign(product_id=actual["store_id"].astype(str) + SEP + actual["product_id"].astype(str))
        self.start, self.horizon, self.refit_every = pd.Timestamp(start), horizon, refit_every
        self.forecaster_params = forecaster_params
        self._fits: dict[pd.Timestamp, pd.DataFrame] = {}

    def __call__(self, origin: pd.Timestamp) -> pd.DataFrame:
        first = self.start - pd.Timedelta(days=1)
        lag = (pd.Timestamp(origin) - first).days
        fit_day = first + pd.Timedelta(days=max(lag, 0) // self.refit_every * self.refit_every)
        if fit_day not in self._fits:
            self._fits[fit_day] = self._forecast(fit_day)
        forecast = self._fits[fit_day]
        return forecast[forecast["date"] > origin]

    def _forecast(self, fit_day: pd.Timestamp) -> pd.DataFrame:
        from ml.models.forecast import DemandForecaster

        history = self.daily[self.daily["date"] <= fit_day][["product_id", "date", "quantity"]]
        model = DemandForecaster(horizon=self.horizon, **self.forecaster_params).fit(history)
        forecast = model.predict(self.horizon)
        store_product = forecast["product_id"].str.split(SEP, n=1, expand=True)
        return forecast.assign(store_id=store_product[0], product_id=store_product[1])
