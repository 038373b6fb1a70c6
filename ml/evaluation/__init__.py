"""Time-based holdout evaluation of caddie's models, one module per task."""

from .forecast import evaluate_forecast
from .propensity import evaluate_propensity
from .recommend import evaluate_recommend
