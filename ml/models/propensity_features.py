"""Features of the propensity task: what a customer's past says about buying a product soon.

Everything is computed from the history strictly before a cutoff day ``t`` (a purchase on
day ``t`` itself is the future). The work is split in three pure steps so that a fitted
model can keep a compact summary instead of the whole log:

1. :func:`prepare_history` turns the canonical transactions into integer arrays (once).
2. :func:`summarise` aggregates the history before ``t`` per pair, customer and product.
3. :func:`pair_features` looks the aggregates up for any (customer, product) pairs.

:func:`build_features` chains the three for callers holding a transactions frame.

Feature codes (all "days" are whole days before the cutoff, a purchase yesterday is 1):

==================  ==========================================================================
pair_n_30/90/all    baskets of the customer containing the product in the last 30 / 90 days / ever
pair_days_since     days since the customer last bought the product (capped at 365)
pair_never          1 if the customer never bought the product
pair_interval       mean days between the customer's purchase days of the product (NaN if < 2)
pair_due_ratio      pair_days_since / pair_interval (about 1 when a purchase is "due"; NaN if no cycle)
cust_visits_30/90   the customer's baskets in the last 30 / 90 days
cust_visits_all     the customer's baskets ever
cust_days_since     days since the customer's last basket (capped at 365)
cust_basket_value   mean basket value (quantity x price summed per basket)
cust_n_products     distinct products the customer ever bought
cust_tenure         days since the customer's first basket (capped at 365)
prod_share_h        share of customers active in the last ``horizon_days`` who bought the product then
prod_share_90       the same over the last 90 days
prod_repurchase     share of the product's buyers who bought it on two days or more
==================  ==========================================================================

:func:`profile_features` maps a what-if :class:`ml.results.CustomerProfile` onto the same
columns (the mapping is documented there).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ml.results import CustomerProfile

DAYS_CAP = 365

PAIR_FEATURES: tuple[str, ...] = (
    "pair_n_30", "pair_n_90", "pair_n_all", "pair_days_since", "pair_never", "pair_interval", "pair_due_ratio",
)
CUSTOMER_FEATURES: tuple[str, ...] = (
    "cust_visits_30", "cust_visits_90", "cust_visits_all", "cust_days_since", "cust_basket_value",
    "cust_n_products", "cust_tenure",
)
PRODUCT_FEATURES: tuple[str, ...] = ("prod_share_h", "prod_share_90", "prod_repurchase")
ALL_FEATURES: tuple[str, ...] = PAIR_FEATURES + CUSTOMER_FEATURES + PRODUCT_FEATURES

_EPOCH_DAY = np.datetime64("1970-01-01", "D")


def day_number(when: pd.Timestamp | np.datetime64 | str) -> int:
    """Whole days since 1970-01-01 of ``when`` (the time of day is dropped)."""
    return int((np.datetime64(pd.Timestamp(when).normalize().to_datetime64(), "D") - _EPOCH_DAY).astype(np.int64))


@dataclass(frozen=True)
class History:
    """A transaction log as integer arrays, one entry per line.

    ``customers[cust[i]]`` and ``products[prod[i]]`` are the ids of line ``i``; ``basket`` numbers
    baskets (``basket_id`` per customer, or customer and day when absent); ``day`` is
    :func:`day_number` of the timestamp; ``value`` is quantity x price.
    """

    customers: pd.Index
    products: pd.Index
    cust: np.ndarray
    prod: np.ndarray
    basket: np.ndarray
    day: np.ndarray
    value: np.ndarray

    @property
    def first_day(self) -> int:
        return int(self.day.min())

    @property
    def last_day(self) -> int:
        return int(self.day.max())


def prepare_history(transactions: pd.DataFrame) -> History:
    """Encode canonical transactions (see :mod:`ml.data.schema`) as a :class:`History`.

    Anonymous tickets (``customer_id`` <NA>) are dropped: they say nothing about a customer.
    """
    transactions = transactions[transactions["customer_id"].notna()]
    cust_codes, customers = pd.factorize(transactions["customer_id"].astype(str), sort=True)
    prod_codes, products = pd.factorize(transactions["product_id"].astype(str), sort=True)
    day = (transactions["timestamp"].to_numpy().astype("datetime64[D]") - _EPOCH_DAY).astype(np.int64)
    if "basket_id" in transactions.columns:
        basket_key = transactions["basket_id"].astype("string")
    else:
        basket_key = pd.Series(pd.NA, index=transactions.index, dtype="string")
    # a missing basket id falls back to "that customer's purchases of that day"
    basket_key = basket_key.fillna(pd.Series("day:" + pd.Series(day, index=transactions.index).astype(str),
                                             index=transactions.index, dtype="string"))
    keys = pd.DataFrame({"c": cust_codes, "b": basket_key.to_numpy()})
    basket = keys.groupby(["c", "b"], sort=False).ngroup().to_numpy(np.int64)
    value = (transactions["quantity"].to_numpy(np.float64) * transactions["price"].to_numpy(np.float64))
    return History(
        customers=pd.Index(customers, dtype=object), products=pd.Index(products, dtype=object),
        cust=cust_codes.astype(np.int64), prod=prod_codes.astype(np.int64), basket=basket, day=day, value=value,
    )


@dataclass(frozen=True)
class HistorySummary:
    """Aggregates of a :class:`History` before ``cutoff`` (a day number, see :func:`day_number`).

    ``pair_keys`` (sorted) encode the pairs bought before the cutoff as
    ``customer_code * n_products + product_code``; ``pair_table`` holds their aggregates in the same
    order. ``customer_table`` and ``product_table`` have one row per code plus a last row for
    "no history", which code ``-1`` (unknown id) selects.
    """

    cutoff: int
    horizon_days: int
    customers: pd.Index
    products: pd.Index
    pair_keys: np.ndarray
    pair_table: pd.DataFrame  # n_30, n_90, n_all, days_since, interval
    customer_table: pd.DataFrame  # CUSTOMER_FEATURES + "active"
    product_table: pd.DataFrame  # PRODUCT_FEATURES + "buyers_90"

    @property
    def n_products(self) -> int:
        return len(self.products)

    def active_customers(self) -> np.ndarray:
        """Codes of the customers with at least one basket before the cutoff."""
        return np.flatnonzero(self.customer_table["active"].to_numpy()[:-1])


def summarise(history: History, cutoff: int, horizon_days: int) -> HistorySummary:
    """Aggregate the lines of ``history`` dated strictly before day ``cutoff``."""
    n_cust, n_prod = len(history.customers), len(history.products)
    mask = history.day < cutoff
    cust, prod, basket = history.cust[mask], history.prod[mask], history.basket[mask]
    age = np.minimum(cutoff - history.day[mask], DAYS_CAP)

    baskets = (pd.DataFrame({"c": cust, "b": basket, "age": age, "v": history.value[mask]})
               .groupby("b", sort=False).agg(c=("c", "first"), age=("age", "min"), v=("v", "sum")))
    b_age = baskets["age"].to_numpy()
    per_cust = pd.DataFrame({
        "c": baskets["c"].to_numpy(), "in30": b_age <= 30, "in90": b_age <= 90, "age": b_age,
        "v": baskets["v"].to_numpy(),
    }).groupby("c").agg(visits_30=("in30", "sum"), visits_90=("in90", "sum"), visits_all=("age", "size"),
                        days_since=("age", "min"), tenure=("age", "max"), value=("v", "mean"))

    lines = pd.DataFrame({"k": cust * n_prod + prod, "b": basket, "age": age}).drop_duplicates(["k", "b"])
    l_age = lines["age"].to_numpy()
    lines["in30"], lines["in90"] = l_age <= 30, l_age <= 90
    pairs = lines.groupby("k").agg(n_30=("in30", "sum"), n_90=("in90", "sum"), n_all=("age", "size"),
                                   days_since=("age", "min"), first=("age", "max"))
    n_days = lines.drop_duplicates(["k", "age"]).groupby("k").size().reindex(pairs.index).to_numpy()
    span = (pairs["first"] - pairs["days_since"]).to_numpy(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        interval = np.where(n_days >= 2, span / (n_days - 1), np.nan)
    pair_keys = pairs.index.to_numpy(np.int64)
    pair_table = pd.DataFrame({
        "n_30": pairs["n_30"].to_numpy(np.float64), "n_90": pairs["n_90"].to_numpy(np.float64),
        "n_all": pairs["n_all"].to_numpy(np.float64), "days_since": pairs["days_since"].to_numpy(np.float64),
        "interval": interval,
    })

    customer_table = pd.DataFrame(0.0, index=pd.RangeIndex(n_cust + 1), columns=list(CUSTOMER_FEATURES))
    customer_table["cust_days_since"] = float(DAYS_CAP)
    idx = per_cust.index.to_numpy()
    customer_table.loc[idx, "cust_visits_30"] = per_cust["visits_30"].to_numpy(np.float64)
    customer_table.loc[idx, "cust_visits_90"] = per_cust["visits_90"].to_numpy(np.float64)
    customer_table.loc[idx, "cust_visits_all"] = per_cust["visits_all"].to_numpy(np.float64)
    customer_table.loc[idx, "cust_days_since"] = per_cust["days_since"].to_numpy(np.float64)
    customer_table.loc[idx, "cust_basket_value"] = per_cust["value"].to_numpy(np.float64)
    customer_table.loc[idx, "cust_tenure"] = per_cust["tenure"].to_numpy(np.float64)
    pair_cust = pair_keys // n_prod if n_prod else pair_keys
    customer_table["cust_n_products"] = np.bincount(pair_cust, minlength=n_cust + 1).astype(np.float64)
    customer_table["active"] = False
    customer_table.loc[idx, "active"] = True

    product_table = pd.DataFrame(0.0, index=pd.RangeIndex(n_prod + 1), columns=list(PRODUCT_FEATURES))
    for window, column in ((horizon_days, "prod_share_h"), (90, "prod_share_90")):
        recent = age <= window
        n_active = len(np.unique(cust[recent]))
        buyers = np.bincount(np.unique(cust[recent] * n_prod + prod[recent]) % max(n_prod, 1),
                             minlength=n_prod + 1).astype(np.float64)
        product_table[column] = buyers / n_active if n_active else 0.0
        if window == 90:
            product_table["buyers_90"] = buyers
    pair_prod = pair_keys % n_prod if n_prod else pair_keys
    n_buyers = np.bincount(pair_prod, minlength=n_prod + 1)
    n_repeat = np.bincount(pair_prod, weights=(n_days >= 2).astype(np.float64), minlength=n_prod + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        product_table["prod_repurchase"] = np.where(n_buyers > 0, n_repeat / np.maximum(n_buyers, 1), 0.0)
    return HistorySummary(cutoff=int(cutoff), horizon_days=int(horizon_days), customers=history.customers,
                          products=history.products, pair_keys=pair_keys, pair_table=pair_table,
                          customer_table=customer_table, product_table=product_table)


def lookup_pairs(summary: HistorySummary, cust: np.ndarray, prod: np.ndarray) -> np.ndarray:
    """Row of each (customer, product) code pair in ``summary.pair_table``, ``-1`` if never bought."""
    keys = np.asarray(cust, np.int64) * summary.n_products + np.asarray(prod, np.int64)
    pos = np.searchsorted(summary.pair_keys, keys)
    pos_ok = np.minimum(pos, max(len(summary.pair_keys) - 1, 0))
    found = (pos < len(summary.pair_keys)) & (np.asarray(cust) >= 0) & (np.asarray(prod) >= 0)
    if len(summary.pair_keys):
        found &= summary.pair_keys[pos_ok] == keys
    return np.where(found, pos_ok, -1)


def pair_features(summary: HistorySummary, cust: np.ndarray, prod: np.ndarray) -> pd.DataFrame:
    """The :data:`ALL_FEATURES` of each (customer code, product code) pair, one row per pair."""
    cust = np.asarray(cust, np.int64)
    prod = np.asarray(prod, np.int64)
    row = lookup_pairs(summary, cust, prod)
    found = row >= 0
    table = summary.pair_table
    take = np.where(found, row, 0)

    def pick(column: str, missing: float) -> np.ndarray:
        if not len(table):
            return np.full(len(row), missing)
        return np.where(found, table[column].to_numpy()[take], missing)

    out = pd.DataFrame({
        "pair_n_30": pick("n_30", 0.0), "pair_n_90": pick("n_90", 0.0), "pair_n_all": pick("n_all", 0.0),
        "pair_days_since": pick("days_since", float(DAYS_CAP)), "pair_never": (~found).astype(np.float64),
        "pair_interval": pick("interval", np.nan),
    })
    with np.errstate(divide="ignore", invalid="ignore"):
        out["pair_due_ratio"] = out["pair_days_since"] / out["pair_interval"]
    customers = summary.customer_table.iloc[cust]  # -1 selects the "no history" row
    products = summary.product_table.iloc[prod]
    for column in CUSTOMER_FEATURES:
        out[column] = customers[column].to_numpy(np.float64)
    for column in PRODUCT_FEATURES:
        out[column] = products[column].to_numpy(np.float64)
    return out[list(ALL_FEATURES)]


def build_features(transactions: pd.DataFrame, cutoff: pd.Timestamp | str, pairs: pd.DataFrame,
                   horizon_days: int = 14) -> pd.DataFrame:
    """Features of ``pairs[customer_id, product_id]`` from the transactions dated before ``cutoff``."""
    history = prepare_history(transactions)
    summary = summarise(history, day_number(cutoff), horizon_days)
    cust = summary.customers.get_indexer(pairs["customer_id"].astype(str)).astype(np.int64)  # -1: unknown
    prod = summary.products.get_indexer(pairs["product_id"].astype(str)).astype(np.int64)
    return pair_features(summary, cust, prod)


def candidate_pairs(summary: HistorySummary, n_popular: int = 300, negatives_per_repeat: float = 1.0,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The (customer code, product code) pairs worth scoring at the summary's cutoff.

    Every pair bought before the cutoff ("repeat" candidates), plus, per customer, about
    ``negatives_per_repeat`` times as many products drawn uniformly among the ``n_popular`` products
    with the most buyers in the last 90 days that the customer never bought (fixed ``seed``).
    """
    n_prod = summary.n_products
    rep_cust = summary.pair_keys // n_prod
    rep_prod = summary.pair_keys % n_prod
    buyers = summary.product_table["buyers_90"].to_numpy()[:-1]
    popular = np.argsort(-buyers, kind="stable")[:n_popular]
    popular = popular[buyers[popular] > 0]
    active = summary.active_customers()
    if not len(popular) or not len(active) or negatives_per_repeat <= 0:
        return rep_cust, rep_prod
    rng = np.random.default_rng(seed)
    order = np.argsort(rng.random((len(active), len(popular))), axis=1)
    pool = popular[order]  # a random permutation of the popular products per customer
    cust_grid = np.repeat(active, len(popular)).reshape(len(active), len(popular))
    unbought = lookup_pairs(summary, cust_grid.ravel(), pool.ravel()).reshape(pool.shape) < 0
    wanted = np.rint(np.bincount(rep_cust, minlength=len(summary.customers))[active] * negatives_per_repeat)
    rank = np.cumsum(unbought, axis=1)
    take = unbought & (rank <= wanted[:, None])
    cust = np.concatenate([rep_cust, cust_grid[take]])
    prod = np.concatenate([rep_prod, pool[take]])
    return cust, prod


