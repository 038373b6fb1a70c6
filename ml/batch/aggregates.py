"""Region and chain forecasts of a batch run: sums of the store forecasts, intervals computed for each sum.

The sums (region x product x day, chain x product x day: small) are accumulated on the driver from the scored
chunks as the engine yields them (every row passes there on its way to the database); the intervals too, as :mod:`ml.models.hierarchy` does at training: the calibration
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
COLLAPSE_EVERY = 64  # chunk sums held before they are summed into one frame


class AggregateSums:
    """Region and chain sums of the store forecasts, accumulated chunk by chunk as the engine yields them.

    A chunk holds whole stores' forecasts; the sums (region x product x day, chain x product x day) are small,
    so they stay on the driver whatever the engine (``regions``: store_id, region; stores without a region
    count in the chain only).
    """

    def __init__(self, regions: pd.DataFrame):
        regions = regions.dropna(subset=["region"]).astype({"store_id": str, "region": str})
        self._region_of = dict(zip(regions["store_id"], regions["region"]))
        self._parts: list[pd.DataFrame] = []

    def add(self, forecasts: pd.DataFrame) -> None:
        region = forecasts["store_id"].astype(str).map(self._region_of)
        by_region = (forecasts.assign(scope=region).dropna(subset=["scope"])
                     .groupby(["scope", "product_id", "date"], as_index=False)["mean"].sum())
        chain = forecasts.groupby(["product_id", "date"], as_index=False)["mean"].sum()
        self._parts += [by_region.assign(level=ScopeLevel.REGION.value),
                        chain.assign(level=ScopeLevel.CHAIN.value, scope=CHAIN_SCOPE)]
        if len(self._parts) >= COLLAPSE_EVERY:  # memory bounded by (regions + 1) x products x days
            self._parts = [self._collapsed()]

    def _collapsed(self) -> pd.DataFrame:
        return (pd.concat(self._parts, ignore_index=True).astype({"scope": str, "product_id": str})
                .groupby(["level", "scope", "product_id", "date"], as_index=False)["mean"].sum())

    def frame(self) -> pd.DataFrame:
        """[level, scope, product_id, date, mean], sorted."""
        columns = ["level", "scope", "product_id", "date", "mean"]
        if not self._parts:
            return pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c == "date" else float if c == "mean"
                                              else str) for c in columns})
        out = self._collapsed()
        out["date"] = pd.to_datetime(out["date"])
        return out.sort_values(columns[:4]).reset_index(drop=True)[columns]


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
    """``sums`` (from :meth:`AggregateSums.frame`) with lower and upper bounds at the model's level."""
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
