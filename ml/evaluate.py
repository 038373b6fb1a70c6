"""Evaluate every model against its baselines on a time-based holdout.

    python -m ml.evaluate --data online_retail --json
    python -m ml.evaluate --data ../shared/data/online_retail.csv.xz --markdown
    python -m ml.evaluate --data freshretailnet --task forecast --markdown [--max-series 5000]
    python -m ml.evaluate --data freshretailnet --task forecast --windows 4 --max-series 20000 --markdown
    python -m ml.evaluate --data ../shared/data/online_retail.csv.xz --windows 4 --jobs 2 --markdown

``--data`` takes what DATA_SOURCE takes: ``simulator``, ``online_retail``,
``completejourney`` or a file path (a path ending in ``online_retail.csv.xz`` or a
Complete Journey transactions file is recognised and cleaned by its own loader).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ml.data import load_dataset
from ml.data.schema import Dataset
from ml.data.sources import COMPLETEJOURNEY_TRANSACTIONS_FILE, ONLINE_RETAIL_FILE
from ml.errors import CaddieError
from ml.evaluation.windows import drop_partial_last_day, window_plan
from ml.permissions import owner_only_files
from ml.settings import MLSettings

TASKS = ("forecast", "recommend", "propensity")
FRESHRETAILNET = "freshretailnet"  # --data freshretailnet: FreshRetailNet-50K, forecast only


def resolve_source(data: str) -> dict[str, Any]:
    """Settings overrides for ``--data``: a known dataset's file is read by that dataset's loader."""
    path = Path(data)
    if path.name == ONLINE_RETAIL_FILE and path.exists():
        return {"data_source": "online_retail", "data_dir": path.parent}
    if path.name == COMPLETEJOURNEY_TRANSACTIONS_FILE and path.exists():
        return {"data_source": "completejourney", "data_dir": path.parent}
    if path.is_dir():
        raise SystemExit(f"--data {data}: a folder; name the file, or use online_retail / completejourney "
                         f"with DATA_DIR={data}")
    return {"data_source": data}


def evaluate(dataset: Dataset, tasks: tuple[str, ...] = TASKS, horizon_days: int = 14) -> dict[str, Any]:
    from ml.evaluation import evaluate_forecast, evaluate_propensity, evaluate_recommend

    runners = {
        "forecast": lambda: evaluate_forecast(dataset, peers=True),
        "recommend": lambda: evaluate_recommend(dataset),
        "propensity": lambda: evaluate_propensity(dataset, horizon_days=horizon_days),
    }
    out: dict[str, Any] = {
        "data": {"name": dataset.name, "start": dataset.start.isoformat(), "end": dataset.end.isoformat(),
                 "transactions": int(len(dataset.transactions)),
                 "customers": int(dataset.transactions["customer_id"].nunique()),
                 "products": int(dataset.transactions["product_id"].nunique())},
    }
    for task in tasks:
        start = time.perf_counter()
        out[task] = runners[task]()
        out[task]["seconds"] = round(time.perf_counter() - start, 2)
    return out


def truncate(dataset: Dataset, last_day: date) -> Dataset:
    """The dataset as it was on ``last_day``: every transaction up to that day included."""
    tx = dataset.transactions
    kept = tx[tx["timestamp"] < pd.Timestamp(last_day) + pd.Timedelta(days=1)].reset_index(drop=True)
    return replace(dataset, transactions=kept)


def backtest(dataset: Dataset, windows: int, tasks: tuple[str, ...] = TASKS, horizon_days: int = 14,
             step_days: int = 28, jobs: int = 1) -> dict[str, Any]:
    """:func:`evaluate` on ``windows`` successive holdouts, the latest first, each ``step_days`` earlier.

    The window before the earliest one is the validation window (``validation_end``): defaults of the
    models and peers are tuned there (:mod:`ml.evaluation.tuning`), never on a test window.

    ``summary``: :func:`summarize_windows`.
    """
    plan = window_plan(dataset.end, windows, step_days)
    if jobs > 1:  # one process per window, ``jobs`` at a time (every model in it is single-threaded)
        from joblib import Parallel, delayed

        runs = Parallel(n_jobs=jobs)(delayed(evaluate)(truncate(dataset, end), tasks, horizon_days)
                                     for end in plan.test_ends)
    else:
        runs = [evaluate(truncate(dataset, end), tasks, horizon_days) for end in plan.test_ends]
    return {"data": runs[0]["data"], "validation_end": str(plan.validation_end),
            "windows": [{"end": run["data"]["end"], **{t: run[t] for t in tasks}} for run in runs],
            "summary": summarize_windows(runs, tasks)}


def summarize_windows(runs: list[dict[str, Any]], tasks: tuple[str, ...]) -> dict[str, Any]:
    """Per task and headline metric: the model's and each baseline's mean over ``runs`` (one per window)
    and in how many windows the model did better ("coverage" is reported, not scored)."""
    from ml.evaluation import HEADLINE_METRICS

    summary: dict[str, Any] = {}
    for task in tasks:
        per_metric: dict[str, Any] = {}
        for metric, higher in HEADLINE_METRICS[task].items():
            model = [run[task]["model"][metric] for run in runs]
            entry: dict[str, Any] = {"model": float(np.mean(model)), "baselines": {}}
            for name in runs[0][task]["baselines"]:
                base = [run[task]["baselines"][name][metric] for run in runs]
                wins = None if metric == "coverage" else int(sum(
                    (m > b) if higher else (m < b) for m, b in zip(model, base)))
                entry["baselines"][name] = {"mean": float(np.mean(base)), "model_wins": wins,
                                            "sure_wins": _sure_wins(runs, task, name, metric, higher)}
            per_metric[metric] = entry
        summary[task] = per_metric
    return summary


def _sure_wins(runs: list[dict[str, Any]], task: str, name: str, metric: str, higher: bool) -> int | None:
    """In how many windows the model beat ``name`` on ``metric`` with the 95 % interval of the paired
    difference excluding 0 (None when a window has no interval for that metric)."""
    intervals = [run[task].get("versus", {}).get(name, {}).get(metric) for run in runs]
    if any(i is None for i in intervals):
        return None
    return int(sum((i["low"] > 0) if higher else (i["high"] < 0) for i in intervals))


def backtest_markdown(result: dict[str, Any]) -> str:
    """The backtest summary: per task, one row per headline metric, model mean then each baseline."""
    n = len(result["windows"])
    ends = ", ".join(w["end"] for w in result["windows"])
    lines = [f"Data: {result['data']['name']}; {n} holdout windows ending {ends}; "
             f"validation window ending {result.get('validation_end', '?')}", ""]
    if result.get("tuned"):
        chosen = "; ".join(f"{name} {params or 'defaults'}" for name, params in result["tuned"].items())
        lines += [f"Settings tuned on the validation window: {chosen}", ""]
    for task, metrics in result["summary"].items():
        names = list(next(iter(metrics.values()))["baselines"])
        lines += [f"**{task}** (mean over windows; model better in k of {n}; \"sure\": in how many of them the "
                  "95 % paired bootstrap interval of the difference excludes 0)", "",
                  "| metric | model | " + " | ".join(names) + " |", "|---|---:|" + "---:|" * len(names)]
        for metric, entry in metrics.items():
            cells = [f"{b['mean']:.3f}" + _wins_cell(b, n) for b in entry["baselines"].values()]
            lines.append(f"| {metric} | {entry['model']:.3f} | " + " | ".join(cells) + " |")
        lines.append("")
    from ml.evaluation.forecast_report import windows_markdown

    return "\n".join(lines + windows_versus_markdown(result) + windows_markdown(result))


def _wins_cell(baseline: dict[str, Any], n: int) -> str:
    if baseline["model_wins"] is None:
        return ""
    sure = baseline.get("sure_wins")
    return f" ({baseline['model_wins']}/{n}" + ("" if sure is None else f", sure {sure}/{n}") + ")"


def windows_versus_markdown(result: dict[str, Any]) -> list[str]:
    """Per task and window: model minus each peer on the headline metrics, 95 % paired bootstrap interval."""
    from ml.evaluation import HEADLINE_METRICS

    lines: list[str] = []
    for task in result["summary"]:
        wanted = [m for m in HEADLINE_METRICS[task] if m != "coverage"]
        lines += [f"**{task}**: model minus peer per window (95 % paired bootstrap interval)", ""]
        for window in result["windows"]:
            for name, comparison in window[task].get("versus", {}).items():
                shown = {m: c for m, c in comparison.items() if m in wanted}
                if shown:
                    lines.append(f"- {window['end']} " + versus_line(name, shown))
        lines.append("")
    return lines


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def versus_line(baseline: str, comparison: dict[str, dict[str, float]]) -> str:
    """``vs NAME: METRIC diff [low, high]; ...``: model minus baseline with its bootstrap interval."""
    parts = [f"{metric} {c['diff']:+.3f} [{c['low']:+.3f}, {c['high']:+.3f}]" for metric, c in comparison.items()]
    return f"vs {baseline}: " + "; ".join(parts)


def to_markdown(result: dict[str, Any]) -> str:
    """One table per task: the model first, then each baseline, one column per metric.

    Under each table, one line per baseline gives model minus baseline with its 95 % paired bootstrap
    interval (the task's ``versus`` block), when present.
    """
    lines = [f"Data: {result['data']['name']} ({result['data']['start']} to {result['data']['end']}, "
             f"{result['data']['transactions']:,} lines, {result['data']['customers']:,} customers)", ""]
    for task in TASKS:
        if task not in result:
            continue
        block = result[task]
        model = block["model"]
        metrics = [k for k, v in model.items() if k != "name" and isinstance(v, (int, float))]
        lines += [f"**{task}**", "", "| model | " + " | ".join(metrics) + " |",
                  "|---|" + "---:|" * len(metrics)]
        rows = [(f"**{model['name']}**", model)] + list(block.get("baselines", {}).items())
        for name, values in rows:
            lines.append(f"| {name} | " + " | ".join(_fmt(values.get(m, "")) for m in metrics) + " |")
        versus = block.get("versus", {})
        if versus:
            lines += ["", "Model minus baseline, 95 % paired bootstrap interval:"]
            lines += [f"- {versus_line(name, comparison)}" for name, comparison in versus.items()]
        lines.append("")
        if task == "forecast" and "levels" in block:
            from ml.evaluation.forecast_report import bands_markdown, levels_markdown

            lines += bands_markdown(block) + levels_markdown(block)
    return "\n".join(lines)


def _window_done(window: dict[str, Any]) -> None:
    """One line per finished window on stderr (model minus each peer), so a long backtest shows its figures."""
    block = window["forecast"]
    print(f"window ending {window['end']} done in {block['seconds']:.0f} s:", file=sys.stderr)
    for name, comparison in block["versus"].items():
        print(f"  {versus_line(name, comparison)}", file=sys.stderr, flush=True)


def _best_params(path: Path | None) -> dict[str, dict[str, Any]] | None:
    """Each model's ``best_params`` from a ``ml.evaluation.forecast_tuning`` JSON output (None: no file)."""
    if path is None:
        return None
    try:
        tuned = json.loads(path.read_text())
        return {name: dict(entry["best_params"]) for name, entry in tuned["models"].items()}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SystemExit(f"--params {path}: not the JSON output of ml.evaluation.forecast_tuning ({exc})") from exc


def _freshretail_main(args: argparse.Namespace) -> int:
    """``--data freshretailnet``: the forecast evaluation on FreshRetailNet-50K.

    One window (its last 14 days) by default; ``--windows N``: N test windows of ``--window-days`` (7)
    after a validation window of the same length (:func:`~ml.evaluation.freshretail_frame.backtest_daily`).
    """
    from ml.evaluation.freshretail_frame import backtest_freshretail, evaluate_freshretail

    if args.task and set(args.task) != {"forecast"}:
        print("error: FreshRetailNet-50K is a sales log without customers: only --task forecast", file=sys.stderr)
        return 2
    settings = MLSettings()
    days = args.window_days or (14 if args.windows == 1 else 7)
    try:
        if args.windows > 1:
            result = backtest_freshretail(settings.data_dir, args.windows, days, max_series=args.max_series,
                                          on_window=_window_done, best_params=_best_params(args.params))
            print(backtest_markdown(result) if args.markdown
                  else json.dumps(result, indent=2, ensure_ascii=False, default=str))
            return 0
        report = evaluate_freshretail(settings.data_dir, holdout_days=days, max_series=args.max_series)
    except CaddieError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = {"data": {"name": "freshretailnet", "start": report["setup"]["train_start"],
                       "end": report["setup"]["holdout_end"], "transactions": report["setup"]["n_series"] * 90,
                       "customers": 0, "products": report["setup"]["n_products"]},
              "forecast": report}
    print(to_markdown(result) if args.markdown else json.dumps(result, indent=2, ensure_ascii=False, default=str))
    return 0


def main(argv: list[str] | None = None) -> int:
    owner_only_files()  # the database and model files hold customer data: owner only
    parser = argparse.ArgumentParser(prog="python -m ml.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None,
                        help="simulator | online_retail | completejourney | freshretailnet | PATH")
    parser.add_argument("--task", action="append", choices=TASKS, help="evaluate only this task (repeatable)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print JSON (default)")
    output.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument("--max-series", type=int, default=None,
                        help="freshretailnet: evaluate a stratified sample of this many series (default: all)")
    parser.add_argument("--windows", type=int, default=1,
                        help="backtest over this many successive 28-day holdouts (default 1: the latest)")
    parser.add_argument("--window-days", type=int, default=None,
                        help="freshretailnet: days per test window (default 14 for one window, 7 with --windows)")
    parser.add_argument("--params", type=Path, default=None,
                        help="freshretailnet with --windows: settings tuned on its validation window "
                             "(the JSON printed by ml.evaluation.forecast_tuning --data freshretailnet)")
    parser.add_argument("--jobs", type=int, default=1,
                        help="with --windows: evaluate this many windows at once, one process each (default 1)")
    args = parser.parse_args(argv)
    if args.windows < 1:
        parser.error("--windows must be at least 1")
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    if args.window_days is not None and (args.window_days < 1 or args.data != FRESHRETAILNET):
        parser.error("--window-days takes a positive number of days, with --data freshretailnet only")
    if args.params is not None and (args.data != FRESHRETAILNET or args.windows < 2):
        parser.error("--params goes with --data freshretailnet --windows N (N >= 2)")
    logging.basicConfig(level=logging.WARNING)

    if args.data == FRESHRETAILNET:
        return _freshretail_main(args)
    settings = MLSettings(**(resolve_source(args.data) if args.data else {}))
    try:
        dataset = load_dataset(settings)
        # a last day cut mid-day (Online Retail ends on 2011-12-09 at 12:50) is not scored as a full day
        dataset = replace(dataset, transactions=drop_partial_last_day(dataset.transactions))
        tasks = tuple(args.task or TASKS)
        if args.windows == 1:
            result = evaluate(dataset, tasks, settings.propensity_horizon_days)
            text = to_markdown(result) if args.markdown else None
        else:
            result = backtest(dataset, args.windows, tasks, settings.propensity_horizon_days, jobs=args.jobs)
            text = backtest_markdown(result) if args.markdown else None
    except CaddieError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(text if text is not None else json.dumps(result, indent=2, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
