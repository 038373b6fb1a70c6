"""Where the holdout windows lie: complete days only, one validation window before every test window.

A backtest over ``n`` windows of ``step_days`` scores test windows ending on ``end``, ``end - step``, ...;
the validation window, where every model (and every peer) is tuned and every design choice is made, is the
window just before the earliest test window, so nothing chosen on it has seen a test day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

__all__ = ["WindowPlan", "window_plan", "drop_partial_last_day"]

_LOOKBACK_DAYS = 28


def drop_partial_last_day(transactions: pd.DataFrame) -> pd.DataFrame:
    """``transactions`` without their last day when that day ended early (the export was cut mid-day).

    The last day is partial when both its last sale is earlier in the day than the last sale of every one
    of the previous 28 days and it holds fewer than half the median number of lines of those days (Online
    Retail ends on 2011-12-09 at 12:50 with 611 lines; its other days close after 16:00 with ~2,500).
    Date-only logs (every time 00:00) never have a partial day.
    """
    if transactions.empty:
        return transactions
    stamps = pd.to_datetime(transactions["timestamp"])
    day = stamps.dt.normalize()
    last = day.max()
    per_day = pd.DataFrame({"closing": stamps - day, "day": day}).groupby("day")["closing"].agg(["max", "size"])
    before = per_day[(per_day.index < last) & (per_day.index >= last - pd.Timedelta(days=_LOOKBACK_DAYS))]
    if before.empty:
        return transactions
    closes_early = per_day.loc[last, "max"] < before["max"].min()
    is_small = per_day.loc[last, "size"] < 0.5 * before["size"].median()
    return transactions.loc[day < last] if closes_early and is_small else transactions


@dataclass(frozen=True)
class WindowPlan:
    """Last day of each test window (latest first) and of the validation window before them."""

    test_ends: tuple[date, ...]
    validation_end: date
    step_days: int

    @property
    def earliest_test_start(self) -> date:
        return self.test_ends[-1] - timedelta(days=self.step_days - 1)


def window_plan(end: date, n_windows: int, step_days: int = 28) -> WindowPlan:
    """``n_windows`` test windows ending at ``end`` and every ``step_days`` before, then the validation one."""
    if n_windows < 1:
        raise ValueError(f"n_windows must be >= 1, got {n_windows}")
    ends = tuple(end - timedelta(days=i * step_days) for i in range(n_windows))
    return WindowPlan(test_ends=ends, validation_end=end - timedelta(days=n_windows * step_days),
                      step_days=step_days)
