"""Settings of the ml package, read from the environment (and a ``.env`` file)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class MLSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True)

    # "simulator" (default), "online_retail", "completejourney", or a path to a CSV/Parquet file
    data_source: str = "simulator"
    # folder holding the public datasets (online_retail.csv.xz, completejourney_*.csv.gz)
    data_dir: Path = Path("../shared/data")
    # column mapping for a custom file, "canonical=source" pairs, e.g. "customer_id=Client,product_id=EAN"
    data_columns: str = ""
    database_url: str = "sqlite:///var/caddie.db"
    model_dir: Path = Path("models")
    # the simulator's size (customers) and history length (days); it ends yesterday unless SIMULATOR_END is set
    simulator_customers: int = 400
    simulator_days: int = 365
    simulator_seed: int = 7
    simulator_end: str | None = None
    forecast_horizon_days: int = 14
    # at most this many store x product series are forecast (the biggest sellers first); 100 stores x 2,000
    # products is 200,000
    forecast_max_series: int = 20000
    propensity_horizon_days: int = 14
