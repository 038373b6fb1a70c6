"""Fresh models every day without a restart: retrain on the latest data, then swap them in.

The bot holds a :class:`LiveCaddie`; listeners, the console and the scheduler use it as the
:class:`ml.service.Caddie` it forwards to. A refresh trains and loads the new models off to the
side and swaps them in with one assignment; if anything fails, the bot keeps answering with the
models it has, and the failure is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ml.service import Caddie

log = logging.getLogger(__name__)


class LiveCaddie:
    """Forwards every attribute to the current :class:`~ml.service.Caddie`; :meth:`swap` replaces it."""

    def __init__(self, caddie: Caddie):
        self._current = caddie

    @property
    def current(self) -> Caddie:
        return self._current

    def swap(self, caddie: Caddie) -> None:
        self._current = caddie

    def __getattr__(self, name: str) -> Any:
        return getattr(self._current, name)


def refresh_models(live: LiveCaddie, train: Callable[[], Path], load: Callable[[Path], Caddie]) -> bool:
    """``train()`` (returns the model folder), ``load`` it and swap it into ``live``. True when swapped."""
    before = live.current.as_of
    try:
        fresh = load(train())
    except Exception as exc:  # noqa: BLE001 - a scheduler thread has nobody to raise to; old models keep serving
        log.error("model refresh failed, still answering with data up to %s: %s", before, exc, exc_info=exc)
        return False
    live.swap(fresh)
    log.info("models refreshed: data up to %s (was %s)", fresh.as_of, before)
    return True
