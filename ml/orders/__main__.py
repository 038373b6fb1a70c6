"""Command line of the order tools.

    python -m ml.orders import-stock FILE [--database-url URL] [--dataset NAME]
    python -m ml.orders backtest --data simulator|freshretailnet [--series N] [--holdout-days D] ...
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ml.errors import CaddieError


def _import_stock(args: argparse.Namespace) -> int:
    from ml.orders.stock import import_stock
    from ml.settings import MLSettings

    url = args.database_url or MLSettings().database_url
    rows = import_stock(args.file, url, dataset=args.dataset)
    print(f"imported the stock of {rows} store x product rows from {args.file}")
    return 0


def _backtest(args: argparse.Namespace) -> int:
    from ml.evaluation.orders import backtest_orders, markdown_table, tune_correlation
    from ml.orders.runs import RefitProvider, freshretailnet_data, simulator_data

    started = time.perf_counter()
    if args.data == "simulator":
        data = simulator_data(holdout_days=args.holdout_days, seed=args.seed)
        horizon, country = 21, "FR"
    else:
        data = freshretailnet_data(Path(args.data_dir), n_series=args.series, holdout_days=args.holdout_days,
                                   seed=args.seed, fewest_stockouts=args.fewest_stockouts)
        horizon, country = 14, None
    def make_provider(actual, start):
        return RefitProvider(actual, start, horizon=horizon, refit_every=args.refit_every, country=country)

    print(f"{data.name}; holdout {args.holdout_days} days from {data.start.date()}; "
          f"forecaster refitted every {args.refit_every} days")
    print(f"note: {data.note}")
    rho = args.rho
    if rho is None:
        choice = tune_correlation(data.actual, data.start, make_provider, data.parameters,
                                  validation_days=args.holdout_days)
        rho = choice.rho
        print(f"\nrho tuned on the {args.holdout_days} days from {choice.validation_start.date()} (before the "
              f"holdout), caddie's policy:")
        print(choice.table[["fill_rate", "waste_rate", "stock_days", "period_coverage"]].round(4).to_string())
    print(f"rho = {rho}")
    result = backtest_orders(data.actual, data.start, make_provider(data.actual, data.start), data.parameters,
                             rho=rho)
    print(f"target service level (mean over series): {result.target_service_level:.1%}\n")
    print(markdown_table(result.table))
    if data.categories.nunique() > 1:
        groups = result.series.keys["product_id"].map(data.categories)
        for category, table in result.by(groups).groupby("group", sort=True):
            print(f"\n{category} ({int(table['series'].iat[0])} series)")
            print(markdown_table(table.set_index("policy")))
    print(f"\n({time.perf_counter() - started:.0f} s)")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m ml.orders", description=__doc__.splitlines()[0])
    commands = root.add_subparsers(dest="command", required=True)
    stock = commands.add_parser("import-stock", help="replace the stock snapshot with a CSV, all or nothing")
    stock.add_argument("file")
    stock.add_argument("--database-url", default=None, help="default: DATABASE_URL")
    stock.add_argument("--dataset", default=None, help="the stored dataset it belongs to (default: the latest)")
    bt = commands.add_parser("backtest", help="replay a holdout with caddie's and two naive order policies")
    bt.add_argument("--data", choices=("simulator", "freshretailnet"), default="simulator")
    bt.add_argument("--data-dir", default="../shared/data")
    bt.add_argument("--series", type=int, default=1000, help="FreshRetailNet series sampled (default 1000)")
    bt.add_argument("--fewest-stockouts", action="store_true",
                    help="FreshRetailNet: the series with the fewest stock-out days instead of a random sample")
    bt.add_argument("--holdout-days", type=int, default=28)
    bt.add_argument("--refit-every", type=int, default=7)
    bt.add_argument("--rho", type=float, default=None,
                    help="correlation of daily forecast errors in a period (default: tuned on the window before)")
    bt.add_argument("--seed", type=int, default=None)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if getattr(args, "seed", 0) is None:
        args.seed = 7 if args.data == "simulator" else 0
    try:
        return _import_stock(args) if args.command == "import-stock" else _backtest(args)
    except CaddieError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
