"""caddie's order policy: periodic review, order-up-to a demand quantile, whole packs, shelf-life cap.

Pure functions, no I/O. For a store x product with parameters L (lead time), R (review period), pack size
``pack``, target service level ``alpha`` and, for perishables, shelf life ``T`` and costs co (waste), cu
(lost sale):

    P         = L + R                                  the days this order must cover
    D_P       ~ gamma(mean = sum of the P daily forecast means, variance from the daily intervals)
    S         = quantile(D_P, alpha)                   order-up-to level
    safety    = S - E[D_P]
    position  = on_hand + on_order                     (0 without stock data, and the line says so)
    a perishable whose shelf life T <= L is gone before the delivery: the order covers days L .. L + R - 1
    and the position counts only what is on order
    need      = max(0, S - position)
    packs     = ceil(need / pack);  quantity = packs * pack
    perishables: C = quantile(D_{L+T}, cu / (cu + co)) the most that sells before the new units expire
                 (they arrive after L days and keep T days; the older stock sells first)
                 if position + quantity > C: the whole number of packs just under or just over C, whichever
                 has the lower expected newsvendor cost over those days (C itself is the continuous optimum;
                 always rounding down starved slow fresh series whose packs are large against C), capped_by_shelf_life

See :mod:`ml.orders.distribution` for the period distribution.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ml.data.schema import DEFAULT_STORE_ID
from ml.orders.distribution import DEFAULT_CORRELATION, expected_pinball_loss, gamma_quantile, interval_sd
from ml.results import OrderLine, OrderProposal, Product, Store

_EPS = 1e-9
ORDER_COLUMNS: tuple[str, ...] = (
    "store_id", "product_id", "quantity", "packs", "pack_size", "period_days", "forecast_mean",
    "forecast_quantile", "safety_stock", "on_hand", "on_order", "service_level", "lead_time_days",
    "review_days", "shelf_life_days", "shelf_life_cap", "capped_by_shelf_life", "has_stock",
)


def _cumulative(values: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Each row's sum over its first ``day[i]`` columns; past the horizon at the horizon's average rate."""
    horizon = values.shape[1]
    cum = np.concatenate([np.zeros((len(values), 1)), np.cumsum(values, axis=1)], axis=1)
    rows = np.arange(len(values))
    inside = cum[rows, np.clip(day, 0, horizon)]
    return np.where(day > horizon, cum[:, -1] * day / horizon, inside)


