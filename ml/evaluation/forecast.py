"""Holdout evaluation of the demand forecaster against its baselines, per store x product and above.

The last ``holdout_days`` days are hidden; every model is fitted on the days before
and forecasts the hidden days in one go, for every store x product series. Scores are
reported at three levels of the M5 hierarchy (:mod:`ml.evaluation.levels`): store x
product (12), store (3) and chain x product (10), the upper levels being bottom-up sums.

Stock-outs: a day with ``stockout_hours > 0`` sold less than was wanted. Every metric
is reported on all days and on stock-out-free days (store x product days without a
stock-out, removed from both actuals and forecasts before summing); the **headline is
stock-out-free days**, where sales measure demand. Without stock-out data both agree.

Promotions and discounts of the holdout days, when the data has them, are given to
the forecasters as known-ahead signals (a chain plans its promotions; baselines ignore them).

A baseline listed in ``slow`` (AutoETS: one model per series) is fitted on a stratified
sample of at most that many series when there are more (equal numbers from each decile of
training volume); it is then scored at store x product level on its sample only, compared
with the model on the same series, and left out of the upper levels.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from ml.data.aggregate import daily_demand, with_signals
from ml.data.schema import Dataset
from ml.evaluation.bootstrap import paired_difference
from ml.evaluation.levels import LEVELS, SERIES_KEYS, group_scores, level_groups, summarize
from ml.evaluation.forecast_distribution import per_series, series_scores, summarize_distribution
from ml.evaluation.metrics import coverage, interval_width
from ml.evaluation.progress import progress
from ml.models.forecast import BaseForecaster, DemandForecaster
from ml.models.forecast_base import DECILES, interval_quantiles, with_store
from ml.models.forecast_baselines import AutoETSBaseline, LinearRegressionPrototype, SeasonalNaive
from ml.models.hierarchy import aggregate_forecast

HEADLINE_DAYS = "stockout_free"


def top_products(transactions: pd.DataFrame, n: int) -> list[str]:
    """The ``n`` products with the largest total quantity over every store (ties broken by product id)."""
    totals = transactions.groupby(transactions["product_id"].astype(str))["quantity"].sum()
    ranked = totals.reset_index().sort_values(["quantity", "product_id"], ascending=[False, True])
    return ranked["product_id"].head(n).tolist()


def default_forecasters(level: int, country: str | None = "FR", horizon: int = 28,
                        max_rows: int = 60_000, peers: bool = True) -> dict[str, Callable[[], BaseForecaster]]:
    """Factories of the main model (first), its baselines and (``peers``) the bench peers, by display name.

    A peer whose library is not installed (the ``bench`` extra) is reported as skipped.
    """
    from ml.models.forecast_peers import default_peers

    factories: dict[str, Callable[[], BaseForecaster]] = {
        DemandForecaster.display_name: lambda: DemandForecaster(level=level, country=country, horizon=horizon,
                                                     max_rows=max_rows),
        SeasonalNaive.display_name: lambda: SeasonalNaive(level=level),
        LinearRegressionPrototype.display_name: lambda: LinearRegressionPrototype(level=level),
        AutoETSBaseline.display_name: lambda: AutoETSBaseline(level=level),
    }
    if peers:
        factories.update(default_peers(level, horizon))
    return factories


def stratified_series(train: pd.DataFrame, n: int, seed: int = 0) -> list[tuple[str, str]]:
    """At most ``n`` series, the same number from each decile of mean training volume."""
    volume = with_store(train).groupby(SERIES_KEYS)["quantity"].mean().sort_values(kind="stable")
    if len(volume) <= n:
        return list(volume.index)
    rng = np.random.default_rng(seed)
    deciles = np.array_split(np.arange(len(volume)), 10)
    per = [n // 10 + (1 if i < n % 10 else 0) for i in range(10)]
    picked = np.concatenate([rng.choice(d, min(k, len(d)), replace=False) for d, k in zip(deciles, per)])
    return sorted(volume.index[np.sort(picked)])


def _interval_scores(actual: pd.DataFrame, forecast: pd.DataFrame, level: int,
                     keep: np.ndarray | None = None) -> dict[str, float]:
    joined = actual.merge(forecast, on=[*SERIES_KEYS, "date"], validate="one_to_one")
    if keep is not None:
        joined = joined[keep]
    cover = coverage(joined["quantity"], joined["lower"], joined["upper"])
    return {"coverage": cover, "coverage_error": abs(cover - level / 100),
            "interval_width": interval_width(joined["lower"], joined["upper"])}


def _aggregate_intervals(model: BaseForecaster, actual: pd.DataFrame, forecast: pd.DataFrame, name: str,
                         level: int) -> dict[str, float]:
    """Coverage and width of the model's own aggregate intervals at ``name`` (all days)."""
    groups = level_groups(list(zip(forecast["store_id"], forecast["product_id"])), name)
    try:
        bounds = aggregate_forecast(model, forecast, groups)
    except TypeError:  # a baseline keeps no calibration residuals: no aggregate interval
        return {}
    truth = actual.assign(group=[groups[k] for k in zip(actual["store_id"], actual["product_id"])])
    truth = truth.groupby(["group", "date"], as_index=False)["quantity"].sum()
    joined = truth.merge(bounds, on=["group", "date"], validate="one_to_one")
    cover = coverage(joined["quantity"], joined["lower"], joined["upper"])
    return {"coverage": cover, "coverage_error": abs(cover - level / 100),
            "interval_width": interval_width(joined["lower"], joined["upper"])}


