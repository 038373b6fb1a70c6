"""Stock, order parameters, caddie's order policy and its backtest.

    params      OrderParameters, category defaults, ORDER_PARAMETERS_FILE overrides (load_parameters)
    stock       the ``stock`` table: import_stock (CSV, all or nothing), load_stock
    distribution  demand over several days from daily forecasts (gamma matched to two moments)
    policy      compute_orders (pure), order_line / order_proposal (ml.results types)
    backtest    the day-by-day replay behind ml.evaluation.orders.backtest_orders
"""

from ml.orders.params import OrderParameters, ParameterTable, default_parameters, load_parameters, parameters_frame
from ml.orders.policy import compute_orders, order_line, order_proposal

__all__ = ["OrderParameters", "ParameterTable", "compute_orders", "default_parameters", "load_parameters",
           "order_line", "order_proposal", "parameters_frame"]
