"""Properties of the simulated chain's loyalty customers, seasons and calendar (not exact figures)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from ml.data.schema import PRODUCT_COLUMNS, TRANSACTION_COLUMNS, Dataset
from ml.data.simulator import product_table, simulate

END = date(2024, 12, 31)


@pytest.fixture(scope="module")
def year() -> Dataset:
    return simulate(n_customers=150, days=366, end=END, seed=11)


def test_schema_and_range(year: Dataset) -> None:
    tx = year.transactions
    assert list(tx.columns) == list(TRANSACTION_COLUMNS)
    assert list(year.products.columns) == list(PRODUCT_COLUMNS)
    assert tx["timestamp"].dtype == "datetime64[ns]"
    assert (tx["quantity"] > 0).all() and (tx["price"] >= 0).all()
    assert year.end <= END and year.start >= date(2024, 1, 1)
    assert set(tx["customer_id"]) <= {str(i) for i in range(1, 151)}
    assert tx["product_id"].isin(year.products["product_id"]).all()
    assert tx["store_id"].nunique() == 12 and set(tx["store_id"]) == set(year.stores["store_id"])
    # a basket is one customer at one moment in one store
    per_basket = tx.groupby("basket_id")[["customer_id", "timestamp", "store_id"]].nunique()
    assert (per_basket == 1).all().all()


def test_default_end_is_yesterday() -> None:
    assert simulate(n_customers=20, days=30).end <= date.today()


def test_deterministic() -> None:
    a = simulate(n_customers=40, days=60, end=END, seed=5, anonymous=True)
    b = simulate(n_customers=40, days=60, end=END, seed=5, anonymous=True)
    c = simulate(n_customers=40, days=60, end=END, seed=6, anonymous=True)
    for table in ("transactions", "products", "stores", "signals", "stock"):
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table))
    assert not a.transactions.equals(c.transactions)
    assert not a.stock.equals(c.stock)


def test_weekly_pattern(year: Dataset) -> None:
    tx = year.transactions
    volume = tx.groupby(tx["timestamp"].dt.dayofweek)["quantity"].sum()
    assert volume[5] > 1.3 * volume[1]  # Saturday > Tuesday
    assert volume[6] < 0.5 * volume[1]  # Sunday: mornings only
    assert tx.loc[tx["timestamp"].dt.dayofweek == 6, "timestamp"].dt.hour.max() < 13


def test_closed_on_holidays_and_rush_before(year: Dataset) -> None:
    day = year.transactions["timestamp"].dt.normalize()
    daily = day.value_counts()
    for closed in ("2024-01-01", "2024-05-01", "2024-12-25"):
        assert pd.Timestamp(closed) not in daily.index
    tuesdays = daily[daily.index.dayofweek == 1]
    assert daily[pd.Timestamp("2024-12-24")] > tuesdays.median()  # a Tuesday before Christmas
    assert daily[pd.Timestamp("2024-04-30")] > tuesdays.median()  # a Tuesday before 1 May


def test_seasonal_products(year: Dataset) -> None:
    tx = year.transactions
    month = tx["timestamp"].dt.month
    names = dict(zip(year.products["name"], year.products["product_id"]))

    def sold(name: str, months: list[int]) -> float:
        return tx.loc[(tx["product_id"] == names[name]) & month.isin(months), "quantity"].sum()

    assert sold("Fraises", [5, 6, 7]) > 4 * sold("Fraises", [11, 12, 1])
    assert sold("Fromage à raclette", [12, 1, 2]) > 3 * sold("Fromage à raclette", [6, 7, 8])
    assert sold("Bûche de Noël", [12]) > 0 and sold("Bûche de Noël", list(range(1, 12))) == 0
    assert sold("Galette des rois", [1]) > 0 and sold("Galette des rois", list(range(2, 13))) == 0
    assert sold("Rosé de Provence", [6, 7, 8]) > sold("Rosé de Provence", [12, 1, 2])


def test_customers_rebuy_their_favourites(year: Dataset) -> None:
    tx = year.transactions
    baskets = tx.groupby("customer_id")["basket_id"].nunique()
    regulars = baskets[baskets >= 20].index
    pairs = tx[tx["customer_id"].isin(regulars)].groupby(["customer_id", "product_id"])["basket_id"].nunique()
    share_top = pairs.groupby(level="customer_id").max() / baskets[regulars]
    assert (share_top > 0.3).mean() > 0.8  # most regulars buy some product on over 30 % of their trips


def test_segments_differ_in_basket_size(year: Dataset) -> None:
    tx = year.transactions
    lines = tx.groupby(["customer_id", "basket_id"]).size().groupby(level="customer_id").mean()
    assert lines.quantile(0.9) > 1.5 * lines.quantile(0.1)


def test_catalogue_is_french_with_aliases() -> None:
    products = product_table()
    assert len(products) >= 60 and products["product_id"].is_unique
    assert {"Pâtes", "Baguette tradition", "Yaourt nature", "Champagne brut"} <= set(products["name"])
    assert (products["aliases"] != "").all()
    assert "yogurt" in products.set_index("name").loc["Yaourt nature", "aliases"].split("|")


def test_slow_movers_are_intermittent(year: Dataset) -> None:
    tx = year.transactions
    day = tx["timestamp"].dt.normalize()
    open_days = day.nunique()
    names = dict(zip(year.products["name"], year.products["product_id"]))
    days_sold = tx.assign(day=day).groupby("product_id")["day"].nunique() / open_days
    assert days_sold[names["Baguette tradition"]] > 0.95
    assert days_sold[names["Huile d'olive"]] < 0.6
    assert days_sold[names["Lessive liquide"]] < 0.6


def test_promotions_lower_the_price(year: Dataset) -> None:
    prices = year.transactions.groupby("product_id")["price"]
    discount = prices.min() / prices.max()
    assert (discount < 0.75).mean() > 0.5  # most products had at least one -30 % week
