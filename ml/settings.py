"""Settings of the ml package, read from the environment (and a ``.env`` file)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class MLSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True)

    # "simulator" (default), "online_retail", "completejourney", "freshretailnet", or a path to a CSV/Parquet file
    data_source: str = "simulator"
    # folder holding the public datasets (online_retail.csv.xz, completejourney_*.csv.gz)
    data_dir: Path = Path("../shared/data")
    # column mapping for a custom file, "canonical=source" pairs, e.g. "customer_id=Client,product_id=EAN"
    data_columns: str = ""
    # a stores table (CSV: store_id, name, city, region, format, zone) and its column mapping, like DATA_COLUMNS
    stores_file: Path | None = None
    stores_columns: str = ""
    # plausible data: larger quantities or unit prices, older or later dates are refused with row and column
    max_quantity: float = 100_000.0
    max_price: float = 100_000.0
    min_date: date = date(1990, 1, 1)
    max_future_days: int = 2  # days after the real today a sale may be dated (clock skew, time zones)
    # exact duplicate rows of an imported file: "drop" them (counted in the log) or "refuse" the file
    duplicate_rows: Literal["drop", "refuse"] = "drop"
    # caps on one imported file: rows, and bytes once decompressed (a small .gz may expand a thousandfold)
    max_rows: int = 20_000_000
    max_file_bytes: int = 2_000_000_000
    database_url: str = "sqlite:///var/caddie.db"
    model_dir: Path = Path("models")
    # where the service reads forecasts: auto (the database's latest run of the served data when it has one,
    # else the model set's files), database (that run, or refuse to start), model_set (the files, always)
    forecasts_source: Literal["auto", "database", "model_set"] = "auto"
    # model sets kept in MODEL_DIR/sets besides the served one (older ones are deleted after each training)
    model_sets_keep: int = Field(default=5, ge=1)
    # the simulator's size (customers) and history length (days); it ends yesterday unless SIMULATOR_END is set
    simulator_customers: int = 400
    simulator_days: int = 365
    simulator_seed: int = 7
    simulator_end: str | None = None
    # days ahead the forecasts reach, 1..56 (8 weeks: on 25 November, Christmas Eve is 29 days ahead; the model
    # is trained for max(28, this) days)
    forecast_horizon_days: int = Field(default=56, ge=1, le=56)
    # at most this many store x product series are forecast (the biggest sellers first); 100 stores x 2,000
    # products is 200,000
    forecast_max_series: int = 20000
    # nightly batch (python -m ml.batch): the global model is fitted on a stratified sample of this many series
    batch_sample_series: int = 5000
    # CSV of order parameters per category or product (ml.orders.params); empty: built-in category defaults
    order_parameters_file: Path | None = None
    propensity_horizon_days: int = 14
