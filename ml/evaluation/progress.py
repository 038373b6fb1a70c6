"""Progress bars of the evaluation (tqdm on stderr; silent when stderr is not a terminal)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm.auto import tqdm

T = TypeVar("T")

__all__ = ["progress"]


def progress(items: Iterable[T], description: str) -> Iterator[T]:
    """Iterate over ``items`` (one per model) under a bar named ``description`` (task and window)."""
    items = list(items)
    yield from tqdm(items, desc=description, unit="model", leave=False, disable=None)
