"""The simulated chain: stores, assortments, anonymous sales, promotions, school holidays, signals and stock."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ml.data.schema import SIGNAL_COLUMNS, STOCK_COLUMNS, STORE_COLUMNS, Dataset
from ml.data.simulator import FUTURE_DAYS, product_table, simulate, write_stock_csv, write_stores_csv
from ml.data.simulator.chain import PROXIMITY, SUPERMARKET, build_chain
from ml.data.simulator.demand import make_days, store_traffic
from ml.data.simulator.products import storable_products

END = date(2025, 5, 31)  # spring 2025: zone A alone on holiday 3-9 March and 28 April - 4 May
ONLY_A = pd.to_datetime(["2025-03-03", "2025-03-04", "2025-03-05", "2025-03-06", "2025-03-07", "2025-03-08",
                         "2025-04-28", "2025-04-29", "2025-04-30", "2025-05-02", "2025-05-03"])
NO_SCHOOL_HOLIDAY = pd.date_range("2025-03-10", "2025-03-29")  # no zone on holiday


@pytest.fixture(scope="module")
def chain() -> Dataset:
    return simulate(n_customers=80, days=200, end=END, seed=3, anonymous=True)


def daily(dataset: Dataset) -> pd.DataFrame:
    """Units per store x product x day (every customer, anonymous or not), with the day's signals."""
    tx = dataset.transactions
    units = (tx.assign(date=tx["timestamp"].dt.normalize(), store_id=tx["store_id"].astype(str))
             .groupby(["store_id", "product_id", "date"])["quantity"].sum().rename("units").reset_index())
    signals = dataset.signals[dataset.signals["date"] <= pd.Timestamp(END)]
    out = signals.merge(units, on=["store_id", "product_id", "date"], how="left").fillna({"units": 0.0})
    return out[out["date"].dt.dayofweek < 6]  # Sundays are half days


def test_stores_regions_formats_and_zones(chain: Dataset) -> None:
    stores = chain.stores
    assert list(stores.columns) == list(STORE_COLUMNS) and len(stores) == 12
    assert stores["store_id"].is_unique and stores["name"].is_unique
    assert 3 <= stores["region"].nunique() <= 4
    assert set(stores["format"]) == {PROXIMITY, SUPERMARKET}
    zone = dict(zip(stores["city"], stores["zone"]))
    assert (zone["Lyon"], zone["Nantes"], zone["Lille"], zone["Paris"]) == ("A", "B", "B", "C")
    assert "Lyon Part-Dieu" in set(stores["name"]) and "Nantes Talensac" in set(stores["name"])
    assert set(chain.transactions["store_id"]) == set(stores["store_id"])


def test_more_stores_get_more_french_cities() -> None:
    stores = build_chain(60, np.random.default_rng(0)).stores
    assert stores["store_id"].is_unique and stores["name"].is_unique and len(stores) == 60
    assert stores["zone"].isin(["A", "B", "C"]).all() and stores["region"].nunique() >= 8
    assert set(stores.loc[stores["city"] == "Marseille", "zone"]) == {"B"}


def test_every_store_has_its_own_assortment(chain: Dataset) -> None:
    carried = chain.signals.groupby("store_id")["product_id"].agg(frozenset)
    fmt = chain.stores.set_index("store_id")["format"]
    n_products = len(chain.products)
    proximity = [len(carried[s]) for s in carried.index if fmt[s] == PROXIMITY]
    supermarket = [len(carried[s]) for s in carried.index if fmt[s] == SUPERMARKET]
    assert max(proximity) < n_products and np.mean(proximity) < np.mean(supermarket)
    assert len({carried[s] for s in carried.index if fmt[s] == PROXIMITY}) > 1  # each its own subset
    sold = chain.transactions[["store_id", "product_id"]].astype(str).drop_duplicates()
    assert all(p in carried[s] for s, p in sold.itertuples(index=False))  # nothing sold that the store lacks


