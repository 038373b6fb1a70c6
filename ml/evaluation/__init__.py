"""Time-based holdout evaluation of caddie's models, one module per task."""

from .forecast import evaluate_forecast
from .propensity import evaluate_propensity
from .recommend import evaluate_recommend

#: the metrics that sum up each task (model cards, backtest summaries): name -> higher is better
HEADLINE_METRICS: dict[str, dict[str, bool]] = {
    "forecast": {"MASE": False, "SPL": False, "RMSSE": False, "WAPE": False, "coverage_error": False},
    "recommend": {"recall@10": True, "ndcg@10": True},
    "propensity": {"pr_auc": True, "log_loss": False, "roc_auc": True, "brier": False},
}
