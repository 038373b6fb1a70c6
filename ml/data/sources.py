"""Loaders for the public datasets in DATA_DIR (read-only; nothing is cached on disk).

* UCI Online Retail (``online_retail.csv.xz``): a UK gift-ware e-shop, 2010-12 to 2011-12, GBP.
* 84.51° / dunnhumby Complete Journey (``completejourney_*.csv.gz``): US grocery baskets, 2017.

Both return a validated :class:`Dataset` in the canonical schema.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ml.data.schema import Dataset
from ml.data.validate import canonical_products, clean_ids, coerce_transactions, validate_dataset
from ml.errors import DataFormatError

ONLINE_RETAIL_FILE = "online_retail.csv.xz"
COMPLETEJOURNEY_TRANSACTIONS_FILE = "completejourney_transactions_sample.csv.gz"
COMPLETEJOURNEY_PRODUCTS_FILE = "completejourney_products.csv.gz"

# StockCodes of Online Retail that are fees, postage, manual adjustments or vouchers, not products.
NON_PRODUCT_CODES: frozenset[str] = frozenset({
    "POST", "DOT", "M", "C2", "BANK CHARGES", "AMAZONFEE", "PADS", "D", "CRUK", "S", "B",
})
_VOUCHER_PATTERN = r"^GIFT_"

_ONLINE_RETAIL_COLUMNS = ("InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
                          "CustomerID", "Country")


def _require_file(path: Path, what: str) -> Path:
    if not path.is_file():
        raise DataFormatError(
            f"{what} file not found at {path.resolve()}; DATA_DIR selects the folder holding it "
            f"(or set DATA_SOURCE=simulator)", path=str(path))
    return path


def _check_columns(frame: pd.DataFrame, required: tuple[str, ...], path: Path) -> None:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise DataFormatError(f"column {missing[0]!r} is missing from {path}; the file has: "
                              f"{', '.join(map(str, frame.columns))}", path=str(path), column=missing[0])


def clean_online_retail(raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw Online Retail rows -> (canonical-named raw transactions, products).

    Drops cancellations (InvoiceNo starting with C) together with the purchase
    line each one cancels (see :func:`cancelled_purchases`), non-positive
    quantities and prices, rows without CustomerID and non-product StockCodes; a
    product's name is its most frequent Description.
    """
    invoice = raw["InvoiceNo"].astype("string").str.strip()
    code = raw["StockCode"].astype("string").str.strip().str.upper()
    quantity = pd.to_numeric(raw["Quantity"], errors="coerce")
    price = pd.to_numeric(raw["UnitPrice"], errors="coerce")
    customer = clean_ids(raw["CustomerID"])
    is_cancel = invoice.str.upper().str.startswith("C").fillna(True)
    when = pd.to_datetime(raw["InvoiceDate"], errors="coerce")
    cancelled = cancelled_purchases(is_cancel, customer, code, quantity, when)
    keep = (
        ~is_cancel & ~cancelled
        & quantity.gt(0) & price.gt(0)
        & customer.ne("")
        & code.notna() & ~code.isin(NON_PRODUCT_CODES) & ~code.str.match(_VOUCHER_PATTERN).fillna(False)
    ).fillna(False).astype(bool)
    kept = raw[keep.to_numpy()]
    canonical = pd.DataFrame({
        "customer_id": customer[keep],
        "product_id": code[keep],
        "timestamp": kept["InvoiceDate"],
        "quantity": quantity[keep],
        "price": price[keep],
        "store_id": kept["Country"],
        "basket_id": invoice[keep],
    })
    description = kept["Description"].astype("string").str.strip()
    pairs = pd.DataFrame({"product_id": canonical["product_id"], "name": description})
    pairs = pairs[pairs["name"].notna() & pairs["name"].ne("")]
    counts = pairs.value_counts(["product_id", "name"]).reset_index(name="n")
    best = counts.sort_values(["product_id", "n", "name"], ascending=[True, False, True]).drop_duplicates("product_id")
    products = pd.DataFrame({"product_id": pd.unique(canonical["product_id"])})
    products["name"] = products["product_id"].map(best.set_index("product_id")["name"]).fillna(products["product_id"])
    products["category"] = pd.NA
    products["aliases"] = ""
    return canonical, canonical_products(products)


