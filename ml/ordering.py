"""Order proposals in the service: the policy of ``ml.orders`` applied to the stored forecasts of one store.

Order parameters per product and the stock position per store x product are indexed at start-up; the
store's daily forecasts are read from the served source (``ml.forecast_sources``: one (run_id, store_id) row
set of the database's run, or the model set's index); an answer stacks a few arrays and runs the vectorised
policy (:mod:`ml.orders.policy`) once — no pandas, no forecaster call.

The proposal is always computed here from the served forecasts and the stock the service holds, never read
from the ``orders`` table: the table holds one order day per run (the bot answers for any day of the
horizon) and the stock of the night it ran (the service's may be newer); the arithmetic is the same
(``ml.orders.policy``), so the table's line for the run's day equals this one on the same stock.

Order day ``d`` (the first forecast day by default): the order covers the demand of the ``lead + review`` days
from ``d`` on. The stock position was counted at the end of the data (``as_of``); for a later order day the
expected sales of the days in between are taken off it first (never below zero).
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd

from ml.data.catalog import ProductCatalog, normalize
from ml.orders.distribution import interval_sd
from ml.orders.params import category_key
from ml.orders.policy import gone_before_delivery, order_up_to, round_to_packs, shelf_life_cap
from ml.forecast_sources import ForecastSource, StoredForecast
from ml.results import OrderLine, OrderProposal, Product, ScopeLevel, Store
from ml.snapshot import Snapshot

MAIN_PRODUCTS = 20  # lines of a proposal for "the store's main products"
CATEGORY_PREFIXES = ("rayon", "department", "categorie", "category")


class OrderDesk:
    """Order parameters, stock and forecasts of every store, ready to propose orders."""

    main_products = MAIN_PRODUCTS

    def __init__(self, snapshot: Snapshot, forecasts: ForecastSource, catalog: ProductCatalog, as_of: date,
                 horizon_days: int, level: int = 80):
        self._forecasts = forecasts
        self._catalog = catalog
        self._as_of = as_of
        self._horizon = horizon_days
        self._level = level
        self._params = _parameters(snapshot.order_parameters)
        self._stock: dict[tuple[str, str], tuple[float, float]] = {}
        self.stock_as_of: date | None = None
        if snapshot.stock is not None and len(snapshot.stock):
            stock = snapshot.stock
            self._stock = dict(zip(zip(stock["store_id"].astype(str), stock["product_id"].astype(str)),
                                   zip(stock["on_hand"].astype(float), stock["on_order"].fillna(0.0).astype(float))))
            self.stock_as_of = pd.Timestamp(stock["as_of"].max()).date()
        products = snapshot.products.dropna(subset=["category"])
        self._categories = {normalize(c): str(c) for c in products["category"].unique()}
        self._members = {str(c): frozenset(part.astype(str)) for c, part in
                         products.groupby(products["category"].astype(str))["product_id"]}

    def category(self, query: str) -> str | None:
        """The category ``query`` names ("crèmerie", "rayon crèmerie", "Fruits et légumes"), else None."""
        words = _category_words(query)
        text = " ".join(words)
        if not text:
            return None
        if text in self._categories:
            return self._categories[text]
        containing = [name for key, name in self._categories.items() if set(words) <= set(key.split())]
        return containing[0] if len(containing) == 1 else None

    def department(self, query: str) -> str | None:
        """The data's category for a department named in other words ("dairy", "surgelés" -> the one category
        the order parameters file under the same department), else None. Tried after products: "yaourt" is a
        product before it is a dairy word."""
        text = " ".join(_category_words(query))
        wanted = category_key(text) if text else None
        if wanted is None:
            return None
        same = [name for name in self._categories.values() if category_key(name) == wanted]
        return same[0] if len(same) == 1 else None

    def members(self, category: str) -> frozenset[str]:
        """Product ids of a category returned by :meth:`category`."""
        return self._members.get(category, frozenset())

    def propose(self, store: Store, products: list[Product], day: date, model: str,
                series: dict[str, StoredForecast] | None = None) -> OrderProposal:
        """The order of ``store`` on ``day`` for ``products`` (those without a stored forecast are left out);
        ``series``: their forecasts when already read, else one row set of the store's is read."""
        found = series if series is not None else self._forecasts.many(
            ScopeLevel.STORE.value, store.store_id, [p.product_id for p in products])
        rows = [(p, found[p.product_id]) for p in products if p.product_id in found]
        has_stock = bool(rows) and all((store.store_id, p.product_id) in self._stock for p, _ in rows)
        lines = self._lines(store, rows, day) if rows else []
        lines.sort(key=lambda line: (line.quantity <= 0, -line.quantity, line.product.name))
        return OrderProposal(store=store, lines=tuple(lines), order_day=day, has_stock_data=has_stock,
                             stock_as_of=self.stock_as_of if has_stock else None, model=model, as_of=self._as_of)

    def _lines(self, store: Store, rows: list, day: date) -> list[OrderLine]:
        offset = day.toordinal() - int(rows[0][1].days[0])  # day 0 of the arrays: the first forecast day
        daily = np.vstack([s.mean for _, s in rows])
        sd = interval_sd(np.vstack([s.lower for _, s in rows]), np.vstack([s.upper for _, s in rows]), self._level)
        params = [self._params.get(p.product_id, self._params.get(None)) for p, _ in rows]
        lead, review, pack, level, shelf, ratio = (np.array([getattr(q, f) for q in params], dtype=float)
                                                   for f in _FIELDS)
        period = (lead + review).astype(int)
        lead_days, review_days = lead.astype(int), review.astype(int)
        mean, sd = daily[:, offset:], sd[:, offset:]  # day 0: the order day
        mu, target = order_up_to(mean, sd, lead_days, review_days, level, shelf)
        cap = shelf_life_cap(mean, sd, lead_days, shelf, ratio)
        stock = [self._stock.get((store.store_id, p.product_id)) for p, _ in rows]
        on_hand = np.array([np.nan if s is None else s[0] for s in stock])
        on_order = np.array([np.nan if s is None else s[1] for s in stock])
        sold_before = daily[:, :offset].sum(axis=1)  # expected sales, stock count -> order day
        left = np.maximum(np.nan_to_num(on_hand) - sold_before, 0.0)
        usable = np.where(gone_before_delivery(lead_days, shelf), 0.0, left)  # perishables expire before delivery
        position = np.where(np.isfinite(on_hand), usable + np.nan_to_num(on_order), 0.0)
        packs, capped = round_to_packs(target, position, pack, cap)
        columns = (packs * pack, packs, pack, period, mu, target, target - mu, on_hand, on_order, level, lead, review,
                   shelf, capped)
        return [_line(p, *values) for (p, _), values in zip(rows, zip(*(c.tolist() for c in columns)))]