def window_moments(mean: np.ndarray, sd: np.ndarray, days: np.ndarray, rho: float = DEFAULT_CORRELATION,
                   first: np.ndarray | int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(mean, variance) of each row's demand over forecast days ``first[i]`` .. ``first[i] + days[i] - 1``.

    ``mean``/``sd`` are (series, horizon) arrays, day 0 the first forecast day. A window past the horizon
    is extrapolated at the horizon's average rate.
    """
    mean, sd = np.asarray(mean, float), np.asarray(sd, float)
    days = np.maximum(np.asarray(days, int), 0)
    first = np.broadcast_to(np.asarray(first, int), days.shape)
    end = first + days

    def window(values: np.ndarray) -> np.ndarray:
        return _cumulative(values, end) - _cumulative(values, first)

    sum_sd = window(sd)
    return window(mean), (1 - rho) * window(sd ** 2) + rho * sum_sd ** 2


def gone_before_delivery(lead_time: np.ndarray, shelf_life: np.ndarray) -> np.ndarray:
    """True for perishables whose stock on hand now expires before an order placed now arrives."""
    shelf_life = np.asarray(shelf_life, float)
    return np.isfinite(shelf_life) & (np.nan_to_num(shelf_life, nan=np.inf) <= np.asarray(lead_time))


def order_up_to(mean: np.ndarray, sd: np.ndarray, lead_time: np.ndarray, review: np.ndarray,
                service_level: np.ndarray, shelf_life: np.ndarray | None = None,
                rho: float = DEFAULT_CORRELATION) -> tuple[np.ndarray, np.ndarray]:
    """(expected demand over the days the order covers, order-up-to level S = its ``service_level`` quantile).

    The order covers days 0 .. L + R - 1; for a perishable gone before delivery (shelf life <= L) the stock
    on hand serves the lead time and the order only days L .. L + R - 1.
    """
    lead_time, review = np.asarray(lead_time, int), np.asarray(review, int)
    shelf_life = np.full(len(lead_time), np.nan) if shelf_life is None else shelf_life
    fresh = gone_before_delivery(lead_time, shelf_life)
    mu, variance = window_moments(mean, sd, np.where(fresh, review, lead_time + review), rho,
                                  first=np.where(fresh, lead_time, 0))
    return mu, gamma_quantile(mu, variance, service_level)


@dataclass(frozen=True)
class ShelfLifeCap:
    """The perishables' cap: ``level`` (inf where not perishable) and the demand it is the quantile of.

    ``mu``/``variance``: demand over the days the new units can sell; ``ratio``: the critical ratio cu / (cu + co).
    """

    level: np.ndarray
    mu: np.ndarray
    variance: np.ndarray
    ratio: np.ndarray


def shelf_life_cap(mean: np.ndarray, sd: np.ndarray, lead_time: np.ndarray, shelf_life: np.ndarray,
                   critical_ratio: np.ndarray, rho: float = DEFAULT_CORRELATION) -> ShelfLifeCap:
    """The most stock worth holding for perishables (level inf where ``shelf_life`` is NaN: not perishable).

    Newly ordered units arrive after L days and keep T days; the older stock sells first (FIFO), so the
    stock position is capped at the critical-ratio quantile of demand over days 0 .. L + T - 1 (over days
    L .. L + T - 1 when the stock on hand is gone before delivery).
    """
    shelf_life, lead_time = np.asarray(shelf_life, float), np.asarray(lead_time, int)
    perishable = np.isfinite(shelf_life)
    fresh = gone_before_delivery(lead_time, shelf_life)
    life = np.nan_to_num(shelf_life).astype(int)
    mu, variance = window_moments(mean, sd, np.where(fresh, life, lead_time + life), rho,
                                  first=np.where(fresh, lead_time, 0))
    ratio = np.broadcast_to(np.asarray(critical_ratio, float), mu.shape)
    level = np.where(perishable, gamma_quantile(mu, variance, np.nan_to_num(ratio, nan=0.5)), np.inf)
    return ShelfLifeCap(level=level, mu=mu, variance=variance, ratio=ratio)


def round_to_packs(level: np.ndarray, position: np.ndarray, pack_size: np.ndarray,
                   cap: ShelfLifeCap | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(packs to order, capped?) to bring ``position`` up to ``level`` in whole packs.

    Under a shelf-life ``cap`` the stock position may not pass the cap by more than the pack it takes to
    reach it: of the pack counts just under and just over the cap, the one with the lower expected
    newsvendor cost is ordered.
    """
    position = np.asarray(position, float)
    pack_size = np.broadcast_to(np.asarray(pack_size, float), position.shape)
    need = np.maximum(np.asarray(level, float) - position, 0.0)
    packs = np.ceil(need / pack_size - _EPS)
    if cap is None:
        return packs.astype(int), np.zeros(len(packs), dtype=bool)
    capped = position + packs * pack_size > cap.level + _EPS
    at = np.flatnonzero(capped)  # the expected costs (scipy) only where the cap binds
    room = np.maximum(cap.level[at] - position[at], 0.0)
    under = np.floor(room / pack_size[at] + _EPS)
    over = np.minimum(under + 1, packs[at])
    mu, variance, ratio = cap.mu[at], cap.variance[at], np.nan_to_num(cap.ratio[at], nan=0.5)
    cost_under = expected_pinball_loss(position[at] + under * pack_size[at], mu, variance, ratio)
    cost_over = expected_pinball_loss(position[at] + over * pack_size[at], mu, variance, ratio)
    packs[at] = np.where(cost_over < cost_under - _EPS, over, under)
    return packs.astype(int), capped


def _paths(forecast: pd.DataFrame, level: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Series keys and (series, horizon) arrays of daily means and sds, days in date order."""
    frame = forecast.copy()
    if "store_id" not in frame:
        frame["store_id"] = DEFAULT_STORE_ID
    frame["store_id"] = frame["store_id"].astype(str)
    frame["product_id"] = frame["product_id"].astype(str)
    frame = frame.sort_values(["store_id", "product_id", "date"], kind="stable")
    frame["sd"] = interval_sd(frame["lower"].to_numpy(), frame["upper"].to_numpy(), level)
    mean = frame.pivot(index=["store_id", "product_id"], columns="date", values="mean")
    sd = frame.pivot(index=["store_id", "product_id"], columns="date", values="sd")
    keys = mean.index.to_frame(index=False)
    return keys, mean.fillna(0.0).to_numpy(), sd.fillna(0.0).to_numpy()


def compute_orders(forecast: pd.DataFrame, parameters: pd.DataFrame, stock: pd.DataFrame | None = None,
                   level: int = 80, rho: float = DEFAULT_CORRELATION) -> pd.DataFrame:
    """The order of every store x product in ``forecast`` (ORDER_COLUMNS, one row each).

    ``forecast``: [store_id, product_id, date, mean, lower, upper] from the day after the order day on
    (``level`` % intervals). ``parameters``: one row per product_id with the
    :class:`~ml.orders.params.OrderParameters` fields (see :func:`ml.orders.params.parameters_frame`).
    ``stock``: STOCK_COLUMNS; None, or a series absent from it, orders from the forecast alone
    (on_hand/on_order NaN, has_stock False).
    """
    keys, mean, sd = _paths(forecast, level)
    p = keys[["product_id"]].merge(parameters.assign(product_id=parameters["product_id"].astype(str)),
                                   on="product_id", how="left")
    if p["lead_time_days"].isna().any():
        missing = p.loc[p["lead_time_days"].isna(), "product_id"].iat[0]
        raise KeyError(f"no order parameters for product {missing!r}")
    lead, review = p["lead_time_days"].to_numpy(int), p["review_days"].to_numpy(int)
    pack = p["pack_size"].to_numpy(float)
    shelf = pd.to_numeric(p["shelf_life_days"], errors="coerce").to_numpy(float)
    ratio = (p["lost_sale_cost"] / (p["lost_sale_cost"] + p["waste_cost"])).to_numpy(float)
    mu, level_s = order_up_to(mean, sd, lead, review, p["service_level"].to_numpy(float), shelf, rho)
    cap = shelf_life_cap(mean, sd, lead, shelf, ratio, rho)
    on_hand, on_order = _stock_for(keys, stock)
    has_stock = np.isfinite(on_hand)
    usable = np.where(gone_before_delivery(lead, shelf), 0.0, np.nan_to_num(on_hand))
    position = np.where(has_stock, usable + np.nan_to_num(on_order), 0.0)
    packs, capped = round_to_packs(level_s, position, pack, cap)
    out = keys.assign(
        quantity=packs * pack, packs=packs, pack_size=pack, period_days=lead + review, forecast_mean=mu,
        forecast_quantile=level_s, safety_stock=level_s - mu, on_hand=on_hand, on_order=on_order,
        service_level=p["service_level"].to_numpy(float), lead_time_days=lead, review_days=review,
        shelf_life_days=shelf, shelf_life_cap=cap.level, capped_by_shelf_life=capped, has_stock=has_stock)
    return out[list(ORDER_COLUMNS)]


def _stock_for(keys: pd.DataFrame, stock: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    if stock is None or stock.empty:
        nan = np.full(len(keys), np.nan)
        return nan, nan.copy()
    position = stock.assign(store_id=stock["store_id"].astype(str), product_id=stock["product_id"].astype(str))
    joined = keys.merge(position[["store_id", "product_id", "on_hand", "on_order"]],
                        on=["store_id", "product_id"], how="left")
    on_order = joined["on_order"].to_numpy(float)
    on_hand = joined["on_hand"].to_numpy(float)
    return on_hand, np.where(np.isfinite(on_hand), np.nan_to_num(on_order), np.nan)


def _optional(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def order_line(row: pd.Series | dict, product: Product) -> OrderLine:
    """One row of :func:`compute_orders` as the bot's :class:`~ml.results.OrderLine`."""
    shelf = _optional(row["shelf_life_days"])
    return OrderLine(
        product=product, quantity=float(row["quantity"]), packs=int(row["packs"]),
        pack_size=float(row["pack_size"]), period_days=int(row["period_days"]),
        forecast_mean=float(row["forecast_mean"]), forecast_quantile=float(row["forecast_quantile"]),
        safety_stock=float(row["safety_stock"]), on_hand=_optional(row["on_hand"]),
        on_order=_optional(row["on_order"]), service_level=float(row["service_level"]),
        lead_time_days=int(row["lead_time_days"]), review_days=int(row["review_days"]),
        shelf_life_days=None if shelf is None else int(shelf),
        capped_by_shelf_life=bool(row["capped_by_shelf_life"]),
    )


def order_proposal(store: Store, orders: pd.DataFrame, products: dict[str, Product], order_day: date,
                   model: str, as_of: date, stock_as_of: date | None = None) -> OrderProposal:
    """The :class:`~ml.results.OrderProposal` of one store from its rows of :func:`compute_orders`.

    Lines are sorted with the products to order first (largest quantity first), then the rest by name.
    """
    rows = orders[orders["store_id"].astype(str) == store.store_id]
    lines = [order_line(row, products[str(row["product_id"])]) for row in rows.to_dict("records")]
    lines.sort(key=lambda line: (line.quantity <= 0, -line.quantity, line.product.name))
    has_stock = bool(len(rows)) and bool(rows["has_stock"].all())
    return OrderProposal(store=store, lines=tuple(lines), order_day=order_day, has_stock_data=has_stock,
                         stock_as_of=stock_as_of if has_stock else None, model=model, as_of=as_of)
