"""Scoring one partition (a store's series) with a fitted global DemandForecaster.

The model was fitted on a sample of series; scoring rebuilds the feature context for the
partition's own series over the same window of days: their (uncensored) history, promo and
discount tables, the store's total, and the product's chain-wide total, which is computed once for
the whole chain before scoring (``chain_history``) and shipped with the model, so a series gets the
same features whatever the partitioning. Nothing here depends on the engine: Spark and the local
engine call :meth:`PartitionScorer.forecasts` on the same pandas frames.
"""

from __future__ import annotations

import os
import pickle
import resource
import socket
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from ml.models.forecast import DemandForecaster
from ml.models.forecast_base import DemandMatrix
from ml.models.forecast_features import FeatureContext, History, group_history
from ml.models.forecast_signals import censored_days, uncensor
from ml.models.intervals import interval_bounds
from ml.orders.policy import compute_orders

#: columns of the frame a partition receives (one row per store x product x day with a sale or a signal)
SALES_COLUMNS: tuple[str, ...] = ("store_id", "product_id", "date", "quantity", "discount", "stockout_hours")
FORECAST_SCHEMA = "store_id:str,product_id:str,date:datetime,mean:double,lower:double,upper:double"
ORDER_SCHEMA = ("store_id:str,product_id:str,quantity:double,packs:long,forecast_mean:double,"
                "forecast_quantile:double,on_hand:double,on_order:double,has_stock:bool")
ORDER_OUTPUT: tuple[str, ...] = ("store_id", "product_id", "quantity", "packs", "forecast_mean",
                                 "forecast_quantile", "on_hand", "on_order", "has_stock")
FORECAST_OUTPUT: tuple[str, ...] = ("store_id", "product_id", "date", "mean", "lower", "upper")
#: what one scoring call returns (a partition: one or more whole stores): forecast rows (kind 'f'), order rows
#: ('o') and one row about the task that scored it ('m': store_id = its first store, product_id = host:pid of
#: the worker, quantity = its peak RSS in MB, mean = seconds, forecast_mean = series, forecast_quantile = stores)
RESULT_SCHEMA = ("kind:str,store_id:str,product_id:str,date:datetime,mean:double,lower:double,upper:double,"
                 "quantity:double,packs:long,forecast_mean:double,forecast_quantile:double,on_hand:double,"
                 "on_order:double,has_stock:bool")
RESULT_COLUMNS: tuple[str, ...] = tuple(part.split(":")[0] for part in RESULT_SCHEMA.split(","))
#: the raw rows a scoring partition receives: sales rows (a timestamp) and the store's stock rows (no timestamp)
INPUT_COLUMNS: tuple[str, ...] = ("part", "store_id", "product_id", "timestamp", "quantity", "discount",
                                  "stockout_hours", "on_hand", "on_order")
#: series per scoring partition: several small stores go together (each call has a fixed cost), a big one alone
SERIES_PER_PARTITION = 2000


