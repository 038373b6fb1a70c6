"""Order parameters per product: supplier lead time, review period, pack size, shelf life, service level, costs.

Defaults come per category (:data:`CATEGORY_DEFAULTS`, typical of a French supermarket supplied from a
regional warehouse); a CSV (setting ``ORDER_PARAMETERS_FILE``) overrides them per category or per product::

    product_id,category,lead_time_days,review_days,pack_size,shelf_life_days,service_level
    ,Crèmerie,2,1,12,,0.97          <- every dairy product (empty cells keep the default)
    P012,,1,1,10,1,0.9              <- one product

Optional columns ``waste_cost`` and ``lost_sale_cost`` (per unit, as a share of the retail price) set the
newsvendor critical ratio of perishables. Precedence: product row > category row > built-in category default.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path

import pandas as pd

from ml.data.validate import clean_ids, parse_numbers
from ml.errors import DataFormatError, DataValidationError


@dataclass(frozen=True, slots=True)
class OrderParameters:
    """How one product is ordered."""

    lead_time_days: int  # days from placing an order to having it on the shelf
    review_days: int  # days between two orders (1: ordered every day)
    pack_size: float  # units per pack: orders are whole packs
    service_level: float  # target probability of not running out before the next delivery
    shelf_life_days: int | None = None  # perishables only: days a delivered unit can be sold
    waste_cost: float = 0.7  # cost of a unit thrown away (share of the retail price: its purchase cost)
    lost_sale_cost: float = 0.3  # cost of a sale lost to an empty shelf (the margin, plus goodwill)

    @property
    def period_days(self) -> int:
        """Lead time + review period: the days an order placed now must cover."""
        return self.lead_time_days + self.review_days

    @property
    def perishable(self) -> bool:
        return self.shelf_life_days is not None

    @property
    def critical_ratio(self) -> float:
        """Newsvendor ratio cu / (cu + co): the quantile of demand before expiry worth stocking up to."""
        return self.lost_sale_cost / (self.lost_sale_cost + self.waste_cost)


# Keywords (accent-free, lower case) that identify a category, and its defaults.
CATEGORY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "dairy": ("cremerie", "laitier", "dairy", "yaourt", "fromage", "cheese", "ultra-frais", "ultra frais"),
    "bakery": ("boulangerie", "bakery", "pain", "bread", "viennoiserie", "patisserie"),
    "fruit_veg": ("fruits", "legumes", "fruit", "vegetable", "produce", "primeur"),
    "meat": ("boucherie", "charcuterie", "viande", "meat", "volaille", "traiteur"),
    "fish": ("poissonnerie", "poisson", "fish", "seafood", "maree"),
    "frozen": ("surgele", "frozen", "glace"),
    "drinks": ("boisson", "drink", "beverage", "vin", "wine", "biere", "cave"),
    "grocery": ("epicerie", "grocery", "conserve", "pantry"),
    "household": ("hygiene", "maison", "household", "entretien", "droguerie", "beaute", "bazar"),
}
CATEGORY_DEFAULTS: dict[str, OrderParameters] = {
    "dairy": OrderParameters(2, 1, 6, 0.97, shelf_life_days=14, waste_cost=0.6, lost_sale_cost=0.4),
    "bakery": OrderParameters(1, 1, 1, 0.85, shelf_life_days=1, waste_cost=0.15, lost_sale_cost=0.85),
    "fruit_veg": OrderParameters(1, 1, 5, 0.95, shelf_life_days=5, waste_cost=0.5, lost_sale_cost=0.5),
    "meat": OrderParameters(2, 1, 4, 0.95, shelf_life_days=5, waste_cost=0.5, lost_sale_cost=0.5),
    "fish": OrderParameters(1, 1, 2, 0.90, shelf_life_days=2, waste_cost=0.5, lost_sale_cost=0.5),
    "frozen": OrderParameters(3, 3, 8, 0.97),
    "drinks": OrderParameters(3, 3, 6, 0.98),
    "grocery": OrderParameters(3, 3, 12, 0.98),
    "household": OrderParameters(4, 7, 6, 0.98),
}
DEFAULT_PARAMETERS = OrderParameters(3, 3, 1, 0.95)  # a category we do not recognise
PARAMETER_COLUMNS: tuple[str, ...] = ("lead_time_days", "review_days", "pack_size", "shelf_life_days",
                                      "service_level", "waste_cost", "lost_sale_cost")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def category_key(category: str | None) -> str | None:
    """The built-in category a (French or English) category name belongs to, or None."""
    if category is None or (isinstance(category, float) and math.isnan(category)) or category is pd.NA:
        return None
    folded = _fold(str(category))
    for key, words in CATEGORY_KEYWORDS.items():
        if folded == key or any(word in folded for word in words):
            return key
    return None


def default_parameters(category: str | None) -> OrderParameters:
    """The built-in parameters of a category (:data:`DEFAULT_PARAMETERS` when it is not recognised)."""
    key = category_key(category)
    return CATEGORY_DEFAULTS[key] if key else DEFAULT_PARAMETERS


@dataclass(frozen=True)
class ParameterTable:
    """Order parameters of every product: built-in defaults, then the CSV's category rows, then its product rows."""

    by_category: dict[str, dict[str, float | None]]  # folded category name -> overridden fields
    by_product: dict[str, dict[str, float | None]]

    def for_product(self, product_id: str, category: str | None = None) -> OrderParameters:
        params = default_parameters(category)
        if category is not None and not pd.isna(category):
            params = _apply(params, self.by_category.get(_fold(str(category)), {}))
        return _apply(params, self.by_product.get(str(product_id), {}))


