"""Command line: write a simulated chain to disk.

    python -m ml.data.simulator --stores 1000 --products 10000 --days 730 --out DIR
        a sales log of any size as partitioned Parquet (DIR/sales/store_id=.../part.parquet, plus
        stores, products, promotions and stock), store by store (--jobs N: in N processes, same files);
        prints rows, rows/s and peak memory (of the largest process)
    python -m ml.data.simulator --customers 400 --days 365 --csv --out DIR
        the default simulated chain (``simulate``) as CSV: transactions, stores, stock, signals
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from ml.data.simulator import (
    DEFAULT_STORES,
    simulate,
    write_signals_csv,
    write_stock_csv,
    write_stores_csv,
    write_transactions_csv,
)
from ml.data.simulator.scale import peak_rss_mb, write_scale_chain


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ml.data.simulator", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, type=Path, help="output folder")
    parser.add_argument("--stores", type=int, default=DEFAULT_STORES)
    parser.add_argument("--products", type=int, default=63, help="Parquet mode: products (63 = the catalogue)")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--end", type=date.fromisoformat, default=None, help="last day, YYYY-MM-DD (default yesterday)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=1, help="Parquet mode: processes (stores are spread over them)")
    parser.add_argument("--csv", action="store_true", help="write simulate()'s dataset as CSV files instead")
    parser.add_argument("--customers", type=int, default=400, help="CSV mode: loyalty customers")
    parser.add_argument("--anonymous", action="store_true", help="CSV mode: add the anonymous sales")
    return parser


def _write_csv(args: argparse.Namespace, end: date) -> None:
    started = time.perf_counter()
    dataset = simulate(args.customers, args.days, end=end, seed=args.seed, n_stores=args.stores,
                       anonymous=args.anonymous)
    for name, write in (("transactions", write_transactions_csv), ("stores", write_stores_csv),
                        ("stock", write_stock_csv), ("signals", write_signals_csv)):
        write(dataset, args.out / f"{name}.csv")
    print(f"{len(dataset.transactions):,} transactions, {len(dataset.stores)} stores, {len(dataset.stock):,} stock "
          f"lines, {len(dataset.signals):,} signals -> {args.out} in {time.perf_counter() - started:.1f} s")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if min(args.stores, args.products, args.days, args.customers, args.jobs) < 1:
        print("--stores, --products, --days, --customers and --jobs must be positive", file=sys.stderr)
        return 2
    end = args.end or date.today() - timedelta(days=1)
    if args.csv:
        _write_csv(args, end)
        return 0

    def progress(stores: int, rows: int) -> None:
        if stores % max(1, args.stores // 10) == 0 or stores == args.stores:
            print(f"  {stores}/{args.stores} stores, {rows:,} rows, peak {peak_rss_mb():.0f} MB", file=sys.stderr)

    report = write_scale_chain(args.out, args.stores, args.products, args.days, end, seed=args.seed,
                               jobs=args.jobs, progress=progress)
    print(f"{report.stores} stores x {report.products} products x {report.days} days: {report.rows:,} sales rows "
          f"in {report.seconds:.1f} s ({report.rows_per_second:,.0f} rows/s), peak memory {report.peak_rss_mb:.0f} MB "
          f"-> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
