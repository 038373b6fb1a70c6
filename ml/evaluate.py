"""Evaluate every model against its baselines on a time-based holdout.

    python -m ml.evaluate --data online_retail --json
    python -m ml.evaluate --data ../shared/data/online_retail.csv.xz --markdown

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
from pathlib import Path
from typing import Any

from ml.data import load_dataset
from ml.data.schema import Dataset
from ml.data.sources import COMPLETEJOURNEY_TRANSACTIONS_FILE, ONLINE_RETAIL_FILE
from ml.errors import CaddieError
from ml.settings import MLSettings

TASKS = ("forecast", "recommend", "propensity")


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
        "forecast": lambda: evaluate_forecast(dataset),
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
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ml.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="simulator | online_retail | completejourney | PATH")
    parser.add_argument("--task", action="append", choices=TASKS, help="evaluate only this task (repeatable)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print JSON (default)")
    output.add_argument("--markdown", action="store_true", help="print Markdown tables")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    settings = MLSettings(**(resolve_source(args.data) if args.data else {}))
    try:
        dataset = load_dataset(settings)
        result = evaluate(dataset, tuple(args.task or TASKS), settings.propensity_horizon_days)
    except CaddieError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(to_markdown(result) if args.markdown else json.dumps(result, indent=2, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
