"""Fresh models every day without a restart: retrain on the latest data, then swap them in.

The refresh retrains on the data the served model set was trained on (its card records the source: a set
trained with ``ml.train --data FILE`` is refreshed from that file, not from DATA_SOURCE's default); see
:func:`retrain_served`.

The bot holds a :class:`LiveCaddie`, a :class:`CaddieProvider`: listeners and the scheduler ask it for the
:meth:`~CaddieProvider.current` :class:`ml.service.Caddie` each time they answer. A refresh trains and loads
the new models off to the side and swaps them in with one assignment; if anything fails, the bot keeps
answering with the models it has, and the failure is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ml.service import Caddie
    from ml.settings import MLSettings

log = logging.getLogger(__name__)


class CaddieProvider(Protocol):
    """Where the bot gets the service answering now (it changes when the models are refreshed)."""

    def current(self) -> Caddie: ...


class FixedCaddie:
    """Always the same service (the console, tests)."""

    def __init__(self, caddie: Caddie):
        self._caddie = caddie

    def current(self) -> Caddie:
        return self._caddie


class LiveCaddie:
    """The current :class:`~ml.service.Caddie`; :meth:`swap` replaces it (one assignment, atomic for readers)."""

    def __init__(self, caddie: Caddie):
        self._current = caddie

    def current(self) -> Caddie:
        return self._current

    def swap(self, caddie: Caddie) -> None:
        self._current = caddie


def refresh_models(live: LiveCaddie, train: Callable[[], Path], load: Callable[[Path], Caddie]) -> bool:
    """``train()`` (returns the model folder), ``load`` it and swap it into ``live``. True when swapped."""
    before = live.current().as_of
    try:
        fresh = load(train())
    except Exception as exc:  # noqa: BLE001 - a scheduler thread has nobody to raise to; old models keep serving
        log.error("model refresh failed, still answering with data up to %s: %s", before, exc, exc_info=exc)
        return False
    live.swap(fresh)
    log.info("models refreshed: data up to %s (was %s)", fresh.as_of, before)
    return True


def retrain_served(settings: MLSettings) -> Path:
    """Train a new model set on the served set's recorded data source (``settings`` otherwise: the first
    training, or a flat folder); returns the model folder to load."""
    from ml.train import served_source_settings, train_all

    source = served_source_settings(settings)
    log.info("model refresh: retraining on %s", source.data_source)
    return train_all(source).model_dir