def purchase_labels(history: History, start: int, horizon_days: int, cust: np.ndarray,
                    prod: np.ndarray) -> np.ndarray:
    """1 where the customer bought the product in days ``[start, start + horizon_days)``, else 0."""
    n_prod = len(history.products)
    window = (history.day >= start) & (history.day < start + horizon_days)
    bought = np.unique(history.cust[window] * n_prod + history.prod[window])
    keys = np.asarray(cust, np.int64) * n_prod + np.asarray(prod, np.int64)
    return np.isin(keys, bought).astype(np.int8)


# --- what-if profiles --------------------------------------------------------------------------

_VISIT_BINS = np.array([0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, np.inf])  # cust_visits_90, left-closed
_MAX_TIMES = 12  # pair defaults are learned per pair_n_90 = 0..12 (12 = "12 or more")


@dataclass(frozen=True)
class ProfileDefaults:
    """Values for what a :class:`CustomerProfile` does not say, learned from a summary.

    ``pair`` is indexed by ``min(pair_n_90, 12)`` over the pairs bought before the cutoff (medians of
    pair_n_all, pair_days_since, pair_interval, where "no cycle yet" counts as an infinite interval);
    ``customer`` is indexed by the bin of cust_visits_90 (medians of cust_visits_all, cust_n_products,
    cust_tenure over active customers).
    """

    pair: pd.DataFrame
    customer: pd.DataFrame


