"""Forecasts and history computed at training time, stored beside the models and indexed for answering.

Training writes three long frames into the model folder (atomically, Parquet):

* ``forecasts.parquet``  store_id, product_id, date, mean, lower, upper — every store x product series, whole horizon
* ``aggregates.parquet`` level, scope, product_id, date, mean, lower, upper — region (scope = region name) and
  chain (scope = "") sums of the store forecasts, intervals computed for the aggregate (never summed bounds)
* ``history.parquet``    level, scope, product_id, date, quantity — recent observed demand at the three levels

then ``precomputed.json`` last, naming them: a folder without it is incomplete. :class:`SeriesIndex` turns a frame
into a dict ``(level, scope, product_id) -> arrays``, so an answer is a dict look-up and a slice, never a pandas
operation and never a call to the forecaster. The forecasts are indexed at start-up only when the service
answers from the model set (``ml.forecast_sources``: the database serves them otherwise); the history, for
charts, stays here and is indexed on first use (:class:`LazyHistory`).
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ml import registry
from ml.errors import ModelNotReady
from ml.results import ScopeLevel

log = logging.getLogger(__name__)

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
    """Long frames -> one row per key of dense ``(keys, days)`` arrays, built once, read per answer.

    Every series lies on one daily grid (the union of the frames' dates; a day a series lacks is NaN), so
    an answer is a dict look-up for the row and a slice; the index holds a few arrays, not an object per
    series (cheap for the garbage collector, fast to build).
    """

    def __init__(self, frames: list[pd.DataFrame], value_columns: tuple[str, ...]):
        frames = [f for f in frames if not f.empty]
        self._rows: dict[Key, int] = {}
        ordinals = [_ordinals(f["date"]) for f in frames]
        self.days = np.sort(pd.unique(np.concatenate(ordinals))) if frames else np.empty(0, dtype="int64")
        placed = [self._key_rows(frame) for frame in frames]
        self.values = {c: np.full((len(self._rows), len(self.days)), np.nan) for c in value_columns}
        for frame, rows, days in zip(frames, placed, ordinals):
            columns = np.searchsorted(self.days, days)
            for c in value_columns:
                self.values[c][rows, columns] = frame[c].to_numpy(dtype="float64")

    def _key_rows(self, frame: pd.DataFrame) -> np.ndarray:
        """Row number of each line's key (a new key gets the next row)."""
        codes, labels = zip(*(_codes(frame[c]) for c in KEY_COLUMNS))
        combined = np.zeros(len(frame), dtype="int64")
        for code, label in zip(codes, labels):
            combined = combined * max(len(label), 1) + code
        change = np.r_[True, combined[1:] != combined[:-1]]
        firsts = np.flatnonzero(change)
        if np.all(np.diff(combined[firsts]) > 0):  # lines grouped by key, as save() writes them: no hashing
            local = np.cumsum(change) - 1
        else:
            local, uniques = pd.factorize(combined)
            firsts = np.empty(len(uniques), dtype="int64")
            firsts[local[::-1]] = np.arange(len(local) - 1, -1, -1)  # first line of each key, in O(n)
        keys = zip(*(np.asarray(label, dtype=object)[code[firsts]].astype(str).tolist()
                     for code, label in zip(codes, labels)))
        mapping = np.fromiter((self._rows.setdefault(k, len(self._rows)) for k in keys), dtype="int64",
                              count=len(firsts))
        return mapping[local]

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, key: object) -> bool:
        return key in self._rows

    def row(self, key: Key) -> int | None:
        """The row of ``key`` in :attr:`values` (None: no such series)."""
        return self._rows.get(key)

    def get(self, key: Key) -> Series | None:
        row = self._rows.get(key)
        if row is None:
            return None
        return Series(self.days, {c: v[row] for c, v in self.values.items()})

    def keys(self):
        return self._rows.keys()


