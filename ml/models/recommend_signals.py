"""Signals of :class:`ml.models.recommend.Recommender` that none of its peers uses.

* :func:`cycle_due`: repeat-cycle timing. A customer who bought a product on several days has a cycle (mean
  days between those days); the product is *due* when the next purchase the cycle predicts falls within the
  coming ``horizon_days``: the customer who buys milk every 7 days is due on day 7, the one who bought a
  freezer a year ago is not. Overdue products fade out as the customer seems to have stopped.
* :func:`basket_matrix`: the basket x product matrix, so that complements are measured by what is bought
  *together in a basket* (pasta with tomato sauce) rather than by the same customers at any time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = ["cycle_due", "basket_matrix"]


def cycle_due(lines: pd.DataFrame, as_of: pd.Timestamp, shape: tuple[int, int], horizon_days: float,
              lapse_cycles: float) -> sp.csr_matrix:
    """Customer x product score in [0, 1]: how strongly the product's repeat cycle says "due soon".

    For a pair bought on ``n >= 2`` distinct days, ``cycle = (last - first) / (n - 1)`` days and ``d`` the days
    since the last purchase (1 = bought on ``as_of``). The next purchase is expected ``wait = cycle - d`` days
    after ``as_of``, or at once when overdue. The score is ``rate * timing`` with

    * ``rate = min(1, horizon_days / cycle)``: a short cycle means purchases within any window;
    * ``timing`` = 1 when ``0 <= wait <= horizon_days``; ``exp(-(wait - horizon_days) / cycle)`` when the next
      purchase lies beyond the window; ``exp(wait / (lapse_cycles * cycle))`` when overdue (``wait < 0``).

    Pairs bought on a single day have no cycle and score 0 (the personal term still covers them).
    """
    days = lines[["row", "col", "day"]].drop_duplicates()
    per_pair = days.groupby(["row", "col"], sort=True)["day"].agg(["min", "max", "size"])
    per_pair = per_pair[per_pair["size"] >= 2]
    if per_pair.empty:
        return sp.csr_matrix(shape)
    span = (per_pair["max"] - per_pair["min"]).dt.days.to_numpy(np.float64)
    cycle = np.maximum(span / (per_pair["size"].to_numpy(np.float64) - 1.0), 1.0)
    since = (as_of - per_pair["max"]).dt.days.to_numpy(np.float64) + 1.0
    wait = cycle - since
    timing = np.where(wait < 0, np.exp(wait / (max(lapse_cycles, 1e-9) * cycle)),
                      np.where(wait <= horizon_days, 1.0, np.exp(-(wait - horizon_days) / cycle)))
    score = np.minimum(1.0, horizon_days / cycle) * timing
    rows = per_pair.index.get_level_values(0).to_numpy()
    cols = per_pair.index.get_level_values(1).to_numpy()
    return sp.csr_matrix((score, (rows, cols)), shape=shape)


def basket_matrix(lines: pd.DataFrame, n_products: int) -> sp.csr_matrix:
    """Binary basket x product matrix of ``lines`` (one row per distinct basket)."""
    codes, _ = pd.factorize(lines["basket"])
    return sp.csr_matrix((np.ones(len(lines)), (codes, lines["col"].to_numpy())),
                         shape=(int(codes.max()) + 1 if len(codes) else 0, n_products))
