"""How many real product names the date reader would take (partly) for a date.

    python -m tests.reliability.names_as_dates [--data /work/shared/data]

Reads the product names of UCI Online Retail and the product types and categories (with and without package
size) of the Complete Journey sample, runs :func:`bot.dates.split_date` on each, and prints
``N names, K read as holding a date`` with the names concerned. Needs the real data (CADDIE_SHARED_DATA).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from bot.dates import split_date
from bot.errors import BadDate
from tests.conftest import shared_data_dir


def names(data: Path) -> list[str]:
    import pandas as pd

    retail = pd.read_csv(data / "online_retail.csv.xz", usecols=["Description"])["Description"]
    cj = pd.read_csv(data / "completejourney_products.csv.gz")
    sized = cj["product_type"].astype(str) + " " + cj["package_size"].astype(str)
    return sorted({str(x) for x in pd.concat([retail, cj["product_type"], cj["product_category"], sized]).dropna()})


def read_as_date(name: str, today: date) -> str | None:
    """The date phrase found in ``name`` (or the problem raised), None when the name is left whole."""
    try:
        split = split_date(name.split(), today)
    except BadDate as exc:
        return f"{exc.hint}: {exc.text}"
    return split.phrase or None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=shared_data_dir())
    args = parser.parse_args(argv)
    if not (args.data / "online_retail.csv.xz").exists():
        print(f"real data not found in {args.data}")
        return 2
    all_names = names(args.data)
    found = [(n, p) for n in all_names if (p := read_as_date(n, date(2011, 12, 10))) is not None]
    print(f"{len(all_names)} names, {len(found)} read as holding a date")
    for name, phrase in found:
        print(f"  {name!r}: {phrase}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
