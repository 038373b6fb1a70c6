"""Which arm a customer sees: a salted hash of (salt, experiment, customer), the same in every process.

``sha256(f"{salt}:{experiment}:{customer}")`` read as a number in [0, 1) is compared with the cumulative
shares of the arms. No state is kept: a restart, another worker or the API all give the same answer, and a
customer never changes arm during an experiment. A new salt reshuffles everyone (a new experiment).
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from itertools import accumulate

from ml.experiments.definition import Arm, Experiment

_SCALE = float(2**64)


def unit_hash(salt: str, experiment: str, customer_id: str) -> float:
    """A number in [0, 1), uniform over customers, fixed for (salt, experiment, customer)."""
    digest = hashlib.sha256(f"{salt}:{experiment}:{customer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


def assign(experiment: Experiment, customer_id: str, salt: str) -> Arm:
    """The arm of ``customer_id`` in ``experiment``."""
    bounds = list(accumulate(experiment.shares))
    index = bisect_right(bounds, unit_hash(salt, experiment.name, customer_id))
    return experiment.arms[min(index, len(experiment.arms) - 1)]
