"""FreshRetailNet-50K as a daily store x product frame, for the forecast evaluation.

FreshRetailNet-50K (Dingdong-Inc, CC BY 4.0; *FreshRetailNet-50K: A Stockout-Annotated
Censored Demand Dataset for Latent Demand Recovery and Forecasting in Fresh Retail*,
arXiv:2505.16319): 898 stores, 50,000 store x product series, 90 days. Sales are
normalised (not units): only scale-free metrics mean anything.

This thin reader builds the evaluation frame directly from ``frn50k_daily.csv.xz``; the
data helper's loader (``ml.data``) will replace it when merged.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ml.errors import DataFormatError

FRN_DIR = "freshretailnet50k"
FRN_DAILY_FILE = "frn50k_daily.csv.xz"
FRN_STORES_FILE = "frn50k_stores.csv"
FRAME_COLUMNS: tuple[str, ...] = ("store_id", "product_id", "date", "quantity", "promo", "discount",
                                  "stockout_hours")


def freshretail_daily(data_dir: str | Path) -> pd.DataFrame:
    """The daily frame ``FRAME_COLUMNS`` of every series (stock-out hours between 6 and 22 h)."""
    path = Path(data_dir) / FRN_DIR / FRN_DAILY_FILE
    if not path.exists():
        raise DataFormatError(f"FreshRetailNet-50K not found: {path}", path=str(path))
    raw = pd.read_csv(
        path, usecols=["store_id", "product_id", "dt", "sale_amount", "stock_hour6_22_cnt", "discount",
                       "activity_flag"],
        dtype={"store_id": "int32", "product_id": "int32", "sale_amount": "float64",
               "stock_hour6_22_cnt": "float64", "discount": "float64", "activity_flag": "float64"},
        parse_dates=["dt"],
    )
    return pd.DataFrame({
        "store_id": raw["store_id"].astype(str), "product_id": raw["product_id"].astype(str),
        "date": raw["dt"].astype("datetime64[ns]"), "quantity": raw["sale_amount"].clip(lower=0.0),
        "promo": raw["activity_flag"], "discount": raw["discount"], "stockout_hours": raw["stock_hour6_22_cnt"],
    })


def freshretail_regions(data_dir: str | Path) -> dict[str, str]:
    """Store id -> city id (FreshRetailNet's only location: 18 cities), the regions of the chain."""
    stores = pd.read_csv(Path(data_dir) / FRN_DIR / FRN_STORES_FILE, dtype=str)
    return dict(zip(stores["store_id"], "city " + stores["city_id"]))


def evaluate_freshretail(data_dir: str | Path, holdout_days: int = 14, max_series: int | None = None,
                         level: int = 80, autoets_series: int = 500, max_rows: int = 300_000) -> dict:
    """The forecast evaluation on FreshRetailNet-50K, its last ``holdout_days`` days held out.

    ``max_series`` evaluates a stratified sample of that many series (all 50,000 by default);
    AutoETS (one slow fit per series) runs on a stratified sample of ``autoets_series``, every other
    model and peer on every evaluated series (the median ensemble reuses its members' forecasts). No public holidays (Chinese data;
    the frame has no calendar of its own here). Regions of the chain are FRN's cities.
    """
    from ml.evaluation.forecast import evaluate_daily, stratified_series

    daily = freshretail_daily(data_dir)
    if max_series is not None:
        cut = daily["date"].max() - pd.Timedelta(days=holdout_days)
        keep = stratified_series(daily[daily["date"] <= cut], max_series)
        daily = daily[pd.MultiIndex.from_frame(daily[["store_id", "product_id"]]).isin(keep)]
    report = evaluate_daily(daily.reset_index(drop=True), holdout_days, level, country="",
                            slow={"AutoETS": autoets_series},
                            max_rows=max_rows, peers=True)
    report["setup"] = {"dataset": "FreshRetailNet-50K (CC BY 4.0, Dingdong-Inc, arXiv:2505.16319)",
                       "series_sample": max_series, **report["setup"]}
    return report