EMPTY_TABLE = ParameterTable({}, {})


def _apply(params: OrderParameters, overrides: dict[str, float | None]) -> OrderParameters:
    if not overrides:
        return params
    values = {}
    for name, value in overrides.items():
        if name == "shelf_life_days":
            values[name] = None if value is None or value == 0 else int(value)
        elif name in ("lead_time_days", "review_days"):
            values[name] = int(value)
        else:
            values[name] = float(value)
    return replace(params, **values)


_RULES: dict[str, tuple[str, Callable[[float], bool]]] = {
    "lead_time_days": ("is not a whole number of days >= 0", lambda v: v >= 0 and v == round(v)),
    "review_days": ("is not a whole number of days >= 1", lambda v: v >= 1 and v == round(v)),
    "pack_size": ("is not a number > 0", lambda v: v > 0),
    "shelf_life_days": ("is not a whole number of days >= 0 (0 or empty: not perishable)",
                        lambda v: v >= 0 and v == round(v)),
    "service_level": ("is not a probability strictly between 0 and 1", lambda v: 0 < v < 1),
    "waste_cost": ("is not a number > 0", lambda v: v > 0),
    "lost_sale_cost": ("is not a number > 0", lambda v: v > 0),
}


def read_parameters(path: str | Path) -> ParameterTable:
    """Read and validate an order-parameter CSV; a bad value raises naming its row (1-based, header excluded)."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, sep=None, engine="python")
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise DataFormatError(f"cannot read order parameters {path}: {exc}", path=str(path)) from exc
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    return parse_parameters(raw, path=str(path))


def parse_parameters(raw: pd.DataFrame, path: str | None = None) -> ParameterTable:
    """Validate a frame of parameter rows (text cells) into a :class:`ParameterTable`."""
    where = f" in {path}" if path else ""
    if "product_id" not in raw.columns and "category" not in raw.columns:
        raise DataFormatError(f"order parameters{where} need a 'product_id' or a 'category' column",
                              path=path, column="product_id")
    known = {"product_id", "category", *PARAMETER_COLUMNS}
    unknown = [c for c in raw.columns if c not in known]
    if unknown:
        raise DataFormatError(f"order parameters{where}: unknown column {unknown[0]!r}; expected some of "
                              f"{', '.join(sorted(known))}", path=path, column=unknown[0])
    products = clean_ids(raw["product_id"]) if "product_id" in raw else pd.Series("", index=raw.index)
    categories = (raw["category"].astype(str).str.strip() if "category" in raw
                  else pd.Series("", index=raw.index))
    by_category: dict[str, dict] = {}
    by_product: dict[str, dict] = {}
    for position in range(len(raw)):
        row = position + 1
        product, category = products.iat[position], categories.iat[position]
        if not product and not category:
            raise DataValidationError(f"row {row}{where}: give a product_id or a category", row=row,
                                      column="product_id")
        overrides = _row_overrides(raw, position, row, where)
        key, target = (product, by_product) if product else (_fold(category), by_category)
        if key in target:
            column = "product_id" if product else "category"
            raise DataValidationError(f"row {row}, column {column!r}{where}: {key!r} already has a row",
                                      row=row, column=column, value=key)
        target[key] = overrides
    return ParameterTable(by_category, by_product)


def _row_overrides(raw: pd.DataFrame, position: int, row: int, where: str) -> dict[str, float | None]:
    overrides: dict[str, float | None] = {}
    for column in PARAMETER_COLUMNS:
        if column not in raw.columns:
            continue
        text = str(raw[column].iat[position]).strip()
        if not text:
            continue
        value = parse_numbers(pd.Series([text])).iat[0]
        problem, ok = _RULES[column]
        if not (math.isfinite(value) and ok(value)):
            raise DataValidationError(f"row {row}, column {column!r}{where}: {text!r} {problem}",
                                      row=row, column=column, value=text)
        overrides[column] = value
    return overrides


def load_parameters(path: str | Path | None) -> ParameterTable:
    """The table for setting ``ORDER_PARAMETERS_FILE`` (built-in defaults only when it is empty)."""
    if not path:
        return EMPTY_TABLE
    if not Path(path).is_file():
        raise DataFormatError(f"ORDER_PARAMETERS_FILE: {path} does not exist", path=str(path))
    return read_parameters(path)


def parameters_frame(products: pd.DataFrame, table: ParameterTable = EMPTY_TABLE) -> pd.DataFrame:
    """One row of parameters per product (columns product_id + the OrderParameters fields)."""
    categories = products["category"] if "category" in products else pd.Series(None, index=products.index)
    rows = [table.for_product(p, c) for p, c in zip(products["product_id"].astype(str), categories)]
    frame = pd.DataFrame([{f.name: getattr(r, f.name) for f in fields(OrderParameters)} for r in rows])
    frame.insert(0, "product_id", products["product_id"].astype(str).to_numpy())
    return frame
