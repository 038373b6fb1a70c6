"""The series the global model is fitted on: a stratified sample by store, department and sales velocity."""

from __future__ import annotations

import numpy as np
import pandas as pd

VELOCITY_BANDS = 3  # slow, medium, fast sellers (terciles of the mean daily quantity)


def series_stats(daily: pd.DataFrame, days: int) -> pd.DataFrame:
    """One row per series: store_id, product_id, velocity (mean quantity per day over ``days``)."""
    stats = daily.groupby(["store_id", "product_id"], as_index=False, observed=True)["quantity"].sum()
    return stats.assign(velocity=stats["quantity"] / max(days, 1)).drop(columns="quantity")


def stratified_sample(stats: pd.DataFrame, products: pd.DataFrame, size: int, seed: int = 0) -> pd.DataFrame:
    """``size`` series (all when there are fewer) drawn in proportion to each stratum
    (store x department x velocity band), at least one per stratum while the budget allows.

    Returns the sampled store_id, product_id pairs, sorted.
    """
    if size >= len(stats):
        return stats[["store_id", "product_id"]].sort_values(["store_id", "product_id"]).reset_index(drop=True)
    stats = stats.sort_values(["store_id", "product_id"]).reset_index(drop=True)  # engine-independent order
    department = products.assign(product_id=products["product_id"].astype(str)).set_index("product_id")["category"]
    frame = stats.assign(department=stats["product_id"].map(department).fillna("?"))
    bands = pd.qcut(frame["velocity"].rank(method="first"), VELOCITY_BANDS, labels=False)
    frame = frame.assign(stratum=frame["store_id"] + "|" + frame["department"] + "|" + bands.astype(str))
    counts = frame["stratum"].value_counts()
    quota = np.maximum(np.floor(counts * size / len(frame)), 1).astype(int)
    rng = np.random.default_rng(seed)
    order = frame.assign(draw=rng.random(len(frame))).sort_values(["stratum", "draw"])
    rank = order.groupby("stratum").cumcount()
    picked = order[rank < order["stratum"].map(quota)]
    if len(picked) > size:  # more strata than the budget: keep a random subset
        picked = picked.sample(size, random_state=seed)
    return picked[["store_id", "product_id"]].sort_values(["store_id", "product_id"]).reset_index(drop=True)
