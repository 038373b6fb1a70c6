"""The models' technical figures (MASE, WAPE, recall@10, NDCG, ROC AUC, Brier...), for the dashboard.

The App Home tab tells store teams how good the models are in plain words (:mod:`bot.home_rendering`); the
figures themselves, with each baseline's, are for the people who build and watch the models: one row per
(model or baseline, metric), ready for a table or a chart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from ml.results import ModelCard


@dataclass(frozen=True, slots=True)
class TechnicalFigure:
    task: str  # forecast | recommend | propensity
    model: str  # the model's or the baseline's name
    metric: str  # e.g. "MASE", "recall@10"
    value: float
    higher_is_better: bool
    is_baseline: bool
    trained_at: datetime
    data_name: str
    data_start: date
    data_end: date


def technical_figures(cards: Iterable[ModelCard]) -> list[TechnicalFigure]:
    """Every holdout figure of every model card: the model's first, then each baseline's, in card order."""
    rows = []
    for card in cards:
        common = (card.trained_at, card.data_name, card.data_start, card.data_end)
        for name, metrics, baseline in [(card.model, card.metrics, False),
                                        *((n, m, True) for n, m in card.baselines.items())]:
            rows += [TechnicalFigure(card.task, name, m.name, m.value, m.higher_is_better, baseline, *common)
                     for m in metrics]
    return rows