def _fit_predict(make: Callable[[], BaseForecaster], train: pd.DataFrame, holdout_days: int,
                 future: pd.DataFrame | None, level: int = 80,
                 done: dict[str, tuple[pd.DataFrame, float]] | None = None,
                 ) -> tuple[BaseForecaster, pd.DataFrame, float, float]:
    """Fit and forecast (deciles and the ``level`` % bounds as quantiles); times of each in seconds.

    An ensemble whose members are all in ``done`` (name -> (forecast, fit seconds)) is built from their
    forecasts instead of refitting them; its fit time is then the sum of theirs plus the combination.
    """
    began = time.perf_counter()
    model = make()
    names = tuple(getattr(model, "member_names", ()))
    reused = _member_forecasts(names, train, done or {})
    if reused is not None:
        model.fit_from_forecasts(reused)
        fit_s = time.perf_counter() - began + sum(done[n][1] for n in names)
    else:
        model.fit(train)
        fit_s = time.perf_counter() - began
    fitted = time.perf_counter()
    quantiles = sorted({*DECILES, *interval_quantiles(level)})
    forecast = model.predict_quantiles(holdout_days, quantiles, signals=future)
    return model, forecast, fit_s, time.perf_counter() - fitted


def _member_forecasts(names: tuple[str, ...], train: pd.DataFrame,
                      done: dict[str, tuple[pd.DataFrame, float]]) -> list[pd.DataFrame] | None:
    """The members' forecasts of ``train``'s series, or None when a member was not run on all of them."""
    if not names or any(n not in done for n in names):
        return None
    wanted = pd.MultiIndex.from_frame(train[SERIES_KEYS].drop_duplicates())
    frames = []
    for name in names:
        frame = done[name][0]
        keys = pd.MultiIndex.from_frame(frame[SERIES_KEYS])
        if not wanted.isin(keys.unique()).all():
            return None
        frames.append(frame[keys.isin(wanted)])
    return frames


