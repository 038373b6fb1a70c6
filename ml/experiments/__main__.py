"""``python -m ml.experiments replay --data online_retail``: the offline replay, its report printed.

``--data`` is a source of ``DATA_SOURCE`` (online_retail, completejourney, simulator); ``DATA_DIR`` says where
the files are.
"""

from __future__ import annotations

import argparse
import sys
import time

from ml.experiments.definition import parse_experiment
from ml.experiments.replay import ReplayPlan, replay
from ml.experiments.text import report_lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ml.experiments", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="action", required=True)
    run = sub.add_parser("replay", help="replay an experiment on a past log")
    run.add_argument("--data", default="online_retail", help="data source (default: online_retail)")
    run.add_argument("--arms", default="popular=50,model=50", help="arms and weights, control first")
    run.add_argument("--window-days", type=int, default=14)
    run.add_argument("--dates", type=int, default=4, help="exposure dates, --step-days apart")
    run.add_argument("--step-days", type=int, default=14)
    run.add_argument("--n", type=int, default=5, help="recommendations shown")
    args = parser.parse_args(argv)
    from ml.data import load_dataset  # heavy: after the arguments are read
    from ml.settings import MLSettings

    settings = MLSettings(data_source=args.data)
    started = time.perf_counter()
    dataset = load_dataset(settings)
    experiment = parse_experiment(f"replay:{args.arms}", args.window_days)
    plan = ReplayPlan(dates=args.dates, step_days=args.step_days, n=args.n)
    report, exposures = replay(dataset.transactions, experiment, plan)
    print(f"data: {dataset.name}, {len(dataset.transactions):,} lines; {len(exposures):,} exposures at "
          f"{exposures['at'].nunique()} dates ({exposures['at'].min():%Y-%m-%d} .. {exposures['at'].max():%Y-%m-%d})")
    print("\n".join(report_lines(report)))
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
