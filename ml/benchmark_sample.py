"""``python -m ml.benchmark sample``: forecast accuracy of the batch against the size of the training sample.

A scale-simulator chain is written; the last ``horizon`` days are held out (the batch runs with ``--day`` =
the first held-out day, so nothing after it is read); the global model is fitted on stratified samples of
each size and scores every series. Printed: WAPE (sum |error| / sum actual over every series x day) and
MASE (mean over series of the MAE scaled by the in-sample seasonal-naive MAE, weekly season).
"""

from __future__ import annotations

import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from ml.batch.engine import Engine
from ml.batch.job import BatchConfig, run_batch, window
from ml.batch.scoring import partition_matrix

END = date(2025, 6, 30)


def _dense(frame: pd.DataFrame, keys: list, dates: pd.DatetimeIndex) -> np.ndarray:
    matrix = partition_matrix(frame, dates)
    rows = {k: i for i, k in enumerate(matrix.keys)}
    out = np.zeros((len(keys), len(dates)))
    for i, key in enumerate(keys):
        if key in rows:
            out[i] = matrix.values[rows[key]]
    return out


def run(sizes: list[int], stores: int = 5, products: int = 1000, days: int = 150, horizon: int = 14) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        write_start = time.perf_counter()
        from ml.data.simulator.scale import write_scale_chain

        write_scale_chain(tmp, stores, products, days, END, seed=9)
        day = END - timedelta(days=horizon - 1)
        engine = Engine()
        rows = []
        for size in sizes:
            config = BatchConfig(day=day, data=Path(tmp), history_days=91, horizon=horizon, sample_size=size)
            started = time.perf_counter()
            result = run_batch(engine, config)
            forecast = result.forecasts.sort_values(["store_id", "product_id", "date"])
            keys = list(dict.fromkeys(zip(forecast["store_id"], forecast["product_id"])))
            predicted = forecast["mean"].to_numpy().reshape(len(keys), horizon)
            future = engine.read_sales(Path(tmp), pd.Timestamp(day), pd.Timestamp(END))
            actual = _dense(future, keys, pd.date_range(day, END, freq="D"))
            start, end = window(config)
            past = _dense(engine.read_sales(Path(tmp), start, end), keys, pd.date_range(start, end, freq="D"))
            scale = np.abs(past[:, 7:] - past[:, :-7]).mean(axis=1)
            error = np.abs(actual - predicted)
            ok = scale > 0
            rows.append({"sample": result.n_sampled, "series scored": len(keys),
                         "WAPE": round(error.sum() / actual.sum(), 4),
                         "MASE": round(float((error.mean(axis=1)[ok] / scale[ok]).mean()), 4),
                         "seconds": round(time.perf_counter() - started, 1)})
            print(rows[-1], flush=True)
        print(f"chain written in {time.perf_counter() - write_start:.0f} s in all")
        print(pd.DataFrame(rows).to_string(index=False))
