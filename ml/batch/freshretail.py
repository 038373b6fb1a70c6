"""FreshRetailNet-50K in the batch's layout: ``python -m ml.batch.freshretail --out DIR [--data DATA_DIR]``.

Reads the FreshRetailNet-50K copy (Dingdong-Inc, CC BY 4.0, arXiv:2505.16319; see
:mod:`ml.data.freshretail`) and writes what ``python -m ml.batch --data DIR`` reads:

    DIR/sales/store_id=<id>/part.parquet   product_id, timestamp, quantity, price, discount, stockout_hours
    DIR/products.parquet                   product_id, name, category (management group), aliases, price

Every store x product x day of the data is written, days without a sale too (quantity 0), so the discount
and the stock-out hours of those days reach the scorer. There is no stock table (the data has none): the
orders are proposed from the forecasts alone. ``quantity`` is FreshRetailNet's normalised ``sale_amount``
(not units): judge forecasts with scale-free metrics. Write the output outside the repository (e.g. /tmp):
the data must not be copied into the project.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ml.data.freshretail import FRESHRETAIL_DIR, load_freshretailnet

SALES_SCHEMA = pa.schema([("product_id", pa.string()), ("timestamp", pa.timestamp("ns")), ("quantity", pa.float64()),
                          ("price", pa.float64()), ("discount", pa.float64()), ("stockout_hours", pa.float64())])


def freshretail_rows(data_dir: str | Path, stores: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(every store x product x day with its sales and signals, the products), from the loader."""
    dataset = load_freshretailnet(data_dir, stores=stores)
    sold = (dataset.transactions.assign(date=pd.to_datetime(dataset.transactions["timestamp"]).dt.normalize(),
                                        store_id=dataset.transactions["store_id"].astype(str))
            .groupby(["store_id", "product_id", "date"], as_index=False)["quantity"].sum())
    signals = dataset.signals.assign(store_id=dataset.signals["store_id"].astype(str))
    rows = signals.merge(sold, on=["store_id", "product_id", "date"], how="left")
    rows = rows.assign(quantity=rows["quantity"].fillna(0.0))
    return rows, dataset.products


def write_freshretail_layout(data_dir: str | Path, out: str | Path, stores: int | None = None) -> dict:
    """Write the batch layout under ``out``; returns counts (stores, series, rows, first and last day)."""
    out = Path(out)
    rows, products = freshretail_rows(data_dir, stores)
    for store, part in rows.groupby("store_id", sort=True):
        folder = out / "sales" / f"store_id={store}"
        folder.mkdir(parents=True, exist_ok=True)
        table = pa.table({"product_id": part["product_id"].astype(str).to_numpy(),
                          "timestamp": part["date"].to_numpy().astype("datetime64[ns]"),
                          "quantity": part["quantity"].to_numpy(dtype=float),
                          "price": np.full(len(part), np.nan),
                          "discount": part["discount"].to_numpy(dtype=float),
                          "stockout_hours": part["stockout_hours"].to_numpy(dtype=float)}, schema=SALES_SCHEMA)
        pq.write_table(table, folder / "part.parquet")
    columns = [c for c in ("product_id", "name", "category", "aliases") if c in products.columns]
    products[columns].assign(price=np.nan).to_parquet(out / "products.parquet", index=False)
    return {"stores": rows["store_id"].nunique(), "series": len(rows.drop_duplicates(["store_id", "product_id"])),
            "rows": len(rows), "first_day": rows["date"].min().date(), "last_day": rows["date"].max().date()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ml.batch.freshretail", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to write (outside the repository)")
    parser.add_argument("--data", type=Path, default=Path("../shared/data"),
                        help=f"folder holding {FRESHRETAIL_DIR}/ (default ../shared/data)")
    parser.add_argument("--stores", type=int, default=None, help="only the first N stores")
    args = parser.parse_args(argv)
    print(write_freshretail_layout(args.data / FRESHRETAIL_DIR, args.out, args.stores))
    return 0


if __name__ == "__main__":
    sys.exit(main())
