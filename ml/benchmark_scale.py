"""``python -m ml.benchmark scale``: the nightly batch's speed and memory, local engine and Spark, in one run.

For each size a chain of ``size / products`` stores x ``products`` products is written by the scale simulator
(``--days`` days); the global model is fitted once on a stratified sample of the smallest chain; then each
(size, engine) runs the whole batch in a fresh child process with that model: summary pass (series totals,
chain totals), scoring of every series (forecasts and orders), and every result chunk read back (the rows the
database would receive; no database write). A fresh process per measurement gives each its own peak memory:

- driver: peak RSS of the child process (for the local engine, everything);
- per worker: the peak RSS each scoring task recorded in its Python worker (one row per store in the results);
- whole tree: the peak RSS (VmHWM) of every process the child started (the JVM, Spark's Python workers).

Printed: series per second (wall, and per core used), the memory figures, and the cores a 10 M-series night
needs to score inside a 2-hour window at the measured rate.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import joblib
import pandas as pd

from ml.batch.engine import make_engine
from ml.batch.job import BatchConfig, run_batch
from ml.batch.scoring import peak_rss_mb
from ml.data.simulator.scale import write_scale_chain

END = date(2025, 6, 30)
NIGHT_SERIES = 10_000_000
WINDOW_HOURS = 2.0


def _config(data: Path, sample: int = 2000) -> BatchConfig:
    return BatchConfig(day=END + timedelta(days=1), data=Path(data), history_days=91, horizon=14, sample_size=sample)


def _descendants(root: int) -> list[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [], [root]
    while frontier:
        children = [p for p, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (all its threads) so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _hwm_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def measure(engine_name: str, data: Path, model_path: Path) -> dict:
    """One batch run (in this process) with the saved model; the figures as a dict."""
    model = joblib.load(model_path)
    opened = time.perf_counter()
    engine = make_engine(engine_name)
    session_s = time.perf_counter() - opened
    tree = [os.getpid(), *_descendants(os.getpid())]
    cpu_before = sum(_cpu_s(pid) for pid in tree)
    started = time.perf_counter()
    result = run_batch(engine, _config(data), model=model)
    n_forecasts = n_series = 0
    for forecasts, orders in result.chunks():
        n_forecasts += len(forecasts)
        n_series += len(orders)
    seconds = time.perf_counter() - started
    workers = result.worker_stats()
    children = {pid: _hwm_mb(pid) for pid in _descendants(os.getpid())}
    cpu = _cpu_s(os.getpid()) + sum(_cpu_s(pid) for pid in children) - cpu_before
    return {"engine": engine_name, "series": n_series, "forecast_rows": n_forecasts, "seconds": seconds,
            "session_start_s": session_s, "summary_s": result.timings["summary_s"],
            "score_s": result.timings["score_setup_s"],
            "cpu_s": cpu, "driver_peak_mb": peak_rss_mb(), "worker_peak_mb": float(workers["peak_rss_mb"].max()),
            "workers": len(workers), "children_peak_mb": sorted(children.values(), reverse=True)[:6],
            "stores": int(workers["stores"].sum())}


def _child(engine: str, data: Path, model: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[1]),
                                                        os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-m", "ml.benchmark_scale", engine, str(data), str(model)],
                         capture_output=True, text=True, env=env, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{engine} on {data} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(sizes: list[int], engines: list[str], products: int = 1000, days: int = 120, sample: int = 2000,
        spark_cores: int = 2) -> pd.DataFrame:
    rows = []
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        model_path = Path(tmp) / "model.joblib"
        for size in sizes:
            data = Path(tmp) / f"chain{size}"
            written = time.perf_counter()
            write_scale_chain(data, max(1, size // products), products, days, END, seed=5)
            print(f"chain of {size} series written in {time.perf_counter() - written:.0f} s", flush=True)
            if not model_path.exists():
                fitted = time.perf_counter()
                model = run_batch(make_engine("local"), _config(data, sample)).scorer.model
                joblib.dump(model, model_path)
                print(f"model fitted on a stratified sample of {sample} series in "
                      f"{time.perf_counter() - fitted:.1f} s", flush=True)
            for name in engines:
                figures = _child(name, data, model_path)
                cores = spark_cores if name == "spark" else 1
                rows.append({"engine": "local" if name == "local" else f"spark local[{cores}]",
                             "series": figures["series"], "seconds": round(figures["seconds"], 1),
                             "series/s": round(figures["series"] / figures["seconds"]),
                             "series/s/core": round(figures["series"] / figures["seconds"] / cores),
                             "CPU s": round(figures["cpu_s"], 1),
                             "series/CPU s": round(figures["series"] / figures["cpu_s"]),
                             "driver peak MB": round(figures["driver_peak_mb"]),
                             "worker peak MB": round(figures["worker_peak_mb"]),
                             "other processes' peak MB": [round(m) for m in figures["children_peak_mb"]],
                             "session start s": round(figures["session_start_s"], 1),
                             "summary s": round(figures["summary_s"], 1), "scoring s": round(figures["score_s"], 1)})
                print(rows[-1], flush=True)
            _remove(data)
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
    for name, group in table.groupby("engine"):
        best = group.loc[group["series"].idxmax()]
        per_core = best["series/CPU s"]  # a core of one's own: the CPU each series costs, load-independent
        cores = NIGHT_SERIES / (per_core * WINDOW_HOURS * 3600)
        print(f"10 M series in {WINDOW_HOURS:.0f} h at {per_core} series per CPU-second ({name}, "
              f"{best['series']} series): {cores:.1f} cores ({os.cpu_count()} cores on this machine, shared)")
    return table


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":  # a child: python -m ml.benchmark_scale ENGINE DATA MODEL
    import logging

    logging.disable(logging.WARNING)
    print(json.dumps(measure(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))))