def _line(product: Product, quantity: float, packs: int, pack: float, period: int, mean: float, quantile: float,
          safety: float, on_hand: float, on_order: float, level: float, lead: float, review: float, shelf: float,
          capped: bool) -> OrderLine:
    return OrderLine(
        product=product, quantity=float(quantity), packs=int(packs), pack_size=float(pack), period_days=int(period),
        forecast_mean=mean, forecast_quantile=quantile, safety_stock=safety, on_hand=_optional(on_hand),
        on_order=_optional(on_order), service_level=level, lead_time_days=int(lead), review_days=int(review),
        shelf_life_days=None if math.isnan(shelf) else int(shelf), capped_by_shelf_life=bool(capped),
    )


_FIELDS = ("lead_time_days", "review_days", "pack_size", "service_level", "shelf_life_days", "critical_ratio")


def _optional(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _parameters(frame: pd.DataFrame | None) -> dict:
    """product_id -> parameter record (attributes of ``_FIELDS``); key None: the default for unknown products."""
    from ml.orders.params import DEFAULT_PARAMETERS, OrderParameters

    out: dict = {None: _Record.of(DEFAULT_PARAMETERS)}
    if frame is None:
        return out
    fields = [f for f in OrderParameters.__dataclass_fields__]
    for row in frame.to_dict("records"):
        values = {f: row[f] for f in fields if f in row}
        shelf = values.get("shelf_life_days")
        values["shelf_life_days"] = None if shelf is None or pd.isna(shelf) else int(shelf)
        out[str(row["product_id"])] = _Record.of(OrderParameters(**values))
    return out


class _Record:
    """OrderParameters flattened to floats (shelf life NaN when not perishable)."""

    __slots__ = _FIELDS

    @classmethod
    def of(cls, params) -> "_Record":
        record = cls()
        record.lead_time_days = float(params.lead_time_days)
        record.review_days = float(params.review_days)
        record.pack_size = float(params.pack_size)
        record.service_level = float(params.service_level)
        record.shelf_life_days = float("nan") if params.shelf_life_days is None else float(params.shelf_life_days)
        record.critical_ratio = float(params.critical_ratio)
        return record


def _category_words(query: str) -> list[str]:
    """The words of a department query, without a leading "rayon" / "category"."""
    words = normalize(query).split()
    return words[1:] if words and words[0] in CATEGORY_PREFIXES else words
