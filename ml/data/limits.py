"""What a plausible transaction log looks like: bounds on values and dates, duplicate rows, size caps.

    >>> limits = Limits.from_settings(MLSettings())
    >>> bad = implausible(transactions, limits)      # column -> mask of rows breaking a bound

A quantity of 1e308 or a sale dated seven years ahead is not a fact about a store: it is a broken
export, and answering from it ("demain" in 2031, a 300-digit forecast) is worse than refusing it with
the row and column to fix. The defaults leave every real dataset caddie ships with untouched.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import numpy as np
import pandas as pd

from ml.errors import DataValidationError

log = logging.getLogger(__name__)

DuplicatePolicy = Literal["drop", "refuse"]


@dataclass(frozen=True)
class Limits:
    """Bounds a transaction log must keep (settings: MAX_QUANTITY, MAX_PRICE, MIN_DATE, MAX_FUTURE_DAYS, ...)."""

    max_quantity: float = 100_000.0  # units on one line (Complete Journey's largest is 32,623)
    max_price: float = 100_000.0  # unit price
    min_date: date = date(1990, 1, 1)  # sales before this are decades old: a wrong century or a default date
    max_future_days: int = 2  # sales dated after the real today + this many days are refused
    duplicate_rows: DuplicatePolicy = "drop"
    max_rows: int = 20_000_000  # rows of one file
    max_file_bytes: int = 2_000_000_000  # bytes of one file once decompressed
    today: date | None = None  # the real today when None (tests pin it)

    @classmethod
    def from_settings(cls, settings) -> Limits:
        return cls(max_quantity=settings.max_quantity, max_price=settings.max_price,
                   min_date=settings.min_date, max_future_days=settings.max_future_days,
                   duplicate_rows=settings.duplicate_rows, max_rows=settings.max_rows,
                   max_file_bytes=settings.max_file_bytes)

    @property
    def latest(self) -> date:
        return (self.today or date.today()) + timedelta(days=self.max_future_days)


def implausible(tx: pd.DataFrame, limits: Limits) -> dict[str, pd.Series]:
    """Masks of the rows breaking a bound, by column (quantity, price, timestamp); NaN/NaT are not judged here."""
    stamps = tx["timestamp"]
    return {
        "quantity": tx["quantity"].gt(limits.max_quantity),
        "price": tx["price"].gt(limits.max_price),
        "timestamp": stamps.lt(pd.Timestamp(limits.min_date))
        | stamps.ge(pd.Timestamp(limits.latest + timedelta(days=1))),
    }


def problem(column: str, value: object, limits: Limits) -> str:
    """Why a value breaking a bound is refused, naming the setting that moves the bound."""
    if column == "quantity":
        return f"is above the largest plausible quantity, MAX_QUANTITY={limits.max_quantity:g}"
    if column == "price":
        return f"is above the largest plausible unit price, MAX_PRICE={limits.max_price:g}"
    stamp = pd.Timestamp(value) if not isinstance(value, str) else None
    if stamp is not None and not pd.isna(stamp) and stamp.date() < limits.min_date:
        return f"is before MIN_DATE={limits.min_date.isoformat()} (decades old: a wrong year?)"
    return (f"is in the future (after {limits.latest.isoformat()}, today + MAX_FUTURE_DAYS="
            f"{limits.max_future_days}): a wrong year or a day-month swap?")


def first_true(masks: dict[str, pd.Series], order: tuple[str, ...]) -> tuple[int, str, int] | None:
    """(position, column, rows with any True) of the first row where any mask is set, or None."""
    frame = pd.DataFrame({c: masks[c].to_numpy() for c in order if c in masks})
    if frame.empty:
        return None
    any_bad = frame.any(axis=1).to_numpy()
    if not any_bad.any():
        return None
    position = int(np.flatnonzero(any_bad)[0])
    column = next(c for c in frame.columns if frame[c].iat[position])
    return position, column, int(any_bad.sum())


def handle_duplicates(tx: pd.DataFrame, policy: DuplicatePolicy, what: str) -> tuple[pd.DataFrame, int]:
    """Drop exact duplicate rows (policy "drop", with a log line) or refuse them ("refuse").

    Returns the frame without duplicates and how many were dropped. Rows are counted
    1-based in ``tx``'s order, which is the file's order for a file just read.
    """
    hashes = pd.util.hash_pandas_object(tx, index=False)
    repeated = hashes.duplicated(keep="first").to_numpy()
    n = int(repeated.sum())
    if n == 0:
        return tx, 0
    position = int(np.flatnonzero(repeated)[0])
    original = int(np.flatnonzero(hashes.to_numpy() == hashes.iat[position])[0])
    detail = (f"{n} duplicate row{'s' if n > 1 else ''} in {what} (identical in every column; "
              f"the first is row {position + 1}, a copy of row {original + 1})")
    if policy == "refuse":
        raise DataValidationError(f"row {position + 1}: {detail}; remove them, or set DUPLICATE_ROWS=drop",
                                  row=position + 1, column=None, value=None, n_bad_rows=n)
    log.warning("dropped %s", detail)
    return tx[~repeated].reset_index(drop=True), n