def daily_rows(frame: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Sales rows -> one row per store x product x day from ``start`` to ``end`` with a sale (quantity summed,
    lowest price ratio, most stock-out hours). ``timestamp`` may be datetimes or nanoseconds since the epoch."""
    frame = frame[frame["timestamp"].notna()]
    dates = pd.to_datetime(frame["timestamp"]).dt.normalize()
    frame = frame.assign(date=dates, store_id=frame["store_id"].astype(str), product_id=frame["product_id"].astype(str))
    frame = frame[(dates >= start) & (dates <= end)]
    return (frame.groupby(["store_id", "product_id", "date"], as_index=False, sort=True)
            .agg(quantity=("quantity", "sum"), discount=("discount", "min"),
                 stockout_hours=("stockout_hours", "max")))


def peak_rss_mb() -> float:
    """Peak resident memory of this process (a Spark Python worker, or the local engine's process), in MB:
    Linux's VmHWM (reset when a program starts, unlike ru_maxrss which keeps the parent's peak across exec)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def partition_matrix(frame: pd.DataFrame, dates: pd.DatetimeIndex) -> DemandMatrix:
    """The partition's series x days matrix on the fixed window ``dates`` (missing days: 0 sold, no signal)."""
    keys = pd.MultiIndex.from_arrays([frame["store_id"].astype(str), frame["product_id"].astype(str)])
    codes, uniques = pd.factorize(keys, sort=True)
    day = ((pd.to_datetime(frame["date"]) - dates[0]) // pd.Timedelta(days=1)).to_numpy()
    inside = (day >= 0) & (day < len(dates))
    codes, day = codes[inside], day[inside]
    values = np.zeros((len(uniques), len(dates)))
    np.add.at(values, (codes, day), frame["quantity"].to_numpy(dtype="float64")[inside])
    signals = {}
    for name in ("discount", "stockout_hours"):
        if name in frame.columns:
            table = np.full(values.shape, np.nan)
            table[codes, day] = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype="float64")[inside]
            signals[name] = table
    if "discount" in signals:  # promo: sold below the regular price
        signals["promo"] = np.where(np.isnan(signals["discount"]), np.nan, (signals["discount"] < 1.0) * 1.0)
    return DemandMatrix([(str(s), str(p)) for s, p in uniques], dates, values, signals)


def chain_totals(frame: pd.DataFrame) -> pd.DataFrame:
    """Quantity per product and day summed over the stores of ``frame`` (a partial sum: add them up)."""
    out = frame.groupby(["product_id", "date"], as_index=False, observed=True)["quantity"].sum()
    return out.astype({"product_id": str})


@dataclass
class PartitionScorer:
    """A fitted model plus what every partition needs; pickled once per partition task, not per series."""

    model: DemandForecaster
    chain: pd.DataFrame  # product_id, date, quantity: the chain's total per product and day
    horizon: int
    parameters: pd.DataFrame | None = None  # order parameters, one row per product_id
    _chain_index: dict = field(default=None, init=False, repr=False)

    @property
    def dates(self) -> pd.DatetimeIndex:
        return pd.date_range(self.model.first_date_, self.model.last_date_, freq="D")

    def _chain(self, products: list[str]) -> tuple[History, np.ndarray]:
        dates = self.dates
        if self._chain_index is None:
            table = self.chain.assign(date=pd.to_datetime(self.chain["date"]))
            wide = table.pivot_table(index="product_id", columns="date", values="quantity", aggfunc="sum")
            self._chain_index = {"products": {p: i for i, p in enumerate(wide.index.astype(str))},
                                 "values": wide.reindex(columns=dates).fillna(0.0).to_numpy()}
        index = self._chain_index
        rows = np.array([index["products"][p] for p in products], dtype=int)
        distinct, product_of = np.unique(rows, return_inverse=True)
        return History(index["values"][distinct]), product_of

    def forecasts(self, frame: pd.DataFrame) -> pd.DataFrame:
        """FORECAST_COLUMNS for every series of ``frame`` (a store's rows), ``horizon`` days after the window."""
        if frame.empty:
            return pd.DataFrame(columns=["store_id", "product_id", "date", "mean", "lower", "upper"])
        model, h = self.model, self.horizon
        matrix = partition_matrix(frame, self.dates)
        n, n_days = matrix.values.shape
        history = uncensor(matrix.values, censored_days(matrix))
        extra = max(h, int(model.horizon))
        promo = np.nan_to_num(matrix.signals.get("promo", np.zeros((n, n_days))), nan=0.0)
        discount = np.nan_to_num(matrix.signals.get("discount", np.ones((n, n_days))), nan=1.0)
        chain, product_of = self._chain(matrix.products)
        store_of = pd.factorize(pd.Index([s for s, _ in matrix.keys]))[0]
        ctx = FeatureContext(
            hist=History(history), calendar=model.calendar_,
            promo=np.concatenate([promo, np.repeat(promo[:, -1:], extra, axis=1)], axis=1),
            discount=np.concatenate([discount, np.repeat(discount[:, -1:], extra, axis=1)], axis=1),
            chain=chain, product_of=product_of, store=group_history(history, store_of), store_of=store_of)
        r = np.repeat(np.arange(n), h)
        k = np.tile(np.arange(1, h + 1), n)
        with threadpool_limits(limits=model.n_threads, user_api="openmp"):
            mean = model._predict_mean(model.point_model_, ctx, r, np.full(len(r), n_days - 1), k)
        lower, upper = interval_bounds(mean, k, model.interval_edges_, model.interval_z_)
        mean = np.maximum(mean, 0.0)
        days = pd.date_range(model.last_date_ + pd.Timedelta(days=1), periods=h, freq="D")
        return pd.DataFrame({
            "store_id": np.repeat(np.asarray([s for s, _ in matrix.keys], dtype=object), h),
            "product_id": np.repeat(np.asarray(matrix.products, dtype=object), h),
            "date": np.tile(days.to_numpy(), n),
            "mean": mean, "lower": np.clip(lower, 0.0, mean), "upper": np.maximum(upper, mean),
        })

    def orders(self, forecast: pd.DataFrame) -> pd.DataFrame:
        """The order proposal of every series of ``forecast`` (one store's forecast rows, joined with the
        series' ``on_hand``/``on_order``: NaN without a stock row), ORDER_OUTPUT columns."""
        if forecast.empty or self.parameters is None:
            return pd.DataFrame(columns=list(ORDER_OUTPUT))
        stock = forecast.drop_duplicates(["store_id", "product_id"])[["store_id", "product_id", "on_hand", "on_order"]]
        stock = stock[stock["on_hand"].notna()]
        columns = ["store_id", "product_id", "date", "mean", "lower", "upper"]
        out = compute_orders(forecast[columns], self.parameters, stock, level=self.model.level)
        return out.assign(packs=out["packs"].astype("int64"), has_stock=out["has_stock"].astype(bool))[
            list(ORDER_OUTPUT)]

    def score(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Whole stores' raw rows (INPUT_COLUMNS: their sales and their stock rows) -> RESULT_COLUMNS: the
        forecasts, the orders and one row about the worker, in one pass (the one function both engines run)."""
        started = time.perf_counter()
        dates = self.dates
        daily = daily_rows(frame, dates[0], dates[-1])
        forecast = self.forecasts(daily)
        stock = frame[frame["timestamp"].isna()] if "on_hand" in frame else frame.iloc[:0]
        stock = (stock[["store_id", "product_id", "on_hand", "on_order"]]
                 .astype({"store_id": str, "product_id": str, "on_hand": float, "on_order": float})
                 .drop_duplicates(["store_id", "product_id"]))
        orders = self.orders(forecast.merge(stock, on=["store_id", "product_id"], how="left"))
        store = str(frame["store_id"].iat[0]) if len(frame) else ""
        worker = pd.DataFrame({"store_id": [store], "product_id": [f"{socket.gethostname()}:{os.getpid()}"],
                               "quantity": [peak_rss_mb()], "mean": [time.perf_counter() - started],
                               "forecast_mean": [float(len(orders))],
                               "forecast_quantile": [float(frame["store_id"].nunique())]})
        parts = [forecast.assign(kind="f"), orders.assign(kind="o"), worker.assign(kind="m")]
        out = pd.concat([p for p in parts if len(p)], ignore_index=True)
        return out.reindex(columns=list(RESULT_COLUMNS)).astype({"packs": "Int64", "has_stock": "boolean"})

    def size_bytes(self) -> int:
        """How many bytes this scorer weighs once pickled (what each partition task receives)."""
        return len(pickle.dumps(self))