def sort_for_index(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows grouped by (level, scope, product_id), dates ascending; key columns as categories (small files)."""
    out = frame.sort_values([*KEY_COLUMNS, "date"], kind="stable").reset_index(drop=True)
    return out.astype({c: "category" for c in KEY_COLUMNS})


def _codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(integer code per row, label per code) of a key column; categories are used as they are (fast)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(dtype="int64"), np.asarray(column.cat.categories, dtype=object)
    codes, labels = pd.factorize(column)
    return codes.astype("int64"), np.asarray(labels, dtype=object)


def _ordinals(dates: pd.Series) -> np.ndarray:
    """Midnight timestamps -> date ordinals (vectorised)."""
    epoch = date(1970, 1, 1).toordinal()
    return pd.to_datetime(dates).to_numpy("datetime64[D]").astype("int64") + epoch


def store_rows(forecasts: pd.DataFrame) -> pd.DataFrame:
    """The store forecasts (store_id, product_id, ...) with the index's (level, scope) key columns."""
    out = forecasts.rename(columns={"store_id": "scope"})
    out.insert(0, "level", pd.Categorical.from_codes(np.zeros(len(out), dtype="int8"),
                                                     categories=[ScopeLevel.STORE.value]))
    return out


@dataclass(frozen=True)
class Precomputed:
    """What ``Caddie.load`` reads instead of calling the forecaster: store, region and chain series."""

    forecasts: SeriesIndex  # (level, scope, product) -> mean, lower, upper over the horizon
    history: SeriesIndex  # (level, scope, product) -> quantity over the recent past
    horizon_days: int  # days forecast after the data's last day
    model: str  # the forecaster's class name
    level: int  # interval level in percent

    @classmethod
    def from_frames(cls, forecasts: pd.DataFrame, aggregates: pd.DataFrame, history: pd.DataFrame, *,
                    model: str, level: int) -> "Precomputed":
        horizon = int(forecasts["date"].nunique()) if len(forecasts) else 0
        return cls(SeriesIndex([store_rows(forecasts), aggregates], FORECAST_VALUES),
                   SeriesIndex([history], ("quantity",)), horizon, model, level)


def history_levels(per_store: pd.DataFrame, stores: pd.DataFrame) -> pd.DataFrame:
    """Store daily sales (store_id, product_id, date, quantity) -> the same at store, region and chain level
    (level, scope, product_id, date, quantity); a store without a region counts in the chain only."""
    region_of = dict(zip(stores["store_id"].astype(str), stores["region"]))
    frame = per_store.assign(store_id=per_store["store_id"].astype(str))
    frame["region"] = frame["store_id"].map(region_of)
    regions = (frame.dropna(subset=["region"]).groupby(["region", "product_id", "date"], observed=True)["quantity"]
               .sum().reset_index().rename(columns={"region": "scope"}))
    chain = frame.groupby(["product_id", "date"], observed=True)["quantity"].sum().reset_index()
    parts = [
        frame[["store_id", "product_id", "date", "quantity"]].rename(columns={"store_id": "scope"})
        .assign(level=ScopeLevel.STORE.value),
        regions.assign(level=ScopeLevel.REGION.value),
        chain.assign(level=ScopeLevel.CHAIN.value, scope=CHAIN_SCOPE),
    ]
    out = pd.concat(parts, ignore_index=True)
    out["scope"] = out["scope"].astype(str)
    return out[["level", "scope", "product_id", "date", "quantity"]]


def save(directory: Path, forecasts: pd.DataFrame, aggregates: pd.DataFrame, history: pd.DataFrame, *,
         tasks: tuple[str, ...], model: str, level: int) -> None:
    """Write the three frames, then the manifest (last: a reader never takes a half-written folder as done).

    ``tasks`` are the models trained beside them (a sales log has no customer models); ``model`` and
    ``level`` name the forecaster and its interval level, so that answering never loads the forecaster.
    """
    forecasts = forecasts.sort_values(["store_id", "product_id", "date"], kind="stable").astype(
        {"store_id": "category", "product_id": "category"})
    for name, frame in ((FORECASTS, forecasts), (AGGREGATES, sort_for_index(aggregates)),
                        (HISTORY, sort_for_index(history))):
        registry.save_table(frame.reset_index(drop=True), name, directory)
    n_series = len(forecasts[["store_id", "product_id"]].drop_duplicates()) if len(forecasts) else 0
    manifest = {"tables": [FORECASTS, AGGREGATES, HISTORY], "tasks": list(tasks), "model": model, "level": int(level),
                "n_series": int(n_series)}
    registry.save_text(json.dumps(manifest, indent=2), MANIFEST, directory)


def _manifest(directory: Path) -> dict:
    try:
        return json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def trained_tasks(directory: Path) -> tuple[str, ...]:
    """The models trained in ``directory`` according to its manifest (empty: not trained, or unfinished)."""
    tasks = _manifest(directory).get("tasks", [])
    return tuple(str(t) for t in tasks) if isinstance(tasks, list) else ()


def is_stored(directory: Path) -> bool:
    """True when training finished writing the precomputed tables into ``directory``."""
    return bool(_manifest(directory)) and all(
        registry.table_path(name, directory).exists() for name in (FORECASTS, AGGREGATES, HISTORY))


def _check_stored(directory: Path) -> dict:
    if not is_stored(directory):
        raise ModelNotReady(FORECASTS, f"no stored forecasts in {directory}, run `python -m ml.train`")
    return _manifest(directory)


def load(directory: Path) -> Precomputed:
    manifest = _check_stored(directory)
    frames = [registry.load_table(name, directory) for name in (FORECASTS, AGGREGATES, HISTORY)]
    return Precomputed.from_frames(*frames, model=str(manifest.get("model", "")), level=int(manifest.get("level", 80)))


@dataclass(frozen=True)
class StoredForecasts:
    """The forecasts of a model set, indexed: store, region and chain series over the horizon."""

    index: SeriesIndex  # (level, scope, product) -> mean, lower, upper
    horizon_days: int
    model: str
    level: int


def load_forecasts(directory: Path) -> StoredForecasts:
    """Index the set's forecasts and aggregates (the in-memory fallback of ``ml.forecast_sources``)."""
    manifest = _check_stored(directory)
    forecasts, aggregates = (registry.load_table(name, directory) for name in (FORECASTS, AGGREGATES))
    horizon = int(forecasts["date"].nunique()) if len(forecasts) else 0
    return StoredForecasts(SeriesIndex([store_rows(forecasts), aggregates], FORECAST_VALUES), horizon,
                           str(manifest.get("model", "")), int(manifest.get("level", 80)))


def model_card(directory: Path) -> tuple[str, int]:
    """(forecaster name, interval level) the manifest records."""
    manifest = _check_stored(directory)
    return str(manifest.get("model", "")), int(manifest.get("level", 80))


class LazyHistory:
    """The set's recent sales (``history.parquet``), indexed on first use (thread-safe), not at start-up.

    :meth:`warm` builds it ahead (a background thread after start-up), so that the first chart does not wait.
    """

    def __init__(self, directory: Path | None = None, index: SeriesIndex | None = None):
        self._directory, self._index = directory, index
        self._lock = threading.Lock()

    def warm(self) -> SeriesIndex:
        with self._lock:
            if self._index is None:
                assert self._directory is not None
                self._index = SeriesIndex([registry.load_table(HISTORY, self._directory)], ("quantity",))
            return self._index

    def warm_in_background(self) -> None:
        """Build the index in a thread (a failure is logged; the first use then tries again). Not a daemon: a
        process exiting meanwhile waits for it (seconds) — a daemon thread killed inside pyarrow's reader at
        interpreter exit can hang the exit for good (seen with a 10 M-row history)."""
        threading.Thread(target=self._warm_quietly, name="history-index").start()

    def _warm_quietly(self) -> None:
        try:
            self.warm()
        except Exception as exc:  # noqa: BLE001 - a background thread: the first chart retries and raises there
            log.warning("history index not built ahead (%s): built on first use", type(exc).__name__)

    def get(self, key: Key) -> Series | None:
        index = self._index if self._index is not None else self.warm()
        return index.get(key)