def _split(daily: pd.DataFrame, holdout_days: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    daily = with_store(daily)
    end = pd.Timestamp(daily["date"].max())
    train_end = end - pd.Timedelta(days=holdout_days)
    train = daily[daily["date"] <= train_end].reset_index(drop=True)
    actual = daily[daily["date"] > train_end].reset_index(drop=True)
    if train.empty or train["date"].nunique() < 14:
        raise ValueError(f"{holdout_days} holdout days leave too little training history")
    return train, actual


def _score_levels(model: BaseForecaster, train: pd.DataFrame, actual: pd.DataFrame, forecast: pd.DataFrame,
                  clean: pd.Series, levels: list[str], level: int) -> tuple[dict, dict]:
    """Per level and day set: metrics; and per level the per-group MASE (and SPL) on the headline days.

    Store x product: the distribution scores of :mod:`ml.evaluation.forecast_distribution` (MASE and WAPE
    on the median, RMSSE on the mean, SPL; per horizon band under ``bands``). Upper levels: MASE and
    WAPE of the bottom-up sums of the means.
    """
    scores: dict[str, dict] = {}
    per_group: dict[str, pd.DataFrame] = {}
    for name in levels:
        keys = list(LEVELS[name][1])
        scores[name] = {}
        for days, mask in (("all", None), (HEADLINE_DAYS, clean)):
            if name == "store_product":
                table = series_scores(train, actual, forecast, mask)
                bands = summarize_distribution(table)
                metrics = {**bands.pop("all"), "bands": bands}
                metrics.update(_interval_scores(actual, forecast, level, None if mask is None else mask.to_numpy()))
                groups = pd.DataFrame({"MASE": per_series(table, "mase"), "SPL": per_series(table, "spl")})
            else:
                table = group_scores(train, actual, forecast, keys, mask)
                metrics = summarize(table)
                groups = pd.DataFrame({"MASE": table["mase"]})
                if mask is None:
                    metrics.update(_aggregate_intervals(model, actual, forecast, name, level))
            scores[name][days] = metrics
            if days == HEADLINE_DAYS:
                per_group[name] = groups
    return scores, per_group


def evaluate_daily(daily: pd.DataFrame, holdout_days: int = 28, level: int = 80,
                   forecasters: dict[str, Callable[[], BaseForecaster]] | None = None, *,
                   country: str | None = None, slow: dict[str, int] | None = None,
                   max_rows: int = 60_000, peers: bool = False) -> dict:
    """Evaluate every forecaster on a daily store x product frame (see the module docstring).

    Returns ``{"setup", "model", "baselines", "versus", "levels"}``: ``model``/``baselines`` hold the
    store x product headline metrics (stock-out-free days) with timings; ``versus`` the model's MASE
    minus each baseline's per series with a 95 % paired bootstrap interval; ``levels[name]`` holds
    ``m5_level``, per model ``{"all": {...}, "stockout_free": {...}}`` and ``versus`` per baseline
    (per-group MASE differences on stock-out-free days).
    """
    train, actual = _split(daily, holdout_days)
    clean = (actual["stockout_hours"].fillna(0) <= 0) if "stockout_hours" in actual else pd.Series(True, actual.index)
    drivers = [c for c in ("promo", "discount") if c in actual]
    future = actual[[*SERIES_KEYS, "date", *drivers]] if drivers else None
    factories = forecasters or default_forecasters(level, country, horizon=holdout_days, max_rows=max_rows,
                                                   peers=peers)
    slow = {"AutoETS": 500} if slow is None else slow
    n_series = len(train[SERIES_KEYS].drop_duplicates())
    results: dict[str, dict] = {}
    groups: dict[str, dict[str, pd.Series]] = {}
    skipped: dict[str, str] = {}
    done: dict[str, tuple[pd.DataFrame, float]] = {}
    for name, make in progress(list(factories.items()), f"forecast {actual['date'].max().date()}"):
        sample = stratified_series(train, slow[name]) if name in slow and n_series > slow[name] else None
        tr, act, cl = train, actual, clean
        if sample is not None:
            keep = pd.MultiIndex.from_frame(actual[SERIES_KEYS]).isin(sample)
            tr = train[pd.MultiIndex.from_frame(train[SERIES_KEYS]).isin(sample)]
            act, cl = actual[keep].reset_index(drop=True), clean[keep].reset_index(drop=True)
        try:
            model, forecast, fit_s, predict_s = _fit_predict(make, tr, holdout_days, future, level, done)
        except ImportError as error:
            skipped[name] = f"missing dependency: {error.name or error}"
            continue
        done[name] = (forecast, fit_s)
        levels = ["store_product"] if sample is not None else list(LEVELS)
        scores, groups[name] = _score_levels(model, tr, act, forecast, cl, levels, level)
        results[name] = {"scores": scores, "fit_seconds": fit_s, "predict_seconds": predict_s,
                         "n_series": len(sample) if sample is not None else n_series,
                         "sampled": sample is not None}
    return _report(results, groups, skipped, train, actual, clean, holdout_days, level, country)


def _versus(model: pd.DataFrame, baseline: pd.DataFrame, n_units: int) -> dict[str, dict[str, float]]:
    """Model minus baseline per group, 95 % paired bootstrap, for each metric both have (MASE, SPL)."""
    common = baseline.index.intersection(model.index)
    return {metric: paired_difference(model[metric].reindex(common), baseline[metric].reindex(common),
                                      n_boot=2000 if n_units <= 5000 else 500)
            for metric in model.columns if metric in baseline.columns}


def _report(results: dict, groups: dict, skipped: dict, train: pd.DataFrame, actual: pd.DataFrame,
            clean: pd.Series, holdout_days: int, level: int, country: str | None) -> dict:
    model_name = next(iter(results)) if results else None
    headline = {name: {**r["scores"]["store_product"][HEADLINE_DAYS], "fit_seconds": r["fit_seconds"],
                       "predict_seconds": r["predict_seconds"], "n_series": r["n_series"]}
                for name, r in results.items()}
    levels: dict[str, dict] = {}
    for name, (m5, _) in LEVELS.items():
        entry: dict = {"m5_level": m5, "models": {}, "versus": {}}
        for model, r in results.items():
            if name in r["scores"]:
                entry["models"][model] = r["scores"][name]
        for base in results:
            if base != model_name and name in groups.get(base, {}):
                ours = groups[model_name][name]
                entry["versus"][base] = _versus(ours, groups[base][name], len(ours))
        levels[name] = entry
    setup = {
        "n_series": int(len(train[SERIES_KEYS].drop_duplicates())),
        "n_stores": int(train["store_id"].nunique()), "n_products": int(train["product_id"].nunique()),
        "train_start": train["date"].min().date().isoformat(), "train_end": train["date"].max().date().isoformat(),
        "holdout_start": actual["date"].min().date().isoformat(),
        "holdout_end": actual["date"].max().date().isoformat(),
        "holdout_days": holdout_days, "horizon": holdout_days, "level": level, "holidays": country or None,
        "headline_days": HEADLINE_DAYS, "stockout_day_share": float(1 - clean.mean()),
        "sampled": {n: r["n_series"] for n, r in results.items() if r["sampled"]},
        "skipped": skipped,
    }
    return {
        "setup": setup,
        "model": {"name": model_name, **headline.get(model_name, {})},
        "baselines": {n: s for n, s in headline.items() if n != model_name},
        "versus": levels["store_product"]["versus"],
        "levels": levels,
    }


def evaluate_forecast(dataset: Dataset, holdout_days: int = 28, n_products: int = 50, level: int = 80,
                      *, country: str | None = None,
                      forecasters: dict[str, Callable[[], BaseForecaster]] | None = None,
                      slow: dict[str, int] | None = None, peers: bool = False) -> dict:
    """:func:`evaluate_daily` on a dataset: every store's series of its ``n_products`` best sellers.

    ``peers``: also the bench peers of :mod:`ml.models.forecast_peers` (``ml.evaluate`` turns them on;
    the evaluation run at training does not). Best sellers are ranked on the days before the holdout over every store; the store level (3)
    is the sum over those products. ``country`` (public holidays) defaults to the dataset's;
    "" turns holidays off. The dataset's signals (promotions, discounts, stock-outs) are joined.
    """
    country = dataset.country if country is None else country
    end = pd.Timestamp(dataset.end)
    holdout_start = end - pd.Timedelta(days=holdout_days - 1)
    start = pd.Timestamp(dataset.start)
    if holdout_start - pd.Timedelta(days=1) <= start:
        raise ValueError(f"{dataset.name}: {holdout_days} holdout days leave no training history")
    transactions = dataset.transactions
    products = top_products(transactions[transactions["timestamp"] < holdout_start], n_products)
    daily = with_signals(daily_demand(transactions, products, start=start, end=end), dataset.signals)
    report = evaluate_daily(daily, holdout_days, level, forecasters, country=country, slow=slow, peers=peers)
    report["setup"] = {"dataset": dataset.name, "products": products, **report["setup"]}
    return report


__all__ = ["evaluate_daily", "evaluate_forecast", "stratified_series", "top_products"]
