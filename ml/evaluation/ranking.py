"""Ranking metrics with binary relevance, for top-k recommendation lists.

Pure functions: ``recommended`` is an ordered list (best first), ``relevant`` the set of items that turned out
to be right (for recommendations: what the customer bought in the holdout window).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence, Set

__all__ = ["recall_at_k", "precision_at_k", "ndcg_at_k", "hit_rate_at_k"]


def _check(k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")


def recall_at_k(recommended: Sequence[Hashable], relevant: Set[Hashable], k: int) -> float:
    """Share of the relevant items found in the first ``k`` recommendations (0.0 when nothing is relevant)."""
    _check(k)
    if not relevant:
        return 0.0
    hits = len(set(recommended[:k]) & set(relevant))
    return hits / len(relevant)


def precision_at_k(recommended: Sequence[Hashable], relevant: Set[Hashable], k: int) -> float:
    """Share of the first ``k`` slots holding a relevant item (missing slots count as misses)."""
    _check(k)
    return len(set(recommended[:k]) & set(relevant)) / k


def hit_rate_at_k(recommended: Sequence[Hashable], relevant: Set[Hashable], k: int) -> float:
    """1.0 when at least one of the first ``k`` recommendations is relevant, else 0.0."""
    _check(k)
    return float(any(item in relevant for item in recommended[:k]))


def ndcg_at_k(recommended: Sequence[Hashable], relevant: Set[Hashable], k: int) -> float:
    """Normalised discounted cumulative gain with binary gains.

    DCG = sum over positions p = 1..k holding a relevant item of 1 / log2(p + 1); divided by the DCG of an
    ideal list (all relevant items first, at most k of them). A repeated item counts once, at its first position.
    """
    _check(k)
    if not relevant:
        return 0.0
    seen: set[Hashable] = set()
    dcg = 0.0
    for position, item in enumerate(recommended[:k], start=1):
        if item in relevant and item not in seen:
            dcg += 1.0 / math.log2(position + 1)
        seen.add(item)
    ideal = sum(1.0 / math.log2(p + 1) for p in range(1, min(k, len(relevant)) + 1))
    return dcg / ideal
