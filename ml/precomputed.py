"""Forecasts and history computed at training time, stored beside the models and indexed for answering.

Training writes three long frames into the model folder (atomically, Parquet):

* ``forecasts.parquet``  store_id, product_id, date, mean, lower, upper — every store x product series, whole horizon
* ``aggregates.parquet`` level, scope, product_id, date, mean, lower, upper — region (scope = region name) and
  chain (scope = "") sums of the store forecasts, intervals computed for the aggregate (never summed bounds)
* ``history.parquet``    level, scope, product_id, date, quantity — recent observed demand at the three levels

then ``precomputed.json`` last, naming them: a folder without it is incomplete. :class:`SeriesIndex` turns a frame
into a dict ``(level, scope, product_id) -> arrays`` once at start-up, so an answer is a dict look-up and a slice,
never a pandas operation and never a call to the forecaster.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ml import registry
from ml.errors import ModelNotReady
from ml.results import ScopeLevel

FORECASTS = "forecasts"
AGGREGATES = "aggregates"
HISTORY = "history"
MANIFEST = "precomputed.json"
CHAIN_SCOPE = ""  # the scope name of chain-level rows
FORECAST_VALUES: tuple[str, ...] = ("mean", "lower", "upper")
KEY_COLUMNS: tuple[str, ...] = ("level", "scope", "product_id")

Key = tuple[str, str, str]  # (ScopeLevel value, store id | region name | "", product id)


@dataclass(frozen=True, slots=True)
class Series:
    """One indexed series: ``days`` (date ordinals, ascending) and one float array per value column."""

    days: np.ndarray  # int64 proleptic Gregorian ordinals (date.toordinal())
    values: dict[str, np.ndarray]


class SeriesIndex:
    """Long frame -> ``{(level, scope, product_id): Series}``, built once, read per answer."""

    def __init__(self, frame: pd.DataFrame, value_columns: tuple[str, ...]):
        self._series: dict[Key, Series] = {}
        if frame.empty:
            return
        keys = frame[list(KEY_COLUMNS)].astype(str)
        codes = keys.groupby(list(KEY_COLUMNS), sort=False, observed=True).ngroup().to_numpy()
        days = _ordinals(frame["date"])
        order = np.lexsort((days, codes))
        codes, days = codes[order], days[order]
        values = {c: frame[c].to_numpy(dtype="float64")[order] for c in value_columns}
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        ends = np.r_[starts[1:], len(codes)]
        key_rows = keys.to_numpy()[order[starts]]
        for (level, scope, product), a, b in zip(key_rows, starts, ends):
            self._series[(level, scope, product)] = Series(days[a:b], {c: v[a:b] for c, v in values.items()})

    def __len__(self) -> int:
        return len(self._series)

    def __contains__(self, key: object) -> bool:
        return key in self._series

    def get(self, key: Key) -> Series | None:
        return self._series.get(key)

    def keys(self):
        return self._series.keys()


def _ordinals(dates: pd.Series) -> np.ndarray:
    """Midnight timestamps -> date ordinals (vectorised)."""
    epoch = date(1970, 1, 1).toordinal()
    return pd.to_datetime(dates).to_numpy("datetime64[D]").astype("int64") + epoch


def store_rows(forecasts: pd.DataFrame) -> pd.DataFrame:
    """The store forecasts (store_id, product_id, ...) with the index's (level, scope) key columns."""
    out = forecasts.rename(columns={"store_id": "scope"})
    out.insert(0, "level", ScopeLevel.STORE.value)
    return out


@dataclass(frozen=True)
class Precomputed:
    """What ``Caddie.load`` reads instead of calling the forecaster: store, region and chain series."""

    forecasts: SeriesIndex  # (level, scope, product) -> mean, lower, upper over the horizon
    history: SeriesIndex  # (level, scope, product) -> quantity over the recent past

    @classmethod
    def from_frames(cls, forecasts: pd.DataFrame, aggregates: pd.DataFrame, history: pd.DataFrame) -> "Precomputed":
        both = pd.concat([store_rows(forecasts), aggregates], ignore_index=True)
        return cls(SeriesIndex(both, FORECAST_VALUES), SeriesIndex(history, ("quantity",)))


def save(directory: Path, forecasts: pd.DataFrame, aggregates: pd.DataFrame, history: pd.DataFrame) -> None:
    """Write the three frames, then the manifest (last: a reader never takes a half-written folder as done)."""
    for name, frame in ((FORECASTS, forecasts), (AGGREGATES, aggregates), (HISTORY, history)):
        registry.save_table(frame.reset_index(drop=True), name, directory)
    manifest = {"tables": [FORECASTS, AGGREGATES, HISTORY], "n_series": int(
        forecasts[["store_id", "product_id"]].drop_duplicates().shape[0]) if len(forecasts) else 0}
    registry.save_text(json.dumps(manifest, indent=2), MANIFEST, directory)


def is_stored(directory: Path) -> bool:
    """True when training finished writing the precomputed tables into ``directory``."""
    return (directory / MANIFEST).exists() and all(
        registry.table_path(name, directory).exists() for name in (FORECASTS, AGGREGATES, HISTORY))


def load(directory: Path) -> Precomputed:
    if not is_stored(directory):
        raise ModelNotReady(FORECASTS, f"no stored forecasts in {directory}, run `python -m ml.train`")
    frames = [registry.load_table(name, directory) for name in (FORECASTS, AGGREGATES, HISTORY)]
    return Precomputed.from_frames(*frames)
