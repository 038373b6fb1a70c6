"""Region and chain forecasts of a batch run: sums of the store forecasts, intervals computed for each sum.

The sums (region x product x day, chain x product x day: small) are computed by the engine from the scored
forecasts; the intervals on the driver, as :mod:`ml.models.hierarchy` does at training: the calibration
residuals and forecasts of a group's series are summed cell by cell and split-conformal quantiles of the
normalised sum bound the group's mean (never summed bounds). The batch's model was fitted on a sample, so
it has calibration cells only for the sampled series: a group's cells are the sum over *its sampled
members*, normalised by their summed forecast; a group without a sampled member pools the cells of every
sampled series. Both are an approximation of the full group's cells (the sum of a few members carries
less of the stores' shared error than the sum of all of them), documented, not hidden.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ml.models.hierarchy import group_bounds
from ml.precomputed import CHAIN_SCOPE
from ml.results import ScopeLevel

AGGREGATE_COLUMNS: tuple[str, ...] = ("level", "scope", "product_id", "date", "mean", "lower", "upper")


def aggregate_sums(engine, forecasts, regions: pd.DataFrame) -> pd.DataFrame:
    """[level, scope, product_id, date, mean]: per region (stores without one count in the chain only) and
    for the chain, summed by the engine (``regions``: store_id, region)."""
    regions = regions.dropna(subset=["region"]).astype({"store_id": str, "region": str})
    if engine.name == "spark":
        from pyspark.sql import functions as F

        by_region = (forecasts.join(engine.frame(regions), on="store_id", how="inner")
                     .groupBy("region", "product_id", "date").agg(F.sum("mean").alias("mean")))
        chain = forecasts.groupBy("product_id", "date").agg(F.sum("mean").alias("mean"))
        by_region, chain = engine.to_pandas(by_region), engine.to_pandas(chain)
    else:
        frame = forecasts.merge(regions, on="store_id", how="inner")
        by_region = frame.groupby(["region", "product_id", "date"], as_index=False)["mean"].sum()
        chain = forecasts.groupby(["product_id", "date"], as_index=False)["mean"].sum()
    parts = [by_region.rename(columns={"region": "scope"}).assign(level=ScopeLevel.REGION.value),
             chain.assign(level=ScopeLevel.CHAIN.value, scope=CHAIN_SCOPE)]
    out = pd.concat(parts, ignore_index=True).astype({"scope": str, "product_id": str})
    out["date"] = pd.to_datetime(out["date"])
    return out.sort_values(["level", "scope", "product_id", "date"]).reset_index(drop=True)[
        ["level", "scope", "product_id", "date", "mean"]]


def _members(model, regions: pd.DataFrame) -> dict[tuple[str, str, str], list[int]]:
    """(level, scope, product) -> rows of the model's sampled series in that group."""
    region_of = dict(zip(regions["store_id"].astype(str), regions["region"]))
    members: dict[tuple[str, str, str], list[int]] = {}
    for row, (store, product) in enumerate(model.series_):
        members.setdefault((ScopeLevel.CHAIN.value, CHAIN_SCOPE, str(product)), []).append(row)
        region = region_of.get(str(store))
        if region is not None and not pd.isna(region):
            members.setdefault((ScopeLevel.REGION.value, str(region), str(product)), []).append(row)
    return members


def with_bounds(model, sums: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """``sums`` (from :func:`aggregate_sums`) with lower and upper bounds at the model's level."""
    resid = model.calibration_residuals_.astype("float64")
    expected = model.calibration_expected_.astype("float64")
    cells = np.asarray(model.calibration_horizons_)
    pooled = (resid.ravel(), expected.ravel(), np.tile(cells, len(resid)))  # every sampled series' own cells
    members = _members(model, regions)
    horizons = ((sums["date"] - model.last_date_) // pd.Timedelta(days=1)).to_numpy()
    mean = sums["mean"].to_numpy(dtype="float64")
    lower, upper = np.empty(len(sums)), np.empty(len(sums))
    for group, at in sums.groupby(["level", "scope", "product_id"], sort=False).indices.items():
        rows = members.get(tuple(group))
        if rows:
            part = resid[rows]
            summed = np.where(np.isnan(part).all(axis=0), np.nan, np.nansum(part, axis=0))
            cell = (summed, expected[rows].sum(axis=0), cells)
        else:
            cell = pooled
        lower[at], upper[at] = group_bounds(*cell, mean[at], horizons[at], model.level)
    return sums.assign(lower=lower, upper=upper)[list(AGGREGATE_COLUMNS)]