def test_anonymous_sales_are_daily_rows_without_customer(chain: Dataset) -> None:
    tx = chain.transactions
    anonymous = tx[tx["customer_id"].isna()]
    assert chain.has_customers and len(anonymous) > 0
    assert anonymous["basket_id"].isna().all()
    assert (anonymous["timestamp"] == anonymous["timestamp"].dt.normalize()).all()
    assert not anonymous.duplicated(["store_id", "product_id", "timestamp"]).any()
    assert anonymous["quantity"].sum() > 3 * tx.loc[tx["customer_id"].notna(), "quantity"].sum()
    assert tx.loc[tx["customer_id"].notna(), "basket_id"].notna().all()
    # a supermarket sells more than a proximity store
    units = tx.groupby(tx["store_id"].astype(str))["quantity"].sum()
    fmt = chain.stores.set_index("store_id")["format"]
    assert units[fmt == SUPERMARKET].mean() > 1.5 * units[fmt == PROXIMITY].mean()


def test_weekday_profiles_differ_by_format(chain: Dataset) -> None:
    frame = daily(chain).merge(chain.stores[["store_id", "format"]], on="store_id")
    by_day = frame.groupby(["format", frame["date"].dt.dayofweek])["units"].sum().unstack()
    saturday_peak = by_day[5] / by_day[[0, 1, 2, 3]].mean(axis=1)
    assert saturday_peak[SUPERMARKET] > 1.5 and saturday_peak[PROXIMITY] < 1.3


def test_promotion_uplift_and_post_promotion_dip(chain: Dataset) -> None:
    frame = daily(chain).sort_values(["store_id", "product_id", "date"])
    series = frame.groupby(["store_id", "product_id"])
    on = frame["promo"].eq(1.0)
    # the week after a promotion: some promotion day in the 7 days before, not a promotion day itself
    recent = series["promo"].transform(lambda p: p.shift(1).rolling(7, min_periods=1).max()).fillna(0)
    after = recent.eq(1.0) & ~on
    normal = ~on & ~after
    baseline = frame[normal].groupby(["store_id", "product_id"])["units"].mean().rename("baseline")
    frame = frame.join(baseline, on=["store_id", "product_id"])
    relative = frame["units"] / frame["baseline"]
    assert relative[on].mean() > 1.5  # uplift
    storable = set(chain.products["product_id"][storable_products(product_table())])
    dip = relative[after & frame["product_id"].isin(storable)].mean()
    assert dip < 0.85  # groceries stocked up at home sell less the week after


def test_prices_carry_the_discount(chain: Dataset) -> None:
    tx = chain.transactions.assign(date=chain.transactions["timestamp"].dt.normalize(),
                                   store_id=chain.transactions["store_id"].astype(str))
    merged = tx.merge(chain.signals, on=["store_id", "product_id", "date"])
    assert len(merged) == len(tx)
    base = merged["product_id"].map(product_table().set_index("product_id")["price"])
    inflation = merged["price"] / (base * merged["discount"])
    assert inflation.between(0.99, 1.03).all()
    assert merged["promo"].eq(1.0).mean() > 0.02


def test_zone_a_school_holidays_move_zone_a_stores_only(chain: Dataset) -> None:
    stores = chain.stores.set_index("name")
    days = make_days(END, 200, 0)
    rebuilt = build_chain(12, np.random.default_rng(3))  # the chain simulate(seed=3) drew first
    position = {name: i for i, name in enumerate(rebuilt.stores["name"])}
    only_a = days.index.isin(ONLY_A)
    lyon, paris = position["Lyon Part-Dieu"], position["Paris Bastille"]
    assert (stores.loc["Lyon Part-Dieu", "zone"], stores.loc["Paris Bastille", "zone"]) == ("A", "C")
    plain = rebuilt.weekday[paris][days.index.dayofweek] * days.traffic
    assert np.allclose(store_traffic(rebuilt, paris, days)[only_a], plain[only_a])  # zone C: unchanged
    assert (store_traffic(rebuilt, lyon, days)[only_a] < 0.95 * rebuilt.weekday[lyon][days.index.dayofweek[only_a]]
            * days.traffic[only_a]).all()

    frame = daily(chain)
    totals = frame.groupby(["store_id", "date"])["units"].sum()

    def holiday_ratio(name: str) -> float:
        store = totals.loc[stores.loc[name, "store_id"]]
        weekday = store.groupby(store.index.dayofweek).transform(
            lambda s: s[s.index.isin(NO_SCHOOL_HOLIDAY)].mean())
        return float((store / weekday)[store.index.isin(ONLY_A)].mean())

    assert holiday_ratio("Lyon Part-Dieu") < 0.93
    assert holiday_ratio("Paris Bastille") > holiday_ratio("Lyon Part-Dieu") + 0.06


