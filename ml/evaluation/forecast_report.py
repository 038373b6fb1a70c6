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


_HEADLINE = (("MASE", "MASE (median)"), ("WAPE", "WAPE (median)"), ("RMSSE", "RMSSE (mean)"), ("SPL", "SPL"),
             ("coverage_error", "coverage error"), ("fit_seconds", "fit s"))


def _rows(block: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    sampled = block.get("setup", {}).get("sampled") or {}
    model = block["model"]
    rows = [(model["name"], model), *block.get("baselines", {}).items()]
    return [(name + (f" (sample of {sampled[name]})" if name in sampled else ""), values) for name, values in rows]


def headline_markdown(block: dict[str, Any]) -> list[str]:
    """Store x product, stock-out-free days: a row per model (the model first), the distribution metrics."""
    lines = ["| model | " + " | ".join(title for _, title in _HEADLINE) + " |", "|---|" + "---:|" * len(_HEADLINE)]
    for name, values in _rows(block):
        lines.append(f"| {name} | " + " | ".join(_cell(values.get(key)) for key, _ in _HEADLINE) + " |")
    return lines + [""]


def bands_markdown(block: dict[str, Any]) -> list[str]:
    """Per horizon band (days ahead), MASE on the median / SPL of each model, store x product."""
    bands = list(block["model"].get("bands", {}))
    if not bands:
        return []
    lines = ["MASE (median) / SPL per horizon band (days ahead), store x product:", "",
             "| model | " + " | ".join(bands) + " |", "|---|" + "---:|" * len(bands)]
    for name, values in _rows(block):
        cells = [values.get("bands", {}).get(b) for b in bands]
        lines.append(f"| {name} | " + " | ".join(
            "" if c is None else f"{c['MASE']:.3f} / {c['SPL']:.3f}" for c in cells) + " |")
    return lines + [""]


def windows_markdown(result: dict[str, Any]) -> list[str]:
    """A backtest's forecast windows: each window's headline table and horizon bands."""
    lines: list[str] = []
    for window in result.get("windows", []):
        block = window.get("forecast")
        if block:
            lines += [f"**forecast, window ending {window['end']}** (store x product, stock-out-free days)", "",
                      *headline_markdown(block), *bands_markdown(block)]
    return lines
