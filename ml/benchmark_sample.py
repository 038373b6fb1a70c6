"""``python -m ml.benchmark sample``: forecast accuracy of the batch against the size of the training sample.

The data is a folder in the batch's layout (``--data DIR``: e.g. FreshRetailNet-50K written by
``python -m ml.batch.freshretail``), or a scale-simulator chain written for the run. The last ``horizon``
days are held out: the batch runs with ``--day`` = the first held-out day, so nothing after it is read
(the sample, the model and the chain totals all come from the days before); the model keeps its default
settings (nothing is tuned on the held-out days). For each sample size the global model is fitted on a
stratified sample and scores every series. Printed: WAPE (sum |error| / sum actual over every series x
day) and MASE (mean over series of the MAE scaled by the in-sample seasonal-naive MAE, weekly season,
series whose in-sample scale is 0 left out), and the same for the seasonal-naive forecast (last week repeated).
"""

from __future__ import annotations

import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.dataset as ds

from ml.batch.engine import Engine, read_store, store_partitions
from ml.batch.job import BatchConfig, run_batch, window
from ml.batch.scoring import daily_rows, partition_matrix

END = date(2025, 6, 30)


def _dense(data: Path, keys: list, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
    """The series x days matrix of ``keys`` from ``start`` to ``end`` (0 on days without a row)."""
    dates = pd.date_range(start, end, freq="D")
    rows = {k: i for i, k in enumerate(keys)}
    out = np.zeros((len(keys), len(dates)))
    for store, folder in store_partitions(data):
        matrix = partition_matrix(daily_rows(read_store(folder, store, start, end), start, end), dates)
        for key, values in zip(matrix.keys, matrix.values):
            if key in rows:
                out[rows[key]] = values
    return out


def last_day(data: Path) -> date:
    table = ds.dataset(str(Path(data) / "sales"), format="parquet", partitioning="hive").to_table(
        columns=["timestamp"])
    return pd.Timestamp(table.column("timestamp").to_pandas().max()).date()


def _scores(actual: np.ndarray, predicted: np.ndarray, past: np.ndarray) -> dict:
    scale = np.abs(past[:, 7:] - past[:, :-7]).mean(axis=1)
    error = np.abs(actual - predicted)
    ok = scale > 0
    return {"WAPE": round(float(error.sum() / actual.sum()), 4),
            "MASE": round(float((error.mean(axis=1)[ok] / scale[ok]).mean()), 4)}


def evaluate(data: Path, sizes: list[int], horizon: int = 14, history_days: int = 91) -> pd.DataFrame:
    end = last_day(data)
    day = end - timedelta(days=horizon - 1)
    rows, baseline = [], None
    for size in sizes:
        config = BatchConfig(day=day, data=Path(data), history_days=history_days, horizon=horizon, sample_size=size)
        started = time.perf_counter()
        result = run_batch(Engine(), config)
        forecast = result.forecasts.sort_values(["store_id", "product_id", "date"])
        seconds = time.perf_counter() - started
        keys = list(dict.fromkeys(zip(forecast["store_id"], forecast["product_id"])))
        predicted = forecast["mean"].to_numpy().reshape(len(keys), horizon)
        actual = _dense(data, keys, pd.Timestamp(day), pd.Timestamp(end))
        past = _dense(data, keys, *window(config))
        if baseline is None:  # the same series, no model: the last week repeated
            naive = np.tile(past[:, -7:], (1, -(-horizon // 7)))[:, :horizon]
            baseline = {"sample asked": "seasonal naive", "series scored": len(keys),
                        **_scores(actual, naive, past)}
        rows.append({"sample asked": size, "sample": result.n_sampled, "series scored": len(keys),
                     **_scores(actual, predicted, past),
                     "fit s": round(result.timings.get("fit_s", 0.0), 1), "fit + score s": round(seconds, 1),
                     "held out": f"{day}..{end}", "history days": history_days})
        print(rows[-1], flush=True)
    table = pd.DataFrame(rows + ([baseline] if baseline else []))
    print(table.to_string(index=False))
    return table


def run(sizes: list[int], data: str | None = None, stores: int = 5, products: int = 1000, days: int = 150,
        horizon: int = 14, history_days: int | None = None) -> pd.DataFrame:
    if data:
        if history_days is None:  # every day before the held-out ones
            first = ds.dataset(str(Path(data) / "sales"), format="parquet", partitioning="hive").to_table(
                columns=["timestamp"]).column("timestamp").to_pandas().min()
            history_days = (pd.Timestamp(last_day(Path(data))) - pd.Timestamp(first)).days + 1 - horizon
        return evaluate(Path(data), sizes, horizon, history_days)
    from ml.data.simulator.scale import write_scale_chain

    with tempfile.TemporaryDirectory() as tmp:
        write_scale_chain(tmp, stores, products, days, END, seed=9)
        return evaluate(Path(tmp), sizes, horizon, history_days or 91)
