"""caddie's machine-learning package: data, models, training and evaluation.

Nothing in here knows about Slack. The bot talks to :class:`ml.service.Caddie`
and receives the typed dataclasses of :mod:`ml.results`.
"""

__version__ = "0.1.0"