def _median_inf(values: pd.Series) -> float:
    filled = values.fillna(np.inf).to_numpy()
    median = float(np.quantile(filled, 0.5, method="lower")) if len(filled) else np.inf
    return median if np.isfinite(median) else np.nan


def learn_profile_defaults(summary: HistorySummary) -> ProfileDefaults:
    table = summary.pair_table
    times = np.minimum(table["n_90"].to_numpy(), _MAX_TIMES).astype(int)
    rows = []
    for k in range(_MAX_TIMES + 1):
        part = table[times == k]
        rows.append({
            "pair_n_all": float(part["n_all"].median()) if len(part) else float(max(k, 1)),
            "pair_days_since": float(part["days_since"].median()) if len(part) else (45.0 if k else 180.0),
            "pair_interval": _median_inf(part["interval"]) if len(part) else np.nan,
        })
    pair = pd.DataFrame(rows)
    # more purchases in 90 days never means fewer purchases ever
    pair["pair_n_all"] = np.maximum(np.maximum.accumulate(pair["pair_n_all"].to_numpy()), np.arange(_MAX_TIMES + 1))
    customers = summary.customer_table.iloc[:-1]
    customers = customers[customers["active"].to_numpy(bool)]
    bins = np.digitize(customers["cust_visits_90"].to_numpy(), _VISIT_BINS[1:-1])
    medians = customers[["cust_visits_all", "cust_n_products", "cust_tenure"]].groupby(bins).median()
    overall = customers[["cust_visits_all", "cust_n_products", "cust_tenure"]].median()
    customer = medians.reindex(range(len(_VISIT_BINS) - 1)).fillna(overall).fillna(0.0)
    return ProfileDefaults(pair=pair, customer=customer)


