"""The ``Caddie`` facade (ml/service.py) and the snapshot it reads (ml/snapshot.py).

Most tests use the session fixture ``caddie``: real models trained on the small simulated
store ``small_dataset`` (last day ``as_of``). Expected values are recomputed here from the
transactions with pandas, never copied from a model's output.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from ml.data.schema import Dataset
from ml.errors import DateOutOfRange, NotEnoughHistory, UnknownCustomer, UnknownProduct
from ml.results import CustomerProfile, ReasonCode
from ml.evaluation import HEADLINE_METRICS
from ml.service import normalize_customer_id
from ml.snapshot import HISTORY_DAYS, build_snapshot, forecastable_series


# ---------------------------------------------------------------------------- helpers (pandas, independent)
def _window(tx: pd.DataFrame, as_of: date, days: int) -> pd.DataFrame:
    """Transactions of the last ``days`` days up to and including ``as_of``."""
    return tx[tx["timestamp"].dt.normalize() >= pd.Timestamp(as_of - timedelta(days=days - 1))]


def _active_days(tx: pd.DataFrame, as_of: date, days: int = 90) -> pd.Series:
    recent = _window(tx, as_of, days)
    return recent.groupby("product_id")["timestamp"].agg(lambda s: s.dt.normalize().nunique())


# ---------------------------------------------------------------------------- product resolution
@pytest.mark.parametrize("query", ["yaourt", "YAOURTS", "  Yaourt   nature ", "yaourr"])
def test_forecast_resolves_loose_yogurt_names_to_the_exact_product(caddie, query):
    exact = caddie.forecast("Yaourt nature").product
    assert exact.name == "Yaourt nature"
    assert caddie.forecast(query).product == exact


@pytest.mark.parametrize("query", ["pates", "PATES", "pâte"])
def test_forecast_resolves_accent_free_pasta_to_pates(caddie, query):
    assert caddie.forecast(query).product == caddie.forecast("Pâtes").product


def test_unknown_product_with_a_bad_typo_carries_suggestions(caddie):
    # "yaourr" is close enough to resolve (see above); "yaxxrt" is not, but still looks like a yogurt
    with pytest.raises(UnknownProduct) as info:
        caddie.forecast("yaxxrt")
    assert info.value.query == "yaxxrt"
    assert "Yaourt nature" in info.value.suggestions
    catalogue_names = {p.name for p in caddie.products()}
    assert set(info.value.suggestions) <= catalogue_names


@pytest.mark.parametrize("method", ["forecast", "target"])
def test_unknown_product_without_lookalike_has_no_suggestion(caddie, method):
    with pytest.raises(UnknownProduct) as info:
        getattr(caddie, method)("xyzzy")
    assert info.value.suggestions == []


def test_predict_raises_unknown_product_for_a_known_customer(caddie):
    with pytest.raises(UnknownProduct):
        caddie.predict(caddie.customers()[0], "xyzzy")


# ---------------------------------------------------------------------------- forecast
def test_default_forecast_day_is_the_day_after_as_of(caddie, as_of):
    result = caddie.forecast("baguette")
    assert caddie.as_of == as_of
    assert result.as_of == as_of
    assert result.requested_day == as_of + timedelta(days=1)
    assert [p.day for p in result.points] == [as_of + timedelta(days=1)]
    assert result.requested is result.points[0]
    assert 0 < result.level < 100
    assert result.model


def test_multi_day_forecast_has_one_sane_point_per_day(caddie, as_of):
    day = as_of + timedelta(days=6)
    result = caddie.forecast("lait", day)
    assert [p.day for p in result.points] == [as_of + timedelta(days=i) for i in range(1, 7)]
    assert result.requested.day == day
    for point in result.points:
        assert 0 <= point.lower <= point.mean <= point.upper


def test_a_shorter_forecast_is_a_prefix_of_a_longer_one(caddie, as_of):
    short = caddie.forecast("tomates", as_of + timedelta(days=3))
    long = caddie.forecast("tomates", as_of + timedelta(days=caddie.horizon_days))
    assert len(long.points) == caddie.horizon_days
    assert long.points[:3] == short.points


def test_forecast_history_is_the_observed_recent_demand(caddie, as_of, small_dataset):
    result = caddie.forecast("Baguette tradition")
    days = [h.day for h in result.history]
    assert days[-1] == as_of
    assert days == [days[0] + timedelta(days=i) for i in range(len(days))]  # consecutive, oldest first
    assert 28 <= len(days) <= HISTORY_DAYS
    tx = small_dataset.transactions
    sold = tx[tx["product_id"] == result.product.product_id]
    observed = sold.groupby(sold["timestamp"].dt.date)["quantity"].sum()
    assert [h.quantity for h in result.history] == pytest.approx([float(observed.get(d, 0.0)) for d in days])


def test_forecast_accepts_the_last_day_of_the_horizon(caddie, as_of):
    last = as_of + timedelta(days=caddie.horizon_days)
    assert caddie.forecast("baguette", last).requested_day == last


@pytest.mark.parametrize("offset", [0, -10, 15, 400])
def test_forecast_outside_the_horizon_raises_date_out_of_range(caddie, as_of, offset):
    assert caddie.horizon_days == 14  # offsets above assume the default horizon
    day = as_of + timedelta(days=offset)
    with pytest.raises(DateOutOfRange) as info:
        caddie.forecast("baguette", day)
    assert info.value.requested == day
    assert info.value.earliest == as_of + timedelta(days=1)
    assert info.value.latest == as_of + timedelta(days=caddie.horizon_days)


def test_date_is_checked_before_the_forecastability_of_the_product(caddie, as_of, small_dataset):
    rare = _rare_products(small_dataset, as_of)
    with pytest.raises(DateOutOfRange):
        caddie.forecast(rare[0], as_of)


def _rare_products(dataset: Dataset, as_of: date) -> list[str]:
    """Catalogue products sold on fewer than 8 of the last 90 days (or never)."""
    active = _active_days(dataset.transactions, as_of)
    return [str(pid) for pid in dataset.products["product_id"] if active.get(pid, 0) < 8]


def test_rarely_sold_products_raise_not_enough_history(caddie, as_of, small_dataset):
    rare = _rare_products(small_dataset, as_of)
    assert rare, "the simulated store should have out-of-season products (e.g. Bûche de Noël in June)"
    known = {p.product_id for p in caddie.products()}
    for pid in rare:
        assert pid in known  # the product exists: it is not an UnknownProduct
        name = next(p.name for p in caddie.products() if p.product_id == pid)
        with pytest.raises(NotEnoughHistory) as info:
            caddie.forecast(name)
        assert info.value.product_name == name


def test_regularly_sold_products_are_forecastable(caddie, as_of, small_dataset):
    active = _active_days(small_dataset.transactions, as_of)
    regular = active[active >= 30].index
    assert len(regular) >= 10
    for pid in regular:
        assert caddie.forecast(str(pid)).product.product_id == pid


def test_forecast_top_returns_the_best_recent_sellers_in_order(caddie, as_of, small_dataset):
    n = 8
    results = caddie.forecast_top(n)
    assert len(results) == n
    ids = [r.product.product_id for r in results]
    assert len(set(ids)) == n
    recent = _window(small_dataset.transactions, as_of, 28)
    volume = recent.groupby("product_id")["quantity"].sum()
    active = _active_days(small_dataset.transactions, as_of)
    forecastable = [pid for pid in volume.index if active.get(pid, 0) >= 8]
    expected = sorted((volume[pid] for pid in forecastable), reverse=True)[:n]
    assert [volume[pid] for pid in ids] == pytest.approx(expected)
    for result in results:
        assert result.requested_day == as_of + timedelta(days=1)


def test_forecast_top_passes_the_day_on(caddie, as_of):
    day = as_of + timedelta(days=3)
    results = caddie.forecast_top(2, day)
    assert all(r.requested_day == day and len(r.points) == 3 for r in results)


# ---------------------------------------------------------------------------- catalogue
def test_products_are_ordered_by_recent_customer_count(caddie, as_of, small_dataset):
    recent = _window(small_dataset.transactions, as_of, 90)
    buyers = recent.groupby("product_id")["customer_id"].nunique()
    top = caddie.products(10)
    assert len(top) == 10
    assert [buyers.get(p.product_id, 0) for p in top] == sorted(buyers, reverse=True)[:10]


def test_products_without_n_lists_the_whole_catalogue_once(caddie, small_dataset):
    ids = [p.product_id for p in caddie.products()]
    assert sorted(ids) == sorted(small_dataset.products["product_id"].astype(str))
    names = dict(zip(small_dataset.products["product_id"], small_dataset.products["name"]))
    assert all(p.name == names[p.product_id] for p in caddie.products())


def test_customers_are_every_known_customer_sorted(caddie, small_dataset):
    customers = caddie.customers()
    assert customers == sorted(small_dataset.transactions["customer_id"].unique())


# ---------------------------------------------------------------------------- recommend
@pytest.mark.parametrize("n", [1, 5, 10])
def test_recommend_returns_n_distinct_catalogue_products(caddie, n):
    known = {p.product_id for p in caddie.products()}
    for cid in caddie.customers()[:10]:
        result = caddie.recommend(cid, n)
        ids = [item.product.product_id for item in result.items]
        assert len(ids) == n
        assert len(set(ids)) == n
        assert set(ids) <= known
        assert result.customer_id == cid
        assert result.as_of == caddie.as_of
        scores = [item.score for item in result.items]
        assert scores == sorted(scores, reverse=True)


def test_also_bought_reasons_name_a_catalogue_product(caddie, small_dataset, monkeypatch):
    # the service names the anchor of any model's ALSO_BOUGHT reason; the Recommender gives such reasons (the
    # shipped ranker only for complements, which its tuned defaults leave out)
    from ml.models.recommend import Recommender
    from ml.service import _Models
    from ml.train import customer_dataset

    recommender = Recommender().fit(customer_dataset(small_dataset).transactions)
    monkeypatch.setattr(caddie, "_models", _Models(recommender, caddie._models.propensity))
    products = caddie.products()
    names, ids = {p.name for p in products}, {p.product_id for p in products}
    anchors = [item.reason.params["anchor"] for cid in caddie.customers()
               for item in caddie.recommend(cid, 10).items if item.reason.code is ReasonCode.ALSO_BOUGHT]
    assert anchors, "no ALSO_BOUGHT reason in any customer's top 10"
    assert set(anchors) <= names
    assert not set(anchors) & ids


@pytest.mark.parametrize("text, expected", [
    ("42", "42"), (" 42 ", "42"), ("#42", "42"), ("#0042", "42"), (" # 0042 ", "42"), ("0042", "42"),
    ("42.0", "42"), ("0", "0"), ("abc", "abc"), ("A-17", "A-17"), ("4.5", "4.5"),
])
def test_normalize_customer_id(text, expected):
    assert normalize_customer_id(text) == expected


@pytest.mark.parametrize("typed", ["#0042", "42.0", " 42 ", "0042"])
def test_recommend_accepts_customer_ids_as_typed(caddie, typed):
    assert "42" in caddie.customers()
    result = caddie.recommend(typed, 5)
    assert result.customer_id == "42"
    assert result.items == caddie.recommend("42", 5).items


@pytest.mark.parametrize("method, args", [("recommend", ()), ("predict", ("lait",))])
@pytest.mark.parametrize("customer", ["99999", "abc", "#"])
def test_unknown_customer_raises(caddie, method, args, customer):
    with pytest.raises(UnknownCustomer) as info:
        getattr(caddie, method)(customer, *args)
    assert info.value.customer_id == customer


# ---------------------------------------------------------------------------- propensity
def test_predict_gives_probabilities_for_known_customers(caddie):
    for cid in caddie.customers()[:8]:
        for product in ("lait", "baguette", "Fraises"):
            result = caddie.predict(cid, product)
            assert 0.0 <= result.probability <= 1.0
            assert 0.0 <= result.base_rate <= 1.0
            assert result.horizon_days == caddie.horizon_days == 14
            assert result.customer_id == cid
            assert result.as_of == caddie.as_of
    assert caddie.predict("#0042", "lait").customer_id == "42"
    assert caddie.predict("42", "lait").product == caddie.forecast("Lait demi-écrémé").product


def test_predict_profile_ranks_a_regular_buyer_above_a_stranger(caddie):
    regular = CustomerProfile(visits_per_month=4.3, days_since_last_visit=3, times_bought_product=10,
                              days_since_last_bought_product=4, avg_basket_value=40.0)
    stranger = CustomerProfile(visits_per_month=1.0, days_since_last_visit=30, times_bought_product=0,
                               days_since_last_bought_product=None, avg_basket_value=40.0)
    for product in caddie.products(10):
        high = caddie.predict_profile(regular, product.product_id)
        low = caddie.predict_profile(stranger, product.product_id)
        assert 0.0 <= low.probability < high.probability <= 1.0, product.name
        assert high.is_profile and high.customer_id is None
        assert high.product == product
        assert high.horizon_days == caddie.horizon_days


@pytest.mark.parametrize("n", [1, 10, 30])
def test_target_returns_the_n_likeliest_known_customers(caddie, n):
    result = caddie.target("Lait demi-écrémé", n)
    ids = [c.customer_id for c in result.customers]
    probabilities = [c.probability for c in result.customers]
    assert len(ids) == n
    assert len(set(ids)) == n
    assert set(ids) <= set(caddie.customers())
    assert probabilities == sorted(probabilities, reverse=True)
    assert all(0.0 <= p <= 1.0 for p in probabilities)
    assert result.product.name == "Lait demi-écrémé"
    assert result.horizon_days == caddie.horizon_days


def test_target_is_a_prefix_of_a_longer_target(caddie):
    assert caddie.target("baguette", 20).customers[:5] == caddie.target("baguette", 5).customers


def test_target_agrees_with_predict(caddie):
    for entry in caddie.target("yaourt", 5).customers:
        assert caddie.predict(entry.customer_id, "yaourt").probability == pytest.approx(entry.probability, abs=1e-6)


def test_target_with_more_than_every_customer_returns_every_customer(caddie):
    result = caddie.target("baguette", 10_000)
    assert sorted(c.customer_id for c in result.customers) == caddie.customers()


# ---------------------------------------------------------------------------- model cards
def test_model_cards_show_the_card_metrics_of_model_and_baselines(caddie, small_dataset):
    cards = caddie.model_cards()
    assert sorted(c.task for c in cards) == sorted(HEADLINE_METRICS)
    for card in cards:
        wanted = HEADLINE_METRICS[card.task]
        assert [m.name for m in card.metrics] == list(wanted)
        assert all(m.higher_is_better is wanted[m.name] for m in card.metrics)
        assert card.baselines, f"{card.task} card has no baseline"
        for name, metrics in card.baselines.items():
            assert [m.name for m in metrics] == list(wanted), (card.task, name)
        assert card.model
        assert card.model not in card.baselines
        assert isinstance(card.trained_at, datetime)
        assert (card.data_start, card.data_end) == (small_dataset.start, small_dataset.end)
        assert card.data_name == small_dataset.name
    forecast_card = next(c for c in cards if c.task == "forecast")
    assert forecast_card.model == caddie.forecast("baguette").model


# ---------------------------------------------------------------------------- snapshot
def _tx(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer_id", "product_id", "timestamp", "quantity"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"]).astype("datetime64[ns]")
    frame["quantity"] = frame["quantity"].astype("float64")
    frame["store_id"] = frame["customer_id"].map({"1": "S1", "2": "S2"})  # customer 1 shops in S1, 2 in S2
    return frame


def test_forecastable_series_need_a_regular_product_that_the_store_sells():
    as_of = date(2024, 6, 30)
    rows = []
    for i in range(10):  # A: 10 recent days in S1, 1 unit
        rows.append(("1", "A", f"2024-06-{i + 1:02d} 10:00", 1.0))
    for i in range(8):  # B: 8 recent days in S1 (5 units) and S2 (0.5 units)
        rows.append(("1", "B", f"2024-06-{i + 10:02d} 09:00", 5.0))
        rows.append(("2", "B", f"2024-06-{i + 10:02d} 18:00", 0.5))
    for i in range(7):  # C: 7 recent days (not regular), big
        rows.append(("1", "C", f"2024-06-{i + 1:02d} 10:00", 50.0))
    for i in range(20):  # D: busy, but more than 90 days ago
        rows.append(("1", "D", f"2024-01-{i + 1:02d} 10:00", 9.0))
    rows.append(("2", "A", "2024-06-20 10:00", 1.0))  # A sold once in S2: not S2's series
    tx = _tx(rows)
    as_pairs = lambda frame: list(frame.itertuples(index=False, name=None))  # noqa: E731
    assert as_pairs(forecastable_series(tx, as_of, max_series=10)) == [("S1", "B"), ("S1", "A"), ("S2", "B")]
    assert as_pairs(forecastable_series(tx, as_of, max_series=1)) == [("S1", "B")]
    assert as_pairs(forecastable_series(tx, as_of, 10, min_active_days=7)) == [
        ("S1", "C"), ("S1", "B"), ("S1", "A"), ("S2", "B")]
    assert as_pairs(forecastable_series(tx, as_of, 10, min_store_days=1)) == [
        ("S1", "B"), ("S1", "A"), ("S2", "B"), ("S2", "A")]


def test_a_product_sold_in_the_coming_weeks_last_year_is_forecast_after_the_regular_ones():
    as_of = date(2024, 6, 30)  # the coming 30 days, a year ago: 2023-07-02 .. 07-31
    rows = [("1", "A", f"2024-06-{i + 1:02d} 10:00", 1.0) for i in range(10)]  # regular now
    rows += [("1", "E", f"2023-07-{i + 5:02d} 10:00", 40.0) for i in range(10)]  # sold in those weeks last year
    rows += [("1", "F", f"2023-09-{i + 1:02d} 10:00", 40.0) for i in range(10)]  # last year, but later in the year
    rows += [("2", "E", "2023-07-20 10:00", 1.0)]  # a one-off in S2 last year: not S2's series
    tx = _tx(rows)
    as_pairs = lambda frame: list(frame.itertuples(index=False, name=None))  # noqa: E731
    assert as_pairs(forecastable_series(tx, as_of, max_series=10)) == [("S1", "A")]
    assert as_pairs(forecastable_series(tx, as_of, 10, season_days=30)) == [("S1", "A"), ("S1", "E")]
    assert as_pairs(forecastable_series(tx, as_of, 1, season_days=30)) == [("S1", "A")]  # the cap still holds


def test_build_snapshot_summarises_the_dataset(small_dataset, as_of):
    snapshot = build_snapshot(small_dataset)
    tx = small_dataset.transactions
    assert snapshot.as_of == as_of == small_dataset.end
    assert snapshot.data_name == small_dataset.name
    assert snapshot.has_customers
    assert list(snapshot.customers) == sorted(tx["customer_id"].dropna().unique())
    # popularity: every catalogue product once, most recent buyers first, unsold products at 0
    assert sorted(snapshot.popularity.index) == sorted(small_dataset.products["product_id"])
    assert snapshot.popularity.is_monotonic_decreasing
    buyers = _window(tx, as_of, 90).groupby("product_id")["customer_id"].nunique()
    assert snapshot.popularity.to_dict() == {pid: float(buyers.get(pid, 0)) for pid in snapshot.popularity.index}
    # volume: what each store sold over the last 90 days (its assortment), and over the last 28
    recent = _window(tx, as_of, 90).groupby(["store_id", "product_id"])["quantity"].sum()
    volume = snapshot.volume.astype({"store_id": str, "product_id": str}).set_index(["store_id", "product_id"])
    assert volume["quantity"].sort_index().to_dict() == pytest.approx(recent.sort_index().to_dict())
    last = _window(tx, as_of, 28).groupby(["store_id", "product_id"])["quantity"].sum()
    assert volume["recent"].to_dict() == pytest.approx({k: float(last.get(k, 0.0)) for k in volume.index})
    # stores: one row per store of the data; stock: the simulator's position
    assert sorted(snapshot.stores["store_id"]) == sorted(tx["store_id"].astype(str).unique())
    assert snapshot.stock is not None and len(snapshot.stock) == len(small_dataset.stock)


# ---------------------------------------------------------------------------- a tiny store with edge cases
@pytest.fixture(scope="module")
def odd_store(tmp_path_factory: pytest.TempPathFactory, as_of):
    """A Caddie trained on a tiny store whose customer ids are zero-padded ("007", as loyalty cards are)
    and which sold one extra product, "Truffe blanche", only twice."""
    from ml.data.simulator import simulate
    from ml.service import Caddie
    from ml.settings import MLSettings
    from ml.train import train_all

    base = simulate(n_customers=25, days=90, end=as_of, seed=3)
    tx = base.transactions.copy()
    tx["customer_id"] = tx["customer_id"].str.zfill(3)
    rare = tx.iloc[[0, len(tx) // 2]].copy()
    rare["product_id"] = "P999"
    products = pd.concat([base.products, pd.DataFrame(
        [{"product_id": "P999", "name": "Truffe blanche", "category": "Épicerie", "aliases": "truffe"}])],
        ignore_index=True)
    dataset = Dataset(base.name, pd.concat([tx, rare], ignore_index=True), products)
    root = tmp_path_factory.mktemp("odd_store")
    settings = MLSettings(model_dir=root / "models", database_url=f"sqlite:///{root / 'db.sqlite'}",
                          _env_file=None)
    train_all(settings, evaluate=False, dataset=dataset)
    return Caddie.load(root / "models")


def test_a_product_sold_twice_exists_but_cannot_be_forecast(odd_store):
    assert "P999" in {p.product_id for p in odd_store.products()}
    with pytest.raises(NotEnoughHistory) as info:
        odd_store.forecast("truffe")
    assert info.value.product_name == "Truffe blanche"
    target = odd_store.target("truffe", 3)  # the other tasks still answer for it
    assert target.product.product_id == "P999"
    assert {c.customer_id for c in target.customers} <= set(odd_store.customers())


def test_zero_padded_customer_ids_can_be_found(odd_store):
    customer = odd_store.customers()[0]
    assert customer.startswith("00")
    assert odd_store.recommend(customer, 3).customer_id == customer


@pytest.mark.parametrize(
    ("days_after_data", "expected_offset"),
    [(1, 1), (5, 5), (14, 14), (15, 1), (400, 1), (0, 1), (-30, 1)],
)
def test_reference_day_is_today_within_the_horizon_else_the_day_after_the_data(
        caddie, as_of: date, days_after_data: int, expected_offset: int) -> None:
    today = as_of + timedelta(days=days_after_data)
    assert caddie.reference_day(today) == as_of + timedelta(days=expected_offset)
