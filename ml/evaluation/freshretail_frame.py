"""FreshRetailNet-50K as a daily store x product frame, for the forecast evaluation.

FreshRetailNet-50K (Dingdong-Inc, CC BY 4.0; *FreshRetailNet-50K: A Stockout-Annotated
Censored Demand Dataset for Latent Demand Recovery and Forecasting in Fresh Retail*,
arXiv:2505.16319): 898 stores, 50,000 store x product series, 90 days. Sales are
normalised (not units): only scale-free metrics mean anything.

This thin reader builds the evaluation frame directly from ``frn50k_daily.csv.xz``; the
data helper's loader (``ml.data``) will replace it when merged. The evaluation runs on one window
(:func:`evaluate_freshretail`) or on successive 7-day test windows after a validation window of the
same length (:func:`backtest_daily`, ``ml.evaluate --data freshretailnet --windows 4``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from ml.errors import DataFormatError
from ml.evaluation.windows import window_plan

DATASET = "FreshRetailNet-50K (CC BY 4.0, Dingdong-Inc, arXiv:2505.16319)"

FRN_DIR = "freshretailnet50k"
FRN_DAILY_FILE = "frn50k_daily.csv.xz"
FRN_STORES_FILE = "frn50k_stores.csv"
FRAME_COLUMNS: tuple[str, ...] = ("store_id", "product_id", "date", "quantity", "promo", "discount",
                                  "stockout_hours")


def freshretail_daily(data_dir: str | Path) -> pd.DataFrame:
    """The daily frame ``FRAME_COLUMNS`` of every series (stock-out hours between 6 and 22 h)."""
    path = Path(data_dir) / FRN_DIR / FRN_DAILY_FILE
    if not path.exists():
        raise DataFormatError(f"FreshRetailNet-50K not found: {path}", path=str(path))
    raw = pd.read_csv(
        path, usecols=["store_id", "product_id", "dt", "sale_amount", "stock_hour6_22_cnt", "discount",
                       "activity_flag"],
        dtype={"store_id": "int32", "product_id": "int32", "sale_amount": "float64",
               "stock_hour6_22_cnt": "float64", "discount": "float64", "activity_flag": "float64"},
        parse_dates=["dt"],
    )
    return pd.DataFrame({
        "store_id": raw["store_id"].astype(str), "product_id": raw["product_id"].astype(str),
        "date": raw["dt"].astype("datetime64[ns]"), "quantity": raw["sale_amount"].clip(lower=0.0),
        "promo": raw["activity_flag"], "discount": raw["discount"], "stockout_hours": raw["stock_hour6_22_cnt"],
    })


def freshretail_regions(data_dir: str | Path) -> dict[str, str]:
    """Store id -> city id (FreshRetailNet's only location: 18 cities), the regions of the chain."""
    stores = pd.read_csv(Path(data_dir) / FRN_DIR / FRN_STORES_FILE, dtype=str)
    return dict(zip(stores["store_id"], "city " + stores["city_id"]))


def evaluate_freshretail(data_dir: str | Path, holdout_days: int = 14, max_series: int | None = None,
                         level: int = 80, autoets_series: int = 500, max_rows: int = 300_000) -> dict:
    """The forecast evaluation on FreshRetailNet-50K, its last ``holdout_days`` days held out.

    ``max_series`` evaluates a stratified sample of that many series (all 50,000 by default);
    AutoETS (one slow fit per series) runs on a stratified sample of ``autoets_series``, every other
    model and peer on every evaluated series (the median ensemble reuses its members' forecasts). No
    public holidays (Chinese data; the frame has no calendar of its own here). Regions of the chain are
    FRN's cities. Several successive windows: :func:`backtest_daily`.
    """
    from ml.evaluation.forecast import evaluate_daily

    daily = freshretail_daily(data_dir)
    daily = sample_series(daily, max_series, daily["date"].max() - pd.Timedelta(days=holdout_days))
    report = evaluate_daily(daily, holdout_days, level, country="",
                            slow={"AutoETS": autoets_series},
                            max_rows=max_rows, peers=True)
    report["setup"] = {"dataset": DATASET, "series_sample": max_series, **report["setup"]}
    return report


def sample_series(daily: pd.DataFrame, max_series: int | None, last_day: pd.Timestamp) -> pd.DataFrame:
    """``daily`` restricted to a stratified sample of ``max_series`` series (all when None), drawn on
    the days up to ``last_day`` only (their mean volume), so that no later day chooses the series."""
    from ml.evaluation.forecast import stratified_series

    if max_series is None:
        return daily.reset_index(drop=True)
    keep = stratified_series(daily[daily["date"] <= last_day], max_series)
    return daily[pd.MultiIndex.from_frame(daily[["store_id", "product_id"]]).isin(keep)].reset_index(drop=True)


def validation_frame(daily: pd.DataFrame, windows: int = 4, step_days: int = 7,
                     max_series: int | None = None) -> tuple[pd.DataFrame, str]:
    """The backtest's series sample cut at the validation window's last day, and that day (ISO).

    Its last ``step_days`` days are the validation window of :func:`iter_windows` with the same
    arguments: tuning on it (``ml.evaluation.forecast_tuning --data freshretailnet``) never sees a test day.
    """
    plan = window_plan(pd.Timestamp(daily["date"].max()).date(), windows, step_days)
    cut = pd.Timestamp(plan.validation_end)
    daily = sample_series(daily, max_series, cut)
    return daily[daily["date"] <= cut].reset_index(drop=True), str(plan.validation_end)


def iter_windows(daily: pd.DataFrame, windows: int = 4, step_days: int = 7, level: int = 80,
                 forecasters: dict[str, Callable[[], Any]] | None = None, *, max_series: int | None = None,
                 autoets_series: int = 500, max_rows: int = 300_000) -> Iterator[dict[str, Any]]:
    """Each test window's evaluation as soon as it is done, latest first: ``{"end", "forecast"}``.

    The windows tile the last ``windows * step_days`` days (:func:`ml.evaluation.windows.window_plan`);
    the ``step_days`` before them are the validation window. Each window's models are fitted on the days
    before it only (the frame is cut at the window's last day and the window held out). The series
    sample is drawn once, on the days up to the validation window's end, and kept in every window.
    """
    from ml.evaluation.forecast import evaluate_daily

    plan = window_plan(pd.Timestamp(daily["date"].max()).date(), windows, step_days)
    daily = sample_series(daily, max_series, pd.Timestamp(plan.validation_end))
    for end in plan.test_ends:
        began = time.perf_counter()
        report = evaluate_daily(daily[daily["date"] <= pd.Timestamp(end)], step_days, level, forecasters,
                                country="", slow={"AutoETS": autoets_series}, max_rows=max_rows, peers=True)
        report["setup"] = {"dataset": DATASET, "series_sample": max_series, "validation_end": str(plan.validation_end),
                           **report["setup"]}
        yield {"end": str(end), "forecast": {**report, "seconds": round(time.perf_counter() - began, 2)}}


def backtest_daily(daily: pd.DataFrame, windows: int = 4, step_days: int = 7, level: int = 80,
                   forecasters: dict[str, Callable[[], Any]] | None = None, *, max_series: int | None = None,
                   autoets_series: int = 500, max_rows: int = 300_000,
                   on_window: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """The forecast evaluation on ``windows`` successive test windows of ``step_days`` days (:func:`iter_windows`).

    Returns the shape of ``ml.evaluate.backtest`` (task ``forecast``): ``windows`` (each window's
    :func:`~ml.evaluation.forecast.evaluate_daily` report with its per-window ``versus``) and ``summary``.
    ``on_window`` is called with each window as soon as it is done (a long run shows what it has).
    """
    from ml.evaluate import summarize_windows

    plan = window_plan(pd.Timestamp(daily["date"].max()).date(), windows, step_days)
    runs = []
    for window in iter_windows(daily, windows, step_days, level, forecasters, max_series=max_series,
                               autoets_series=autoets_series, max_rows=max_rows):
        runs.append(window)
        if on_window is not None:
            on_window(window)
    return {"data": {"name": "freshretailnet", "start": str(pd.Timestamp(daily["date"].min()).date()),
                     "end": str(plan.test_ends[0])},
            "validation_start": str(plan.validation_end - timedelta(days=step_days - 1)),
            "validation_end": str(plan.validation_end), "windows": runs,
            "summary": summarize_windows(runs, ("forecast",))}


def tuned_forecasters(best_params: dict[str, dict[str, Any]], level: int, horizon: int,
                      max_rows: int = 300_000) -> dict[str, Callable[[], Any]]:
    """Every model and peer of this evaluation, each with its ``best_params`` (by display name) when it has any.

    ``best_params`` comes from ``ml.evaluation.forecast_tuning --data freshretailnet`` (the validation window).
    The median ensemble combines its members' forecasts, so it follows their tuned settings.
    """
    from ml.evaluation.forecast import default_forecasters

    factories = default_forecasters(level, "", horizon=horizon, max_rows=max_rows, peers=True)
    return {name: (lambda make=make, params=best_params.get(name, {}): make().set_params(**params))
            for name, make in factories.items()}


def backtest_freshretail(data_dir: str | Path, windows: int = 4, step_days: int = 7,
                         max_series: int | None = None, level: int = 80,
                         on_window: Callable[[dict[str, Any]], None] | None = None,
                         best_params: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """:func:`backtest_daily` on FreshRetailNet-50K (every model and peer; see :func:`evaluate_freshretail`),
    with the settings tuned on its validation window (``best_params``) when given."""
    forecasters = tuned_forecasters(best_params, level, step_days) if best_params else None
    result = backtest_daily(freshretail_daily(data_dir), windows, step_days, level, forecasters,
                            max_series=max_series, on_window=on_window)
    return {**result, "tuned": best_params or {}}