def cancelled_purchases(is_cancel: pd.Series, customer: pd.Series, code: pd.Series, quantity: pd.Series,
                        when: pd.Series) -> pd.Series:
    """Mask of the purchase lines that a later cancellation line undoes.

    A cancellation (negative quantity) undoes the latest earlier purchase of the
    same customer, product and quantity. Without this, an order of 80,995 units
    cancelled minutes later would stay in the demand history as a real sale.
    """
    frame = pd.DataFrame({"customer": customer.astype("string"), "code": code.astype("string"),
                          "units": quantity.abs(), "when": when})
    valid = frame.notna().all(axis=1) & customer.ne("")
    cancels = frame[valid & is_cancel & quantity.lt(0)]
    purchases = frame[valid & ~is_cancel & quantity.gt(0)]
    if cancels.empty or purchases.empty:
        return pd.Series(False, index=is_cancel.index)
    purchases = purchases.assign(row=purchases.index).sort_values("when", kind="stable")
    matched = pd.merge_asof(cancels.sort_values("when", kind="stable"), purchases, on="when",
                            by=["customer", "code", "units"], direction="backward")
    undone = matched["row"].dropna().astype(purchases["row"].dtype)
    return pd.Series(is_cancel.index.isin(undone), index=is_cancel.index)


def load_online_retail(path: str | Path) -> Dataset:
    """The full UCI Online Retail log (``online_retail.csv.xz``), cleaned. store_id is the customer's Country."""
    path = _require_file(Path(path), "Online Retail")
    try:
        raw = pd.read_csv(path, dtype={"InvoiceNo": str, "StockCode": str, "Description": str, "Country": str,
                                       "InvoiceDate": str}, encoding="utf-8")
    except (OSError, ValueError, EOFError) as exc:
        raise DataFormatError(f"cannot read {path}: {exc}", path=str(path)) from exc
    if len(raw.columns) and (str(raw.columns[0]) == "" or str(raw.columns[0]).startswith("Unnamed: 0")):
        raw = raw.drop(columns=raw.columns[0])
    _check_columns(raw, _ONLINE_RETAIL_COLUMNS, path)
    canonical, products = clean_online_retail(raw)
    transactions = coerce_transactions(canonical, path=str(path))
    return validate_dataset(Dataset("online_retail", transactions, products, country="GB"))


def _product_names(products: pd.DataFrame) -> pd.Series:
    """'Yogurt - Light (National)': product_type, else product_category, else department; with the brand."""
    def text(column: str) -> pd.Series:
        return products[column].astype("string").str.strip().replace("", pd.NA)

    kind = text("product_type").fillna(text("product_category")).fillna(text("department"))
    kind = kind.fillna("product " + products["product_id"].astype(str)).str.capitalize()
    brand = text("brand").fillna("")
    return (kind + brand.map(lambda b: f" ({b.lower()})" if b else "")).astype(object)


def load_completejourney(data_dir: str | Path) -> Dataset:
    """The Complete Journey transactions sample and its products (names from product type/category/brand)."""
    data_dir = Path(data_dir)
    tx_path = _require_file(data_dir / COMPLETEJOURNEY_TRANSACTIONS_FILE, "Complete Journey transactions")
    products_path = _require_file(data_dir / COMPLETEJOURNEY_PRODUCTS_FILE, "Complete Journey products")
    try:
        raw = pd.read_csv(tx_path, dtype={"household_id": str, "store_id": str, "basket_id": str, "product_id": str,
                                          "transaction_timestamp": str})
        raw_products = pd.read_csv(products_path, dtype=str, keep_default_na=False)
    except (OSError, ValueError, EOFError) as exc:
        raise DataFormatError(f"cannot read {data_dir}: {exc}", path=str(data_dir)) from exc
    _check_columns(raw, ("household_id", "store_id", "basket_id", "product_id", "quantity", "sales_value",
                         "transaction_timestamp"), tx_path)
    _check_columns(raw_products, ("product_id", "department", "brand", "product_category", "product_type"),
                   products_path)
    raw = raw[pd.to_numeric(raw["quantity"], errors="coerce").gt(0).to_numpy()]
    quantity = pd.to_numeric(raw["quantity"], errors="coerce")
    canonical = pd.DataFrame({
        "customer_id": raw["household_id"],
        "product_id": raw["product_id"],
        "timestamp": raw["transaction_timestamp"],
        "quantity": quantity,
        "price": (pd.to_numeric(raw["sales_value"], errors="coerce") / quantity).clip(lower=0),
        "store_id": raw["store_id"],
        "basket_id": raw["basket_id"],
    })
    transactions = coerce_transactions(canonical, path=str(tx_path))
    raw_products["product_id"] = clean_ids(raw_products["product_id"])
    raw_products = raw_products.drop_duplicates("product_id")
    used = raw_products[raw_products["product_id"].isin(set(transactions["product_id"]))]
    products = pd.DataFrame({
        "product_id": used["product_id"],
        "name": _product_names(used),
        "category": used["product_category"].replace("", pd.NA),
        "aliases": (used["product_category"].str.strip() + "|" + used["department"].str.strip()).str.strip("|"),
    })
    missing = sorted(set(transactions["product_id"]) - set(products["product_id"]))
    if missing:
        products = pd.concat([products, pd.DataFrame({"product_id": missing, "name": missing, "category": pd.NA,
                                                      "aliases": ""})], ignore_index=True)
    return validate_dataset(Dataset("completejourney", transactions, canonical_products(products), country="US"))