def profile_features(profile: CustomerProfile, product_code: int, summary: HistorySummary,
                     defaults: ProfileDefaults) -> pd.DataFrame:
    """One row of :data:`ALL_FEATURES` for a what-if customer and a product.

    Mapping (profile field -> features):

    - ``visits_per_month`` -> cust_visits_30 = v, cust_visits_90 = 3 v;
    - ``days_since_last_visit`` -> cust_days_since (at least 1: "today" counts as the last day before the cutoff);
    - ``avg_basket_value`` -> cust_basket_value (in the currency of the data);
    - ``times_bought_product`` (90 days) -> pair_n_90; pair_n_30 = 0 if the last purchase is over 30 days
      old, else the 30/90 share of the 90-day count (at least 1);
    - ``days_since_last_bought_product`` -> pair_days_since (None with 0 purchases: never bought, pair_never = 1;
      None with purchases: the learned median for that count), never below days_since_last_visit;
    - not in the profile: pair_n_all, pair_interval (pair_due_ratio follows) from :class:`ProfileDefaults`
      by 90-day count; cust_visits_all, cust_n_products, cust_tenure by the visits bin; product features
      from the product's own row.
    """
    times = max(int(profile.times_bought_product), 0)
    last = profile.days_since_last_bought_product
    visit_days = float(min(max(int(profile.days_since_last_visit), 1), DAYS_CAP))
    row: dict[str, float] = {}
    if times == 0 and last is None:
        row.update(pair_n_30=0.0, pair_n_90=0.0, pair_n_all=0.0, pair_days_since=float(DAYS_CAP), pair_never=1.0,
                   pair_interval=np.nan)
    else:
        pair = defaults.pair.iloc[min(times, _MAX_TIMES)]
        days = float(pair["pair_days_since"]) if last is None else float(last)
        days = min(max(days, visit_days, 1.0), float(DAYS_CAP))
        n_30 = 0.0 if days > 30 or times == 0 else float(max(1, round(times * 30 / 90)))
        row.update(pair_n_30=n_30, pair_n_90=float(times), pair_n_all=float(max(pair["pair_n_all"], times, 1)),
                   pair_days_since=days, pair_never=0.0, pair_interval=float(pair["pair_interval"]))
    with np.errstate(divide="ignore", invalid="ignore"):
        row["pair_due_ratio"] = row["pair_days_since"] / row["pair_interval"]
    visits = max(float(profile.visits_per_month), 0.0)
    bin_index = int(np.digitize([3 * visits], _VISIT_BINS[1:-1])[0])
    cust = defaults.customer.iloc[bin_index]
    row.update(
        cust_visits_30=visits, cust_visits_90=3 * visits,
        cust_visits_all=float(max(cust["cust_visits_all"], 3 * visits)),
        cust_days_since=visit_days, cust_basket_value=max(float(profile.avg_basket_value), 0.0),
        cust_n_products=float(max(cust["cust_n_products"], 1.0 if row["pair_never"] == 0 else 0.0)),
        cust_tenure=float(max(cust["cust_tenure"], row["pair_days_since"] if row["pair_never"] == 0 else 0.0,
                              visit_days)),
    )
    product = summary.product_table.iloc[product_code]
    for column in PRODUCT_FEATURES:
        row[column] = float(product[column])
    return pd.DataFrame([row])[list(ALL_FEATURES)]
