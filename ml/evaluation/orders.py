"""Backtest of order policies: fill rate, waste, stock and stock-out days of each (issue 6, point 7).

:func:`backtest_orders` is model-agnostic: the forecasts for each review day come from a ``provider``
callable (origin day -> forecast frame [store_id, product_id, date, mean, lower, upper] of the days after
it), so any forecaster, or hand-made forecasts in tests, can drive it. See :mod:`ml.orders.backtest` for
the simulation rules and the policies.

Metrics, over the days each series counts (from its lead time on):

    fill_rate        units sold / units demanded
    waste_rate       units wasted (expired) / units demanded        wasted: the units themselves
    avg_stock        mean on hand over the day ((opening + closing) / 2), units per series-day
    stock_days       total avg_stock / total mean daily demand: days of demand held in stock (scale-free)
    stockout_days    share of series-days whose demand was not fully served
    period_coverage  caddie only: share of reviews where demand over L + R stayed <= S (target: service level)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ml.orders.backtest import POLICIES, Provider, Replay, Series, build_series, run_policies
from ml.orders.distribution import DEFAULT_CORRELATION

METRIC_COLUMNS: tuple[str, ...] = ("fill_rate", "waste_rate", "units_demanded", "units_sold", "units_wasted",
                                   "avg_stock", "stock_days", "stockout_days", "period_coverage")


@dataclass(frozen=True)
class OrdersBacktest:
    table: pd.DataFrame  # one row per policy: METRIC_COLUMNS
    series: Series
    replays: tuple[Replay, ...]
    target_service_level: float  # mean target over the series

    def by(self, groups: pd.Series) -> pd.DataFrame:
        """The metrics per group of series (``groups`` aligned on ``series.keys``), policies as rows."""
        labels = np.asarray(groups)
        frames = []
        for label in pd.unique(labels):
            rows = labels == label
            table = pd.DataFrame([policy_metrics(r, rows) for r in self.replays],
                                 index=[r.policy for r in self.replays])
            frames.append(table.assign(group=label, series=int(rows.sum())))
        return pd.concat(frames).rename_axis("policy").reset_index()


def policy_metrics(r: Replay, rows: np.ndarray | None = None) -> dict[str, float]:
    """The metrics of one replay (optionally of some series only)."""
    rows = np.ones(r.demand.shape[0], bool) if rows is None else np.asarray(rows, bool)
    counted = r.counted[rows]
    demand, sold = r.demand[rows][counted], r.sold[rows][counted]
    wasted = r.wasted[rows][counted]
    stock = ((r.opening[rows] + r.closing[rows]) / 2)[counted]
    demanded = float(demand.sum())
    daily_demand = demanded / max(int(counted.sum()), 1)
    covered = np.nan if r.covered is None else float(np.nanmean(r.covered[rows])) if np.isfinite(
        r.covered[rows]).any() else np.nan
    return {
        "fill_rate": float(sold.sum()) / demanded if demanded > 0 else np.nan,
        "waste_rate": float(wasted.sum()) / demanded if demanded > 0 else np.nan,
        "units_demanded": demanded,
        "units_sold": float(sold.sum()),
        "units_wasted": float(wasted.sum()),
        "avg_stock": float(stock.mean()) if stock.size else np.nan,
        "stock_days": float(stock.mean()) / daily_demand if daily_demand > 0 else np.nan,
        "stockout_days": float((sold < demand - 1e-9).mean()) if demand.size else np.nan,
        "period_coverage": covered,
    }


def backtest_orders(actual: pd.DataFrame, start: pd.Timestamp | str, provider: Provider | None,
                    parameters: pd.DataFrame, policies: Sequence[str] = POLICIES, level: int = 80,
                    rho: float = DEFAULT_CORRELATION) -> OrdersBacktest:
    """Replay the holdout from ``start`` with each policy; one row of metrics per policy.

    ``actual``: daily demand [store_id, product_id, date, quantity] on a complete grid, history (at least
    7 days) and holdout. ``parameters``: one row per product_id with the OrderParameters fields
    (:func:`ml.orders.params.parameters_frame`). ``provider``: origin day -> forecasts from the next day on,
    covering at least lead time + review period (+ shelf life for perishables; shorter is extrapolated).
    """
    series = build_series(actual, pd.Timestamp(start), parameters)
    if series.history.shape[1] < 7:
        raise ValueError("the backtest needs at least 7 days of history before the holdout")
    replays = tuple(run_policies(series, provider, policies, level, rho))
    table = pd.DataFrame([policy_metrics(r) for r in replays], index=[r.policy for r in replays])
    return OrdersBacktest(table[list(METRIC_COLUMNS)].rename_axis("policy"), series, replays,
                          float(series.service_level.mean()))


def markdown_table(table: pd.DataFrame) -> str:
    """A policies x metrics table as Markdown (rates in %, stock in units and days)."""
    head = "| policy | fill rate | waste (% of demand) | avg stock (units) | stock (days of demand) | " \
           "stock-out days | period demand <= S |"
    lines = [head, "|---|---:|---:|---:|---:|---:|---:|"]
    for policy, row in table.iterrows():
        coverage = "" if pd.isna(row["period_coverage"]) else f"{row['period_coverage']:.1%}"
        lines.append(f"| {policy} | {row['fill_rate']:.1%} | {row['waste_rate']:.1%} | {row['avg_stock']:.2f} | "
                     f"{row['stock_days']:.2f} | {row['stockout_days']:.1%} | {coverage} |")
    return "\n".join(lines)


CORRELATION_CANDIDATES: tuple[float, ...] = (0.0, 0.15, 0.3, 0.5)


@dataclass(frozen=True)
class CorrelationChoice:
    rho: float
    table: pd.DataFrame  # per candidate rho: caddie's metrics on the validation window
    validation_start: pd.Timestamp


def tune_correlation(actual: pd.DataFrame, start: pd.Timestamp | str,
                     make_provider: Callable[[pd.DataFrame, pd.Timestamp], Provider], parameters: pd.DataFrame,
                     validation_days: int = 28, level: int = 80,
                     candidates: Sequence[float] = CORRELATION_CANDIDATES) -> CorrelationChoice:
    """The error correlation rho of :mod:`ml.orders.distribution`, chosen on the ``validation_days`` before
    ``start`` (the test holdout is never seen): the smallest candidate whose period coverage (share of reviews
    where demand over L + R stayed <= S) reaches the mean target service level; the largest when none does.

    ``make_provider(history, validation_start)`` builds the forecasts of the validation replay from the
    data before ``start`` only.
    """
    start = pd.Timestamp(start)
    history = actual[pd.to_datetime(actual["date"]) < start]
    validation_start = start - pd.Timedelta(days=validation_days)
    series = build_series(history, validation_start, parameters)
    if series.history.shape[1] < 7:
        raise ValueError("tuning rho needs at least 7 days of history before the validation window")
    provider = make_provider(history, validation_start)
    forecasts: dict = {}
    rows = {}
    for rho in candidates:
        (r,) = run_policies(series, provider, ("caddie",), level, rho, forecasts)
        rows[rho] = policy_metrics(r)
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("rho")
    target = float(series.service_level.mean())
    reached = [rho for rho in candidates if table.loc[rho, "period_coverage"] >= target]
    return CorrelationChoice(min(reached) if reached else max(candidates), table, validation_start)
