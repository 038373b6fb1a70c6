"""Files readable by their owner only: the database, models and charts hold customer data.

The entry points (``python -m bot``, ``python -m ml.train``, ``ml.evaluate``, ``ml.benchmark``) call
:func:`owner_only_files` first, so that everything they create (SQLite file, model files, folders) is
``rw-------`` / ``rwx------`` whatever the shell's umask.
"""

from __future__ import annotations

import os

OWNER_ONLY_UMASK = 0o077


def owner_only_files() -> int:
    """Sets the process umask to 077; returns the previous one."""
    return os.umask(OWNER_ONLY_UMASK)
