"""The service for a chain: per-store, region and chain answers, orders, stored forecasts, sales logs.

One tiny hand-made chain (a sales log: daily sales per store and product, no customers) is trained once
for the module: three stores in two regions, constant daily sales whose sums are known by hand.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ml.models.forecast_base
from ml import modelsets, precomputed, registry
from ml.data.schema import Dataset
from ml.errors import DateOutOfRange, NoCustomerData, NotEnoughHistory, NotSoldInStore, UnknownStore
from ml.results import CustomerProfile, ScopeLevel
from ml.service import Caddie
from ml.settings import MLSettings
from ml.train import is_trained, train_all

END = date(2024, 6, 30)
DAYS = 120
# store -> product -> units sold every day (0: the store does not sell it)
DAILY = {
    "1": {"P1": 10.0, "P2": 20.0, "P3": 4.0, "P4": 6.0},
    "2": {"P1": 3.0, "P2": 8.0, "P3": 2.0, "P4": 0.0},
    "3": {"P1": 5.0, "P2": 12.0, "P3": 1.0, "P4": 9.0},
}
STORES = pd.DataFrame({
    "store_id": ["1", "2", "3"],
    "name": ["Lyon Part-Dieu", "Lyon Croix-Rousse", "Nantes Centre"],
    "city": ["Lyon", "Lyon", "Nantes"],
    "region": ["Auvergne-Rhône-Alpes", "Auvergne-Rhône-Alpes", "Pays de la Loire"],
    "format": ["supermarche", "proximite", "supermarche"],
    "zone": ["A", "A", "B"],
})
PRODUCTS = pd.DataFrame({
    "product_id": ["P1", "P2", "P3", "P4"],
    "name": ["Yaourt nature", "Baguette tradition", "Camembert", "Pommes golden"],
    "category": ["Crèmerie", "Boulangerie", "Crèmerie", "Fruits et légumes"],
    "aliases": ["yaourt|yogurt", "baguette|pain", "fromage", "pomme|apple"],
})
STOCK_AS_OF = pd.Timestamp(END) + pd.Timedelta(hours=21)


def sales_log(with_stock: bool = True) -> Dataset:
    days = pd.date_range(end=pd.Timestamp(END), periods=DAYS, freq="D") + pd.Timedelta(hours=12)
    rows = [(s, p, d, q) for s, sold in DAILY.items() for p, q in sold.items() if q > 0 for d in days]
    store, product, stamp, quantity = zip(*rows)
    n = len(rows)
    tx = pd.DataFrame({
        "customer_id": pd.array([pd.NA] * n, dtype="string"),
        "product_id": list(product), "timestamp": pd.to_datetime(list(stamp)),
        "quantity": np.asarray(quantity, dtype="float64"), "price": 1.5,
        "store_id": pd.array(list(store), dtype="string"), "basket_id": pd.array([pd.NA] * n, dtype="string"),
    })
    stock = pd.DataFrame({"store_id": ["1", "1", "1", "2", "2", "2", "3", "3", "3", "3"],
                          "product_id": ["P1", "P2", "P3", "P1", "P2", "P3", "P1", "P2", "P3", "P4"],
                          "on_hand": [7.0, 0.0, 30.0, 1.0, 2.0, 0.0, 4.0, 5.0, 6.0, 1.0],
                          "on_order": [6.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
                          "as_of": STOCK_AS_OF}) if with_stock else None
    # store 1 P4 has no stock row: its line is from the forecast alone
    return Dataset("petite-chaine", tx, PRODUCTS, stores=STORES, stock=stock)


def _train(root: Path, dataset: Dataset) -> Path:
    settings = MLSettings(model_dir=root / "models", database_url=f"sqlite:///{root / 'db.sqlite'}",
                          _env_file=None)
    train_all(settings, evaluate=False, dataset=dataset)
    return root / "models"


def _served(model_dir: Path) -> Path:
    """The folder of the model set ``model_dir`` serves (``ml.modelsets``)."""
    return modelsets.resolve(model_dir).path


@pytest.fixture(scope="module")
def chain_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _train(tmp_path_factory.mktemp("chain"), sales_log())


@pytest.fixture(scope="module")
def chain(chain_dir: Path) -> Caddie:
    return Caddie.load(chain_dir)


FIRST = END + timedelta(days=1)


# ---------------------------------------------------------------------------- stores and regions
def test_stores_and_regions_come_from_the_stores_table(chain):
    assert [(s.store_id, s.name, s.region) for s in chain.stores()] == list(
        zip(STORES["store_id"], STORES["name"], STORES["region"]))
    assert chain.regions() == ["Auvergne-Rhône-Alpes", "Pays de la Loire"]


@pytest.mark.parametrize("query, store_id", [("Lyon Part-Dieu", "1"), ("lyon part dieu", "1"), ("3", "3"),
                                             ("nantes", "3"), ("Croix-Rousse", "2")])
def test_resolve_store_by_name_city_or_number(chain, query, store_id):
    assert chain.resolve_store(query).store_id == store_id


def test_unknown_store_carries_close_store_names(chain):
    with pytest.raises(UnknownStore) as info:
        chain.resolve_store("Nantess Centree Ville")
    assert "Nantes Centre" in info.value.suggestions
    with pytest.raises(UnknownStore) as info:
        chain.forecast("yaourt", store="Marseille")
    assert info.value.query == "Marseille"


def test_unknown_region_raises_unknown_store_with_region_suggestions(chain):
    with pytest.raises(UnknownStore) as info:
        chain.forecast("yaourt", region="Pays de Loir et Cher")
    assert info.value.suggestions == ["Pays de la Loire"]


# ---------------------------------------------------------------------------- per-store answers
def _mean(result) -> list[float]:
    return [p.mean for p in result.points]


def test_two_stores_get_their_own_figures_and_history(chain):
    day = FIRST + timedelta(days=6)
    part_dieu = chain.forecast("yaourt", day, store="Lyon Part-Dieu")
    croix_rousse = chain.forecast("yaourt", day, store="Croix-Rousse")
    assert part_dieu.scope.level is ScopeLevel.STORE and part_dieu.scope.store.store_id == "1"
    assert croix_rousse.scope.store.name == "Lyon Croix-Rousse" and croix_rousse.scope.n_stores == 1
    # constant sales of 10 and 3 a day: each store's forecast is near its own level, not the chain's
    assert np.mean(_mean(part_dieu)) == pytest.approx(10.0, rel=0.25)
    assert np.mean(_mean(croix_rousse)) == pytest.approx(3.0, rel=0.25)
    assert [h.quantity for h in part_dieu.history] == [10.0] * len(part_dieu.history)
    assert [h.quantity for h in croix_rousse.history] == [3.0] * len(croix_rousse.history)
    assert part_dieu.history[-1].day == END


def test_chain_is_the_sum_of_every_store_and_region_the_sum_of_its_stores(chain):
    day = FIRST + timedelta(days=chain.horizon_days - 1)
    stores = {s.store_id: chain.forecast("baguette", day, store=s.store_id) for s in chain.stores()}
    whole = chain.forecast("baguette", day)
    lyon = chain.forecast("baguette", day, region="auvergne rhone alpes")
    assert whole.scope.level is ScopeLevel.CHAIN and whole.scope.n_stores == 3
    assert lyon.scope.level is ScopeLevel.REGION and lyon.scope.region == "Auvergne-Rhône-Alpes"
    assert lyon.scope.n_stores == 2
    assert _mean(whole) == pytest.approx([sum(v) for v in zip(*(_mean(r) for r in stores.values()))])
    assert _mean(lyon) == pytest.approx([a + b for a, b in zip(_mean(stores["1"]), _mean(stores["2"]))])
    # history: each scope's own sales
    assert {h.quantity for h in whole.history} == {20.0 + 8.0 + 12.0}
    assert {h.quantity for h in lyon.history} == {28.0}
    for point in whole.points:
        assert 0 <= point.lower <= point.mean <= point.upper


def test_a_product_the_store_does_not_sell_is_said_so(chain):
    with pytest.raises(NotSoldInStore) as info:
        chain.forecast("pommes", store="Croix-Rousse")
    assert (info.value.product_name, info.value.store_name) == ("Pommes golden", "Lyon Croix-Rousse")
    # the chain and the store's region still answer, from the stores that sell it
    assert chain.forecast("pommes").requested.mean == pytest.approx(
        chain.forecast("pommes", store="1").requested.mean + chain.forecast("pommes", store="3").requested.mean)


def test_forecast_top_per_store_ranks_that_stores_sales(chain):
    top = chain.forecast_top(3, store="Croix-Rousse")
    assert [r.product.product_id for r in top] == ["P2", "P1", "P3"]  # 8, 3, 2 a day; P4 not sold there
    assert all(r.scope.store.store_id == "2" for r in top)
    assert [r.product.product_id for r in chain.forecast_top(2)] == ["P2", "P1"]  # chain: 40, 18 a day


def test_date_is_checked_for_scoped_answers_too(chain):
    with pytest.raises(DateOutOfRange):
        chain.forecast("yaourt", END, store="1")


# ---------------------------------------------------------------------------- orders
def _period_forecast(chain: Caddie, line, store: str, day: date) -> float:
    last = day + timedelta(days=line.period_days - 1)
    points = chain.forecast(line.product.product_id, last, store=store).points
    return sum(p.mean for p in points if p.day >= day)


def test_order_lines_with_stock_follow_the_policy_arithmetic(chain):
    proposal = chain.orders("Nantes Centre", "crèmerie")
    assert proposal.store.store_id == "3" and proposal.has_stock_data
    assert proposal.stock_as_of == END and proposal.order_day == FIRST
    assert {line.product.product_id for line in proposal.lines} == {"P1", "P3"}
    stock = {"P1": (4.0, 0.0), "P3": (6.0, 0.0)}
    for line in proposal.lines:
        assert (line.on_hand, line.on_order) == stock[line.product.product_id]
        assert line.period_days == line.lead_time_days + line.review_days
        assert line.forecast_mean == pytest.approx(_period_forecast(chain, line, "3", FIRST))
        assert line.safety_stock == pytest.approx(line.forecast_quantile - line.forecast_mean)
        assert line.quantity == line.packs * line.pack_size
        need = max(0.0, line.forecast_quantile - line.on_hand - line.on_order)
        if not line.capped_by_shelf_life:
            assert line.packs == math.ceil(need / line.pack_size - 1e-9)
        else:
            assert line.packs < math.ceil(need / line.pack_size - 1e-9)


def test_on_order_counts_in_the_position(chain):
    line = chain.orders("1", "yaourt").lines[0]
    assert (line.on_hand, line.on_order) == (7.0, 6.0)
    need = max(0.0, line.forecast_quantile - 13.0)
    if not line.capped_by_shelf_life:
        assert line.packs == math.ceil(need / line.pack_size - 1e-9)


def test_a_product_without_a_stock_row_makes_the_proposal_forecast_only(chain):
    proposal = chain.orders("1", "pommes")  # store 1 has no stock row for P4
    assert not proposal.has_stock_data and proposal.stock_as_of is None
    (line,) = proposal.lines
    assert line.on_hand is None and line.on_order is None


def test_orders_without_stock_data_are_labelled_and_order_the_whole_quantile(tmp_path_factory):
    caddie = Caddie.load(_train(tmp_path_factory.mktemp("nostock"), sales_log(with_stock=False)))
    proposal = caddie.orders("Lyon Part-Dieu")
    assert not proposal.has_stock_data and proposal.stock_as_of is None
    assert {line.product.product_id for line in proposal.lines} == {"P1", "P2", "P3", "P4"}
    for line in proposal.lines:
        assert line.on_hand is None and line.on_order is None
        if not line.capped_by_shelf_life:
            assert line.packs == math.ceil(line.forecast_quantile / line.pack_size - 1e-9)


def test_orders_for_a_category_not_sold_in_the_store_is_empty_and_a_product_raises(chain):
    assert chain.orders("Croix-Rousse", "rayon fruits et légumes").lines == ()
    with pytest.raises(NotSoldInStore):
        chain.orders("Croix-Rousse", "pommes")


def test_orders_for_the_main_products_lists_what_the_store_sells_biggest_first_to_order(chain):
    proposal = chain.orders("2")
    assert {line.product.product_id for line in proposal.lines} == {"P1", "P2", "P3"}
    quantities = [line.quantity for line in proposal.lines]
    ordered = [q for q in quantities if q > 0]
    assert ordered == sorted(ordered, reverse=True) and quantities[:len(ordered)] == ordered


def test_a_later_order_day_takes_the_expected_sales_before_it_off_the_stock(chain):
    day = FIRST + timedelta(days=3)
    line = chain.orders("3", "camembert", day).lines[0]
    assert chain.orders("3", "camembert", day).order_day == day
    assert line.forecast_mean == pytest.approx(_period_forecast(chain, line, "3", day))


# ---------------------------------------------------------------------------- a sales log has no customers
def test_customer_commands_raise_no_customer_data_on_a_sales_log(chain):
    assert chain.has_customers is False
    assert chain.customers() == []
    profile = CustomerProfile(4.0, 3, 2, 5, 30.0)
    calls = [lambda: chain.recommend("1"), lambda: chain.predict("1", "yaourt"), lambda: chain.target("yaourt"),
             lambda: chain.predict_profile(profile, "yaourt")]
    for call in calls:
        with pytest.raises(NoCustomerData) as info:
            call()
        assert info.value.data_name == "petite-chaine"
    assert [card.task for card in chain.model_cards()] == ["forecast"]


# ---------------------------------------------------------------------------- stored forecasts
def test_the_trained_folder_holds_every_series_and_the_aggregates(chain_dir, chain):
    forecasts = pd.read_parquet(_served(chain_dir) / "forecasts.parquet")
    sold = {(s, p) for s, sold in DAILY.items() for p, q in sold.items() if q > 0}
    assert set(zip(forecasts["store_id"].astype(str), forecasts["product_id"].astype(str))) == sold
    stored = MLSettings(_env_file=None).forecast_horizon_days  # training stores FORECAST_HORIZON_DAYS days
    assert len(forecasts) == len(sold) * stored and chain.horizon_days <= stored
    aggregates = pd.read_parquet(_served(chain_dir) / "aggregates.parquet").astype({"level": str, "scope": str,
                                                                           "product_id": str})
    chain_rows = aggregates[aggregates["level"] == "chain"].set_index(["product_id", "date"])["mean"]
    summed = forecasts.astype({"product_id": str}).groupby(["product_id", "date"])["mean"].sum()
    assert chain_rows.sort_index().to_numpy() == pytest.approx(summed.sort_index().to_numpy())
    assert set(aggregates.loc[aggregates["level"] == "region", "scope"]) == set(chain.regions())
    assert is_trained(chain_dir)  # a sales log has no customer models, and needs none


def test_loading_never_calls_the_forecaster(chain_dir, monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("the forecaster was called at load or answer time")

    monkeypatch.setattr(ml.models.forecast_base.BaseForecaster, "predict", fail)
    caddie = Caddie.load(chain_dir)
    assert caddie.forecast("yaourt", store="1").requested.mean > 0
    assert caddie.orders("1").lines


def test_a_folder_whose_manifest_is_missing_is_not_trained(chain_dir, tmp_path):
    copy = tmp_path / "copy"
    copy.mkdir()
    for path in _served(chain_dir).iterdir():  # the served set, copied flat without its manifest
        if path.name != precomputed.MANIFEST:
            (copy / path.name).write_bytes(path.read_bytes())
    assert not is_trained(copy)
    from ml.errors import ModelNotReady

    with pytest.raises(ModelNotReady):
        Caddie.load(copy)


def test_a_rarely_sold_product_is_not_enough_history_not_unknown(tmp_path_factory):
    log = sales_log(with_stock=False)
    tx = log.transactions
    rare = tx.iloc[-1:].assign(product_id="P5", store_id=pd.array(["1"], dtype="string"))  # sold once, lately
    products = pd.concat([PRODUCTS, pd.DataFrame({"product_id": ["P5"], "name": ["Bûche de Noël"],
                                                  "category": ["Boulangerie"], "aliases": ["buche"]})])
    data = Dataset(log.name, pd.concat([tx, rare], ignore_index=True), products.reset_index(drop=True),
                   stores=STORES)
    caddie = Caddie.load(_train(tmp_path_factory.mktemp("rare"), data))
    with pytest.raises(NotEnoughHistory):
        caddie.forecast("buche", store="1")
    with pytest.raises(NotSoldInStore):
        caddie.forecast("buche", store="2")


def test_ensure_trained_keeps_a_trained_sales_log_folder(chain_dir, monkeypatch):
    import ml.train

    def fail(*args, **kwargs):
        raise AssertionError("retrained a complete folder")

    monkeypatch.setattr(ml.train, "train_all", fail)
    settings = MLSettings(model_dir=chain_dir, _env_file=None)
    assert ml.train.ensure_trained(settings) == chain_dir


# ---------------------------------------------------------------------------- a mixed log: loyalty and anonymous
def test_anonymous_tickets_count_in_forecasts_but_not_in_customer_models(tmp_path_factory):
    log = sales_log(with_stock=False)
    tx = log.transactions.copy()
    loyal = np.asarray(tx.index % 3 == 0)  # a third of the lines are on a loyalty card
    ids = pd.Series([f"C{i % 7}" for i in range(len(tx))], index=tx.index, dtype="string")
    tx["customer_id"] = ids.where(loyal, pd.NA)
    tx["basket_id"] = (ids + "-" + tx["timestamp"].dt.strftime("%Y%m%d")).where(loyal, pd.NA)
    mixed = Dataset("mixte", tx, PRODUCTS, stores=STORES)
    model_dir = _train(tmp_path_factory.mktemp("mixed"), mixed)
    caddie = Caddie.load(model_dir)
    assert caddie.has_customers
    for task in ("recommend", "propensity"):  # the customer models never saw an anonymous ticket
        assert list(registry.load(task, _served(model_dir)).customers_) == sorted(f"C{i}" for i in range(7))
    assert caddie.customers() == sorted(f"C{i}" for i in range(7))
    assert {item.product.product_id for item in caddie.recommend("C1", 2).items} <= set(PRODUCTS["product_id"])
    assert 0.0 <= caddie.predict("C1", "yaourt").probability <= 1.0
    # every ticket, anonymous or not, is a sale of the store: the history is the whole of it
    assert {h.quantity for h in caddie.forecast("yaourt", store="1").history} == {10.0}


def test_orders_need_a_store(chain):
    with pytest.raises(UnknownStore):
        chain.orders("")
