"""Markdown tables of the per-level forecast evaluation (``levels`` block of ``evaluate_forecast``)."""

from __future__ import annotations

from typing import Any

LEVEL_TITLES = {"store_product": "store x product", "store": "store", "chain_product": "chain x product"}
_COLUMNS = ("MASE", "WAPE", "coverage", "interval_width")


def _cell(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else ("" if value is None else str(value))


def levels_markdown(block: dict[str, Any]) -> list[str]:
    """One table per level: a row per model, MASE/WAPE on stock-out-free and all days, coverage, width."""
    lines: list[str] = []
    setup = block.get("setup", {})
    sampled = setup.get("sampled") or {}
    for name, entry in block.get("levels", {}).items():
        title = f"{LEVEL_TITLES.get(name, name)} (M5 level {entry['m5_level']})"
        lines += [f"*{title}*", "",
                  "| model | MASE (no stock-out) | WAPE (no stock-out) | MASE (all days) | WAPE (all days) "
                  "| coverage | interval width |", "|---|---:|---:|---:|---:|---:|---:|"]
        for model, scores in entry["models"].items():
            clean, every = scores.get("stockout_free", {}), scores.get("all", {})
            label = model + (f" (sample of {sampled[model]} series)" if model in sampled else "")
            lines.append("| " + " | ".join([label, *(_cell(clean.get(m)) for m in ("MASE", "WAPE")),
                                            *(_cell(every.get(m)) for m in ("MASE", "WAPE")),
                                            _cell(every.get("coverage")), _cell(every.get("interval_width"))])
                         + " |")
        if entry.get("versus"):
            lines += ["", "Model minus baseline, MASE per group on stock-out-free days, 95 % paired bootstrap:"]
            for base, comparison in entry["versus"].items():
                c = comparison["MASE"]
                lines.append(f"- vs {base}: {c['diff']:+.3f} [{c['low']:+.3f}, {c['high']:+.3f}]")
        lines.append("")
    return lines
