"""Reliability probe: trainings killed at random points never leave a mixed model set served.

    python -m tests.reliability.kill_training            # --kills 20 --seed 0

One complete training first (its duration sets the range of the kill delays), then ``--kills`` trainings
(``python -m ml.train --skip-eval`` on a small simulated chain) each killed with SIGKILL after a random delay
within that duration (times ``--spread``, 1.3 by default, so that some kills land in the last steps: sealing,
import, pointer switch, pruning, or just after the end). After each kill the served set is loaded as the bot would load it: the pointer must
name a sealed set whose every file matches its checksum, and ``Caddie.load`` must answer from it. Prints
"20 kills, 0 mixed sets served" (the figures measured) and where each kill landed.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SMALL = {"DATA_SOURCE": "simulator", "SIMULATOR_CUSTOMERS": "30", "SIMULATOR_DAYS": "120",
         "SIMULATOR_END": "2024-06-30", "FORECAST_MAX_SERIES": "30", "MODEL_SETS_KEEP": "3"}


def _env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATA_", "MODEL_", "SIMULATOR_", "DATABASE_"))}
    return {**env, **SMALL, "MODEL_DIR": str(root / "models"), "DATABASE_URL": f"sqlite:///{root / 'caddie.db'}",
            "PYTHONPATH": str(REPO)}


def _training(root: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ml.train", "--skip-eval"], cwd=root, env=_env(root),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def served_problem(model_dir: Path) -> str | None:
    """None when the served set is complete and verified and loads; else what is wrong (a mixed set)."""
    from ml import modelsets
    from ml.service import Caddie

    try:
        served = modelsets.resolve(model_dir)
        if served.card is None or served.fallback:
            return f"pointer does not name a good set ({served.fallback or 'no card'})"
        modelsets.verify(served.path)
        caddie = Caddie.load(model_dir)
        caddie.forecast_top(1)
        if caddie.has_customers:
            caddie.recommend(caddie.customers()[0], 1)
    except Exception as exc:  # noqa: BLE001 - any failure to serve is what this probe counts
        return f"{type(exc).__name__}: {exc}"
    return None


def run(kills: int, seed: int, spread: float = 1.3) -> tuple[int, int]:
    from ml import modelsets

    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="kill-training-") as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        if _training(root).wait() != 0:
            raise SystemExit("the first (unkilled) training failed")
        duration = time.perf_counter() - start
        print(f"one complete training: {duration:.1f} s; killing {kills} trainings within "
              f"{duration * spread:.1f} s")
        mixed, changed = 0, 0
        for i in range(kills):
            before = modelsets.pointed(root / "models")
            delay = rng.uniform(0.0, duration * spread)
            process = _training(root)
            time.sleep(delay)
            finished = process.poll() is not None
            if not finished:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            after = modelsets.pointed(root / "models")
            changed += after != before
            problem = served_problem(root / "models")
            mixed += problem is not None
            print(f"kill {i + 1:2d} at {delay:5.1f} s: {'finished first' if finished else 'killed'}, serving "
                  f"{'a new' if after != before else 'the previous'} set"
                  f"{'' if problem is None else ' -- MIXED: ' + problem}")
        sets = len(list((root / "models" / modelsets.SETS).iterdir()))
    print(f"{kills} kills, {mixed} mixed sets served ({changed} kills landed after the switch; {sets} set folders "
          f"left before pruning by the next training)")
    return kills, mixed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.reliability.kill_training", description=__doc__)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--spread", type=float, default=1.3, help="kill delays up to this times the duration")
    args = parser.parse_args(argv)
    _, mixed = run(args.kills, args.seed, args.spread)
    return 1 if mixed else 0


if __name__ == "__main__":
    sys.exit(main())
