"""An experiment report as plain text lines (the command line; Slack and HTML render their own)."""

from __future__ import annotations

from ml.experiments.results import ExperimentReport


def report_lines(report: ExperimentReport) -> list[str]:
    lines = [f"experiment {report.name}: {report.customers:,} customers, purchase of a recommended product "
             f"within {report.window_days} days"]
    for arm in report.arms:
        lines.append(f"  {arm.name:<8} share {arm.share:4.0%}  customers {arm.customers:>6,}  converted "
                     f"{arm.conversions:>5,}  rate {arm.rate:6.2%}  95% CI [{arm.interval.low:.2%}, "
                     f"{arm.interval.high:.2%}]  spend/customer {arm.mean_basket_value:,.2f}")
    for c in report.comparisons:
        if c.test is None:
            lines.append(f"  {c.arm} vs {c.control}: not enough data")
            continue
        lines.append(f"  {c.arm} vs {c.control}: difference {c.test.difference:+.2%} (95% CI "
                     f"[{c.test.interval.low:+.2%}, {c.test.interval.high:+.2%}]), z = {c.test.z:.2f}, "
                     f"p = {c.test.p_value:.2g}{' (significant)' if c.significant else ''}")
        lines.append(f"  customers per arm for power 0.8 at alpha 0.05: {c.needed_observed or '-'} for the observed "
                     f"difference, {c.needed_minimum or '-'} for +{report.minimum_effect:.0%} points"
                     f" (still needed: {c.still_needed if c.still_needed is not None else '-'})")
    return lines
