"""Does the forecaster plan yearly peaks from one year of history?  ``python -m ml.evaluation.yearly_peaks``.

    python -m ml.evaluation.yearly_peaks --seed 11 --end 2025-01-05              # design: Christmas 2024 (validation)
    python -m ml.evaluation.yearly_peaks --seed 31 --end 2026-01-05 --settings 2.0:0.2:1   # the test, once

A simulated chain (``ml.data.simulator``, ``--customers`` loyalty customers plus the anonymous sales) of
``--days`` days ending ``--end``; the last ``--holdout`` days are hidden, the forecaster is fitted once on the
days before (365 with the defaults: one year, like ``make run``) and forecasts them with the yearly shape off
(the trees alone, the model before this change) and with each ``threshold:noise_floor:half_window`` setting of
:class:`~ml.models.forecast_yearly.YearlyShape`. Every store x product series of every product is scored
(seasonal products are not among the best sellers): MASE / SPL on stock-out-free days as ``ml.evaluate`` does,
for all products and for the products with a December peak, and the chain's units of each peak product in the
week to 24 December (actual, forecast, last year).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

import numpy as np
import pandas as pd

from ml.data.aggregate import daily_demand, with_signals
from ml.data.simulator import simulate
from ml.data.simulator.products import product_table
from ml.evaluation.forecast_distribution import series_scores, summarize_distribution
from ml.evaluation.levels import SERIES_KEYS
from ml.models.forecast import DemandForecaster
from ml.models.forecast_base import DECILES, interval_quantiles, with_store

PEAK_SEASONS = ("christmas", "festive", "festive_mild")


def holdout_split(daily: pd.DataFrame, holdout: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    daily = with_store(daily)
    cut = pd.Timestamp(daily["date"].max()) - pd.Timedelta(days=holdout)
    return daily[daily["date"] <= cut].reset_index(drop=True), daily[daily["date"] > cut].reset_index(drop=True)


def _scores(train: pd.DataFrame, actual: pd.DataFrame, forecast: pd.DataFrame, products: set[str]) -> dict:
    clean = (actual["stockout_hours"].fillna(0) <= 0) if "stockout_hours" in actual else None
    table = series_scores(train, actual, forecast, clean)
    peak = table[table["product_id"].isin(products)]
    return {"all": summarize_distribution(table)["all"], "peak": summarize_distribution(peak)["all"]}


def _peak_week(train: pd.DataFrame, actual: pd.DataFrame, forecast: pd.DataFrame, products: list[str]) -> dict:
    """Chain units of each product in the 7 days to 24 December of the holdout: actual, forecast, last year."""
    days = actual["date"][(actual["date"].dt.month == 12) & (actual["date"].dt.day.between(18, 24))].unique()
    if len(days) == 0:
        return {}
    last_year = pd.DatetimeIndex(days) - pd.DateOffset(years=1)
    out = {}
    for product in products:
        sel = lambda f, on: f[(f["product_id"] == product) & f["date"].isin(on)]  # noqa: E731
        out[product] = {"actual": float(sel(actual, days)["quantity"].sum()),
                        "forecast": float(sel(forecast, days)["mean"].sum()),
                        "last_year": float(sel(train, last_year)["quantity"].sum())}
    return out


def evaluate_peaks(daily: pd.DataFrame, holdout: int, settings: list[tuple[float, float, float]],
                   peak_products: list[str]) -> dict:
    """Scores of the trees alone and of each (threshold, noise floor, half window) setting on the last
    ``holdout`` days."""
    train, actual = holdout_split(daily, holdout)
    drivers = [c for c in ("promo", "discount") if c in actual]
    future = actual[[*SERIES_KEYS, "date", *drivers]] if drivers else None
    model = DemandForecaster(horizon=max(28, holdout)).fit(train)
    quantiles = sorted({*DECILES, *interval_quantiles(model.level)})
    results = {}
    for label, yearly, threshold, floor, half in [("trees alone", False, 0.0, 0.0, 3),
                                                  *((f"yearly {t}:{f}:{h:.0f}", True, t, f, int(h))
                                                    for t, f, h in settings)]:
        model.set_params(yearly=yearly, yearly_threshold=threshold, yearly_noise_floor=floor,
                         yearly_half_window=half)
        forecast = model.predict_quantiles(holdout, quantiles, signals=future)
        results[label] = {**_scores(train, actual, forecast, set(peak_products)),
                          "peak_week": _peak_week(train, actual, forecast, peak_products)}
    return {"train": (str(train["date"].min().date()), str(train["date"].max().date())),
            "holdout": (str(actual["date"].min().date()), str(actual["date"].max().date())),
            "n_series": int(len(train[SERIES_KEYS].drop_duplicates())), "results": results}


def _markdown(report: dict, names: dict[str, str]) -> str:
    lines = [f"train {report['train'][0]}..{report['train'][1]}, holdout {report['holdout'][0]}.."
             f"{report['holdout'][1]}, {report['n_series']} store x product series", "",
             "| forecast | MASE all | SPL all | MASE peak products | SPL peak products |", "|---|---:|---:|---:|---:|"]
    for label, r in report["results"].items():
        lines.append(f"| {label} | {r['all']['MASE']:.3f} | {r['all']['SPL']:.3f} | {r['peak']['MASE']:.3f} | "
                     f"{r['peak']['SPL']:.3f} |")
    weeks = {label: r["peak_week"] for label, r in report["results"].items() if r["peak_week"]}
    if weeks:
        lines += ["", "Chain units, 18-24 December: " + "; ".join(
            f"{names.get(p, p)}: actual {w['actual']:.0f}, last year {w['last_year']:.0f}, forecast " + ", ".join(
                f"{label} {weeks[label][p]['forecast']:.1f}" for label in weeks)
            for p, w in next(iter(weeks.values())).items())]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ml.evaluation.yearly_peaks", description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--end", type=date.fromisoformat, required=True, help="last simulated day")
    parser.add_argument("--days", type=int, default=393, help="simulated days (default 365 + the holdout)")
    parser.add_argument("--holdout", type=int, default=28)
    parser.add_argument("--customers", type=int, default=400)
    parser.add_argument("--settings", default="2.0:0.2:0,2.0:0.2:1,2.0:0.2:3,1.5:0.2:1,3.0:0.2:1,2.0:0.3:1",
                        help="threshold:noise_floor:half_window settings of the yearly shape, comma-separated")
    args = parser.parse_args(argv)
    settings = [tuple(float(v) for v in item.split(":")) for item in args.settings.split(",") if item]
    dataset = simulate(n_customers=args.customers, days=args.days, end=args.end, seed=args.seed)
    catalog = product_table()
    peak = catalog.loc[catalog["season"].isin(PEAK_SEASONS), "product_id"].tolist()
    daily = with_signals(daily_demand(dataset.transactions), dataset.signals)
    report = evaluate_peaks(daily, args.holdout, settings, peak)
    print(_markdown(report, dict(zip(catalog["product_id"], catalog["name"]))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
