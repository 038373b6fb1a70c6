"""Holdout evaluation of the demand forecaster against its baselines.

The last ``holdout_days`` days of the dataset are hidden; every model is fitted
on the days before, for the ``n_products`` best sellers of that training
window, and forecasts the hidden days in one go (horizon = ``holdout_days``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from ml.data.aggregate import daily_demand
from ml.data.schema import Dataset
from ml.evaluation.bootstrap import paired_difference
from ml.evaluation.metrics import coverage, interval_width, mase, wape
from ml.models.forecast import BaseForecaster, DemandForecaster
from ml.models.forecast_base import with_store
from ml.models.forecast_baselines import AutoETSBaseline, LinearRegressionPrototype, SeasonalNaive

#: metric name -> True when higher is better (coverage is judged by its distance to the level)
FORECAST_METRICS: dict[str, bool] = {"MASE": False, "WAPE": False, "coverage": True,
                                     "coverage_error": False, "interval_width": False}


def top_products(transactions: pd.DataFrame, n: int) -> list[str]:
    """The ``n`` products with the largest total quantity (ties broken by product id)."""
    totals = transactions.groupby(transactions["product_id"].astype(str))["quantity"].sum()
    ranked = totals.reset_index().sort_values(["quantity", "product_id"], ascending=[False, True])
    return ranked["product_id"].head(n).tolist()


KEYS = ["store_id", "product_id"]


def _join(actual: pd.DataFrame, forecast: pd.DataFrame) -> pd.DataFrame:
    actual, forecast = with_store(actual), with_store(forecast)
    joined = actual.merge(forecast, on=[*KEYS, "date"], how="left", validate="one_to_one")
    if joined[["mean", "lower", "upper"]].isna().any().any():
        raise ValueError("the forecast does not cover every product-day of the holdout")
    return joined


def per_product_mase(train: pd.DataFrame, actual: pd.DataFrame, forecast: pd.DataFrame,
                     season: int = 7) -> pd.Series:
    """Each product's MASE (NaN when its in-sample scale is 0), indexed by sorted product id."""
    joined = _join(actual, forecast)
    history = {p: g["quantity"].to_numpy() for p, g in with_store(train).groupby(KEYS)}
    return pd.Series({p: mase(g["quantity"], g["mean"], history[p], season=season)
                      for p, g in joined.groupby(KEYS)}, dtype="float64").sort_index()


def forecast_metrics(train: pd.DataFrame, actual: pd.DataFrame, forecast: pd.DataFrame, level: int,
                     season: int = 7) -> dict[str, float]:
    """Score ``forecast`` against ``actual`` (both per product and date); ``train`` scales MASE.

    MASE is the mean over products of each product's MASE (products whose
    in-sample scale is 0 are left out); WAPE, coverage and width pool every
    product-day.
    """
    joined = _join(actual, forecast)
    per_product = per_product_mase(train, actual, forecast, season).to_numpy()
    cover = coverage(joined["quantity"], joined["lower"], joined["upper"])
    return {
        "MASE": float(np.nanmean(per_product)) if np.isfinite(per_product).any() else float("nan"),
        "WAPE": wape(joined["quantity"], joined["mean"]),
        "coverage": cover,
        "coverage_error": abs(cover - level / 100),
        "interval_width": interval_width(joined["lower"], joined["upper"]),
    }


def default_forecasters(level: int, country: str | None = "FR") -> dict[str, Callable[[], BaseForecaster]]:
    """Factories of the main model (first) and its baselines, by display name."""
    return {
        "DemandForecaster": lambda: DemandForecaster(level=level, country=country),
        "SeasonalNaive": lambda: SeasonalNaive(level=level),
        "LinearRegressionPrototype": lambda: LinearRegressionPrototype(level=level),
        "AutoETS": lambda: AutoETSBaseline(level=level),
    }


def evaluate_forecast(dataset: Dataset, holdout_days: int = 28, n_products: int = 50, level: int = 80,
                      *, country: str | None = None,
                      forecasters: dict[str, Callable[[], BaseForecaster]] | None = None) -> dict:
    """Fit every forecaster on all but the last ``holdout_days`` days and score its forecast of them.

    Returns ``{"setup": {...}, "model": {"name": ..., metrics}, "baselines": {name: {metrics}},
    "versus": {name: {"MASE": {"diff", "low", "high"}}}}``, plain JSON-able values; ``versus`` holds
    the model's MASE minus the baseline's over the same products (negative: the model is better) with a
    95 % paired bootstrap interval. The first entry of ``forecasters`` is the model; a
    baseline whose optional dependency is missing is listed under ``setup["skipped"]``. ``country``
    (public holidays) defaults to the dataset's; "" turns holidays off.
    """
    country = dataset.country if country is None else country
    end = pd.Timestamp(dataset.end)
    holdout_start = end - pd.Timedelta(days=holdout_days - 1)
    train_end = holdout_start - pd.Timedelta(days=1)
    start = pd.Timestamp(dataset.start)
    if train_end <= start:
        raise ValueError(f"{dataset.name}: {holdout_days} holdout days leave no training history")
    transactions = dataset.transactions
    products = top_products(transactions[transactions["timestamp"] < holdout_start], n_products)
    daily = daily_demand(transactions, products, start=start, end=end)
    train = daily[daily["date"] <= train_end]
    actual = daily[daily["date"] > train_end]

    factories = forecasters or default_forecasters(level, country)
    scores: dict[str, dict] = {}
    skipped: dict[str, str] = {}
    mases: dict[str, pd.Series] = {}
    for name, make in factories.items():
        try:
            began = time.perf_counter()
            model = make().fit(train)
            fitted = time.perf_counter()
            forecast = model.predict(holdout_days, products)
            done = time.perf_counter()
        except ImportError as error:
            skipped[name] = f"missing dependency: {error.name or error}"
            continue
        metrics = forecast_metrics(train, actual, forecast, level)
        mases[name] = per_product_mase(train, actual, forecast)
        scores[name] = {**metrics, "fit_seconds": fitted - began, "predict_seconds": done - fitted}

    model_name = next(iter(factories))
    setup = {
        "dataset": dataset.name,
        "products": products,
        "n_products": len(products),
        "train_start": start.date().isoformat(),
        "train_end": train_end.date().isoformat(),
        "holdout_start": holdout_start.date().isoformat(),
        "holdout_end": end.date().isoformat(),
        "holdout_days": holdout_days,
        "horizon": holdout_days,
        "level": level,
        "holidays": country or None,
        "skipped": skipped,
    }
    return {
        "setup": setup,
        "model": {"name": model_name, **scores.get(model_name, {})},
        "baselines": {name: s for name, s in scores.items() if name != model_name},
        "versus": {
            name: {"MASE": paired_difference(mases[model_name], per_product.reindex(mases[model_name].index))}
            for name, per_product in mases.items() if name != model_name and model_name in mases
        },
    }


__all__ = ["FORECAST_METRICS", "evaluate_forecast", "forecast_metrics", "per_product_mase", "top_products"]
