"""``python -m tests.reliability``: runs every probe of this folder that has a ``main()``, and sums them up.

    python -m tests.reliability                    # every probe
    python -m tests.reliability burst replay       # some of them
    CADDIE_PROBE_MODEL_DIR=DIR python -m tests.reliability   # probes that take a model set use DIR

Each probe runs in its own process (``python -m tests.reliability.<name>``); its output is shown as it comes,
then a summary table: probe, exit status (0: its goal met), seconds.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def probes() -> list[str]:
    """Modules of this folder defining a top-level ``main`` function (helpers without one are skipped)."""
    found = []
    for path in sorted(HERE.glob("*.py")):
        if path.name.startswith("_"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(node, ast.FunctionDef) and node.name == "main" for node in tree.body):
            found.append(path.stem)
    return found


def main(argv: list[str] | None = None) -> int:
    wanted = list(sys.argv[1:] if argv is None else argv)
    names = [n for n in probes() if not wanted or n in wanted]
    unknown = sorted(set(wanted) - set(probes()))
    if unknown:
        print(f"unknown probe(s): {', '.join(unknown)}; probes: {', '.join(probes())}", file=sys.stderr)
        return 2
    results = []
    for name in names:
        print(f"\n=== {name} ===", flush=True)
        started = time.monotonic()
        status = subprocess.run([sys.executable, "-m", f"tests.reliability.{name}"], check=False).returncode
        results.append((name, status, time.monotonic() - started))
    print("\nprobe                   status  seconds")
    for name, status, seconds in results:
        verdict = "ok" if status == 0 else ("skipped" if status == 2 else f"FAILED ({status})")
        print(f"{name:<22}  {verdict:<7} {seconds:7.0f}")
    return 0 if all(status in (0, 2) for _, status, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
