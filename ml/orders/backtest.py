"""Replay a holdout day by day with the actual demand, ordering by several policies, and count what happens.

Each day t of the holdout, for every store x product and every policy, in this order:

1. the orders due on day t arrive (an order placed on day t arrives on day t + L);
2. on a review day (t a multiple of the review period R) the policy sets an order-up-to level S and orders
   ``round_to_packs(S, on_hand + on_order, pack)`` (caddie's policy also caps perishables); the
   forecasts used come from ``provider(origin)`` with origin = day t - 1, the last day whose sales are known;
3. sales = min(demand, on hand), taken from the oldest units first (FIFO);
4. perishable units received on day a are thrown away at the close of day a + shelf_life - 1 (wasted).

Policies (order-up-to levels S, all rounded up to whole packs):

* ``caddie``: the ``service_level`` quantile of demand over L + R days, shelf-life cap (:mod:`ml.orders.policy`);
* ``last_week``: "order what sold last week": S = the units demanded over the 7 days before the review day
  (a week of cover, the shop-floor rule; it reads the actual demand, not its own censored sales);
* ``forecast_mean``: S = the forecast mean over L + R days (no safety stock, no cap).

Every policy starts from the same stock: mean daily demand of the 7 days before the holdout x (L + R), fresh,
nothing on order. Metrics count the days from L on (earlier days only see the common starting stock).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ml.data.schema import DEFAULT_STORE_ID
from ml.orders.distribution import DEFAULT_CORRELATION, interval_sd
from ml.orders.policy import (ShelfLifeCap, gone_before_delivery, order_up_to, round_to_packs, shelf_life_cap,
                              window_moments)

POLICIES: tuple[str, ...] = ("caddie", "last_week", "forecast_mean")
Provider = Callable[[pd.Timestamp], pd.DataFrame]  # origin day -> forecast frame of the days after it


@dataclass(frozen=True)
class Replay:
    """The day-by-day outcome of one policy; arrays are (series, day)."""

    policy: str
    demand: np.ndarray
    sold: np.ndarray
    wasted: np.ndarray
    opening: np.ndarray  # on hand after the day's deliveries
    closing: np.ndarray  # on hand at close, after expiry
    ordered: np.ndarray
    counted: np.ndarray  # bool: the day enters the metrics (t >= lead time)
    covered: np.ndarray | None = None  # caddie only: per review with a full period ahead, demand <= S (0/1, NaN)


@dataclass(frozen=True)
class Series:
    """The series of a backtest and their parameters, as arrays aligned on ``keys``."""

    keys: pd.DataFrame  # store_id, product_id
    history: np.ndarray  # (series, days before the holdout) demand
    demand: np.ndarray  # (series, holdout days)
    days: pd.DatetimeIndex  # holdout days
    lead: np.ndarray
    review: np.ndarray
    pack: np.ndarray
    service_level: np.ndarray
    shelf: np.ndarray  # NaN: not perishable
    critical_ratio: np.ndarray


def build_series(actual: pd.DataFrame, start: pd.Timestamp, parameters: pd.DataFrame) -> Series:
    """Arrays of a backtest from daily ``actual`` demand [store_id, product_id, date, quantity] (every day of
    history and holdout; holdout from ``start``) and ``parameters`` per product_id."""
    frame = actual.copy()
    if "store_id" not in frame:
        frame["store_id"] = DEFAULT_STORE_ID
    frame = frame.astype({"store_id": str, "product_id": str})
    wide = frame.pivot_table(index=["store_id", "product_id"], columns="date", values="quantity",
                             aggfunc="sum").fillna(0.0)
    dates = pd.DatetimeIndex(wide.columns)
    keys = wide.index.to_frame(index=False)
    p = keys[["product_id"]].merge(parameters.astype({"product_id": str}), on="product_id", how="left")
    values = wide.to_numpy(float)
    holdout = dates >= pd.Timestamp(start)
    return Series(
        keys=keys, history=values[:, ~holdout], demand=values[:, holdout], days=dates[holdout],
        lead=p["lead_time_days"].to_numpy(int), review=p["review_days"].to_numpy(int),
        pack=p["pack_size"].to_numpy(float), service_level=p["service_level"].to_numpy(float),
        shelf=pd.to_numeric(p["shelf_life_days"], errors="coerce").to_numpy(float),
        critical_ratio=(p["lost_sale_cost"] / (p["lost_sale_cost"] + p["waste_cost"])).to_numpy(float),
    )


def forecast_arrays(forecast: pd.DataFrame, keys: pd.DataFrame, first_day: pd.Timestamp,
                    level: int = 80) -> tuple[np.ndarray, np.ndarray]:
    """(mean, sd) arrays (series, horizon) from ``first_day`` on, rows aligned on ``keys`` (missing: 0)."""
    frame = forecast[pd.to_datetime(forecast["date"]) >= first_day].copy()
    if "store_id" not in frame:
        frame["store_id"] = DEFAULT_STORE_ID
    frame = frame.astype({"store_id": str, "product_id": str})
    frame["sd"] = interval_sd(frame["lower"].to_numpy(), frame["upper"].to_numpy(), level)
    index = pd.MultiIndex.from_frame(keys[["store_id", "product_id"]])
    mean = frame.pivot_table(index=["store_id", "product_id"], columns="date", values="mean", aggfunc="sum")
    sd = frame.pivot_table(index=["store_id", "product_id"], columns="date", values="sd", aggfunc="sum")
    return (mean.reindex(index).fillna(0.0).to_numpy(float), sd.reindex(index).fillna(0.0).to_numpy(float))


class _Stock:
    """On-hand lots by arrival day (FIFO) and the orders still on their way, for one policy."""

    def __init__(self, initial: np.ndarray, n_days: int, max_lead: int):
        self.lots = np.zeros((len(initial), n_days))
        self.lots[:, 0] = initial
        self.pipeline = np.zeros((len(initial), n_days + max_lead + 1))

    def receive(self, t: int) -> None:
        self.lots[:, t] += self.pipeline[:, t]
        self.pipeline[:, t] = 0.0

    def on_hand(self) -> np.ndarray:
        return self.lots.sum(axis=1)

    def on_order(self) -> np.ndarray:
        return self.pipeline.sum(axis=1)

    def order(self, t: int, quantity: np.ndarray, lead: np.ndarray) -> None:
        rows = np.flatnonzero(quantity > 0)
        self.pipeline[rows, t + lead[rows]] += quantity[rows]
        if (lead[rows] == 0).any():
            self.receive(t)

    def sell(self, demand: np.ndarray) -> np.ndarray:
        """Sales = min(demand, on hand), oldest lots first."""
        cum = np.cumsum(self.lots, axis=1)
        sold = np.minimum(demand, cum[:, -1])
        left = np.maximum(cum - sold[:, None], 0.0)
        self.lots = np.diff(left, axis=1, prepend=0.0)
        return sold

    def expire(self, t: int, shelf: np.ndarray) -> np.ndarray:
        """Throws away the lots received on day t - shelf + 1 (their last day was today)."""
        wasted = np.zeros(self.lots.shape[0])
        perishable = np.isfinite(shelf)
        arrival = t - np.nan_to_num(shelf).astype(int) + 1
        rows = np.flatnonzero(perishable & (arrival >= 0))
        wasted[rows] = self.lots[rows, arrival[rows]]
        self.lots[rows, arrival[rows]] = 0.0
        return wasted


def _levels(policy: str, s: Series, t: int, mean: np.ndarray | None, sd: np.ndarray | None,
            rho: float) -> tuple[np.ndarray, ShelfLifeCap | None]:
    """(order-up-to level, shelf-life cap or None) of ``policy`` on day t."""
    period = s.lead + s.review
    if policy == "last_week":
        past = np.concatenate([s.history, s.demand[:, :t]], axis=1)[:, -7:]
        return past.sum(axis=1), None
    if policy == "forecast_mean":
        return window_moments(mean, sd, period, rho)[0], None
    if policy == "caddie":
        _, level = order_up_to(mean, sd, s.lead, s.review, s.service_level, s.shelf, rho)
        return level, shelf_life_cap(mean, sd, s.lead, s.shelf, s.critical_ratio, rho)
    raise ValueError(f"unknown policy {policy!r}; expected one of {', '.join(POLICIES)}")


def _coverage(s: Series, t: int, level: np.ndarray, review: np.ndarray) -> np.ndarray:
    """1 where demand over the coming period stayed <= S, 0 where not, NaN where the period leaves the holdout."""
    fresh = gone_before_delivery(s.lead, s.shelf)  # S covers days L .. L + R - 1 only
    begin, end = t + np.where(fresh, s.lead, 0), t + s.lead + s.review
    cum = np.concatenate([np.zeros((len(end), 1)), np.cumsum(s.demand, axis=1)], axis=1)
    inside = review & (end <= s.demand.shape[1])
    rows, last = np.arange(len(end)), s.demand.shape[1]
    total = cum[rows, np.minimum(end, last)] - cum[rows, np.minimum(begin, last)]
    return np.where(inside, (total <= level + 1e-9).astype(float), np.nan)


def replay(s: Series, policy: str, provider: Provider | None, level: int = 80,
           rho: float = DEFAULT_CORRELATION, forecasts: dict | None = None) -> Replay:
    """Simulate one policy over the holdout (``forecasts`` caches provider answers across policies)."""
    n, n_days = s.demand.shape
    forecasts = {} if forecasts is None else forecasts
    recent = s.history[:, -7:].mean(axis=1) if s.history.shape[1] else s.demand[:, :1].mean(axis=1)
    stock = _Stock(recent * (s.lead + s.review), n_days, int(s.lead.max(initial=0)))
    out = {k: np.zeros((n, n_days)) for k in ("sold", "wasted", "opening", "closing", "ordered")}
    covered = np.full((n, n_days), np.nan)
    for t in range(n_days):
        stock.receive(t)
        review = t % s.review == 0
        if review.any():
            mean = sd = None
            if policy != "last_week":
                if t not in forecasts:
                    origin = s.days[t] - pd.Timedelta(days=1)
                    forecasts[t] = forecast_arrays(provider(origin), s.keys, s.days[t], level)
                mean, sd = forecasts[t]
            target, cap = _levels(policy, s, t, mean, sd, rho)
            on_hand = stock.on_hand()
            if policy == "caddie":  # stock gone before the delivery does not count (see ml.orders.policy)
                on_hand = np.where(gone_before_delivery(s.lead, s.shelf), 0.0, on_hand)
            position = on_hand + stock.on_order()
            packs, _ = round_to_packs(target, position, s.pack, cap)
            quantity = np.where(review, packs * s.pack, 0.0)
            stock.order(t, quantity, s.lead)
            out["ordered"][:, t] = quantity
            if policy == "caddie":
                covered[:, t] = _coverage(s, t, target, review)
        out["opening"][:, t] = stock.on_hand()
        out["sold"][:, t] = stock.sell(s.demand[:, t])
        out["wasted"][:, t] = stock.expire(t, s.shelf)
        out["closing"][:, t] = stock.on_hand()
    counted = np.arange(n_days)[None, :] >= s.lead[:, None]
    return Replay(policy, s.demand, counted=counted, covered=covered if policy == "caddie" else None, **out)


def run_policies(s: Series, provider: Provider | None, policies: Sequence[str] = POLICIES, level: int = 80,
                 rho: float = DEFAULT_CORRELATION, forecasts: dict | None = None) -> list[Replay]:
    """Every policy on the same series, asking the provider once per review day (``forecasts``: its cache)."""
    forecasts = {} if forecasts is None else forecasts
    return [replay(s, policy, provider, level, rho, forecasts) for policy in policies]
