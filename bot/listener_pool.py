"""Bolt's listener threads, with acknowledgements first.

Bolt runs both the ack phase of a listener (which must answer Slack within 3 s) and the lazy answers (a
forecast with its chart: CPU-heavy, about half a second each) on ONE executor, first come first served: a burst
of 200 commands queues the 200th ack behind 199 answers, and Slack gives up. :class:`AckFirstExecutor` gives
the two their own pools, and answers yield to acks: an answer starts only when no Slack request is being
acknowledged (:data:`IN_FLIGHT`, counted by the web service around each dispatch), or after
:data:`MAX_YIELD_SECONDS`. Answers run one at a time: they are CPU-bound and hold the GIL, more threads would
only slow the acks. A lazy answer is recognised by the wrapper Bolt builds around it (:func:`is_lazy_answer`);
if a Bolt upgrade changes that, everything runs in the ack pool, as Bolt's own pool did.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

_LAZY_MODULE = "slack_bolt.lazy_listener.internals"
MAX_YIELD_SECONDS = 5.0


class InFlight:
    """How many Slack requests are being dispatched (signature check, middleware, ack) right now."""

    def __init__(self) -> None:
        self._count = 0
        self._idle = threading.Condition()

    @contextmanager
    def dispatching(self) -> Iterator[None]:
        with self._idle:
            self._count += 1
        try:
            yield
        finally:
            with self._idle:
                self._count -= 1
                if self._count == 0:
                    self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self._count == 0, timeout)


IN_FLIGHT = InFlight()  # one per process: the web service counts, the answer pool waits


def is_lazy_answer(fn: Callable[..., Any]) -> bool:
    """Bolt submits a lazy listener as a wrapper made with functools.wraps (``__wrapped__``: the listener) built
    in :data:`_LAZY_MODULE`; the ack phase as a plain closure of its listener runner."""
    return hasattr(fn, "__wrapped__") or getattr(fn, "__module__", "") == _LAZY_MODULE


class AckFirstExecutor(Executor):
    def __init__(self, ack_workers: int = 16, answer_workers: int = 1, in_flight: InFlight = IN_FLIGHT):
        self._acks = ThreadPoolExecutor(max_workers=ack_workers, thread_name_prefix="bolt-ack")
        self._answers = ThreadPoolExecutor(max_workers=answer_workers, thread_name_prefix="bolt-answer")
        self._in_flight = in_flight

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        if not is_lazy_answer(fn):
            return self._acks.submit(fn, *args, **kwargs)

        def after_acks() -> Any:
            self._in_flight.wait_idle(MAX_YIELD_SECONDS)
            return fn(*args, **kwargs)

        return self._answers.submit(after_acks)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._acks.shutdown(wait=wait, cancel_futures=cancel_futures)
        self._answers.shutdown(wait=wait, cancel_futures=cancel_futures)