def test_signals_cover_the_known_future(chain: Dataset) -> None:
    signals = chain.signals
    assert list(signals.columns) == list(SIGNAL_COLUMNS)
    assert signals["date"].max() == pd.Timestamp(END + timedelta(days=FUTURE_DAYS))
    assert signals["date"].min() == pd.Timestamp(END - timedelta(days=199))
    future = signals[signals["date"] > pd.Timestamp(END)]
    assert future["stockout_hours"].isna().all() and future["promo"].eq(1.0).any()
    past = signals[signals["date"] <= pd.Timestamp(END)]
    assert past["stockout_hours"].notna().all() and past["stockout_hours"].gt(0).any()
    assert ((signals["promo"] == 1.0) == (signals["discount"] < 1.0)).all()
    assert signals["discount"].between(0.5, 1.0).all()
    # one row per store x product carried x day
    per_series = signals.groupby(["store_id", "product_id"]).size()
    assert (per_series == 200 + FUTURE_DAYS).all()


def test_stock_is_one_valid_row_per_store_and_product_sold(chain: Dataset) -> None:
    stock = chain.stock
    assert list(stock.columns) == list(STOCK_COLUMNS)
    assert (stock["on_hand"] >= 0).all() and (stock["on_order"] >= 0).all()
    assert (stock["as_of"] == pd.Timestamp(END)).all()
    assert stock["on_order"].gt(0).mean() > 0.1 and stock["on_hand"].gt(0).mean() > 0.8
    sold = set(chain.transactions[["store_id", "product_id"]].astype(str).itertuples(index=False, name=None))
    assert set(stock[["store_id", "product_id"]].itertuples(index=False, name=None)) == sold
    assert not stock.duplicated(["store_id", "product_id"]).any()
    # a few days of sales on hand, in the main
    last = chain.transactions[chain.transactions["timestamp"] >= pd.Timestamp(END) - pd.Timedelta(days=27)]
    rate = last.groupby([last["store_id"].astype(str), "product_id"])["quantity"].sum() / 28
    cover = stock.set_index(["store_id", "product_id"])["on_hand"] / rate
    assert 1 < cover.median() < 6


def test_csv_files(chain: Dataset, tmp_path: Path) -> None:
    stock = pd.read_csv(write_stock_csv(chain, tmp_path / "stock.csv"), dtype={"store_id": str})
    assert list(stock.columns) == ["store_id", "product_id", "on_hand", "on_order", "as_of"]
    assert stock["as_of"].eq(END.isoformat()).all() and len(stock) == len(chain.stock)
    assert stock["on_hand"].sum() == chain.stock["on_hand"].sum()
    stores = pd.read_csv(write_stores_csv(chain, tmp_path / "stores.csv"), dtype=str)
    assert list(stores.columns) == list(STORE_COLUMNS)
    pd.testing.assert_frame_equal(stores, chain.stores.astype(object), check_dtype=False)


def test_loyalty_only_by_default() -> None:
    dataset = simulate(n_customers=30, days=30, end=END, seed=1)
    assert dataset.transactions["customer_id"].notna().all()
    assert dataset.stock is not None and dataset.signals is not None and len(dataset.stores) == 12
