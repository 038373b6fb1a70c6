"""PropensityModel and its RandomForestPrototype baseline, on a small synthetic shop."""

from __future__ import annotations

import io

import joblib
import numpy as np
import pandas as pd
import pytest

from ml.errors import DataError, UnknownCustomer, UnknownProduct
from ml.evaluation.propensity import holdout_pairs
from ml.models.propensity import DRIVER_GROUPS, PropensityEstimator, PropensityModel
from ml.models.propensity_baselines import RandomForestPrototype
from ml.results import CustomerProfile
from tests.test_propensity_synthetic import synthetic_transactions

HORIZON = 14
DAYS = 160
START = pd.Timestamp("2024-01-01")


def shop_with_two_regulars() -> pd.DataFrame:
    """The synthetic shop plus "weekly", who buys p3 every week, and "once", who visits as often but
    bought p3 a single time, 60 days before the end."""
    tx = synthetic_transactions(days=DAYS, seed=0, start=str(START.date()))
    rows = []
    for day in range(3, DAYS, 7):
        when = START + pd.Timedelta(days=day, hours=10)
        rows.append(("weekly", "p3", when, f"w{day}"))
        rows.append(("weekly", "p5", when, f"w{day}"))
        rows.append(("once", "p5", when, f"o{day}"))
        if day == DAYS - 60 + 2:
            rows.append(("once", "p3", when, f"o{day}"))
    extra = pd.DataFrame(rows, columns=["customer_id", "product_id", "timestamp", "basket_id"])
    extra = extra.assign(quantity=1.0, price=2.0, store_id=pd.Series(pd.NA, index=extra.index, dtype="string"),
                         basket_id=extra["basket_id"].astype("string"),
                         timestamp=extra["timestamp"].astype("datetime64[ns]"))
    return pd.concat([tx, extra[tx.columns]], ignore_index=True).sort_values("timestamp", ignore_index=True)


@pytest.fixture(scope="module")
def shop() -> pd.DataFrame:
    return shop_with_two_regulars()


@pytest.fixture(scope="module")
def model(shop: pd.DataFrame) -> PropensityModel:
    return PropensityModel(horizon_days=HORIZON, max_iter=100, learning_rate=0.1).fit(shop)


@pytest.fixture(scope="module")
def prototype(shop: pd.DataFrame) -> RandomForestPrototype:
    return RandomForestPrototype(horizon_days=HORIZON, n_estimators=30).fit(shop)


@pytest.fixture(params=["model", "prototype"])
def any_model(request: pytest.FixtureRequest) -> PropensityEstimator:
    return request.getfixturevalue(request.param)


def test_init_only_stores_parameters() -> None:
    m = PropensityModel(horizon_days=7, n_cutoffs=3)
    assert m.horizon_days == 7 and m.n_cutoffs == 3
    assert not [name for name in vars(m) if name.endswith("_")]


def test_fit_learns_the_as_of_day(model: PropensityModel, shop: pd.DataFrame) -> None:
    assert model.last_date_ == shop["timestamp"].max().normalize()
    assert model.cutoff_ == model.last_date_ + pd.Timedelta(days=1)
    assert model.calibration_cutoff_ == model.cutoff_ - pd.Timedelta(days=HORIZON)
    assert max(model.training_cutoffs_) <= model.calibration_cutoff_ - pd.Timedelta(days=HORIZON)
    assert "weekly" in model.customers_ and "p3" in model.products_


def test_weekly_buyer_beats_one_off_buyer(any_model: PropensityEstimator) -> None:
    assert any_model.predict_proba("weekly", "p3") > any_model.predict_proba("once", "p3")


def test_probabilities_are_probabilities(any_model: PropensityEstimator, shop: pd.DataFrame) -> None:
    pairs = pd.MultiIndex.from_product([any_model.customers_, any_model.products_],
                                       names=["customer_id", "product_id"]).to_frame(index=False)
    p = any_model.predict_pairs(pairs)
    assert p.shape == (len(pairs),) and np.isfinite(p).all()
    assert (p >= 0).all() and (p <= 1).all()
    assert any_model.predict_proba("c0", "p1") == pytest.approx(p[(pairs["customer_id"] == "c0").to_numpy()
                                                                  & (pairs["product_id"] == "p1").to_numpy()][0])


def test_model_is_calibrated_on_a_held_out_window(shop: pd.DataFrame) -> None:
    holdout = holdout_pairs(shop, HORIZON)
    fitted = PropensityModel(horizon_days=HORIZON, max_iter=100, learning_rate=0.1).fit(shop, as_of=holdout.cutoff)
    p = fitted.predict_pairs(holdout.pairs)
    observed = holdout.labels.mean()
    assert observed > 0.05  # the check below means something
    assert p.mean() == pytest.approx(observed, rel=0.25)
    # and per half of the score range, not only on average
    high = p >= np.median(p)
    assert p[high].mean() == pytest.approx(holdout.labels[high].mean(), rel=0.25)


def test_top_customers_are_sorted_and_match_single_scores(any_model: PropensityEstimator) -> None:
    top = any_model.top_customers("p3", 10)
    assert len(top) == 10
    probs = [p for _, p in top]
    assert probs == sorted(probs, reverse=True)
    assert len({c for c, _ in top}) == 10
    for customer, prob in top[:3]:
        assert any_model.predict_proba(customer, "p3") == pytest.approx(prob)
    everyone = any_model.top_customers("p3", 10_000)
    assert len(everyone) == len(any_model.customers_)
    assert min(p for _, p in top) >= max(p for c, p in everyone[10:])


def test_unknown_ids_raise(any_model: PropensityEstimator) -> None:
    with pytest.raises(UnknownCustomer):
        any_model.predict_proba("ghost", "p3")
    with pytest.raises(UnknownProduct) as caught:
        any_model.predict_proba("c0", "caviar")
    assert caught.value.query == "caviar"
    with pytest.raises(UnknownProduct):
        any_model.top_customers("caviar", 5)
    with pytest.raises(UnknownProduct):
        any_model.base_rate("caviar")
    with pytest.raises(UnknownCustomer):
        any_model.drivers("ghost", "p3")
    with pytest.raises(UnknownCustomer):
        any_model.predict_pairs(pd.DataFrame({"customer_id": ["c0", "ghost"], "product_id": ["p3", "p3"]}))
    with pytest.raises(UnknownProduct):
        any_model.predict_profile(CustomerProfile(4, 3, 1, 10, 20.0), "caviar")


def test_profile_score_grows_with_times_bought(model: PropensityModel, prototype: RandomForestPrototype) -> None:
    # the boosting is constrained to be monotone in the purchase counts; the forest prototype is not
    scores = [model.predict_profile(CustomerProfile(6.0, 3, times, 5 if times else None, 20.0), "p3")
              for times in range(0, 7)]
    assert all(0 <= s <= 1 for s in scores)
    assert all(b >= a - 1e-9 for a, b in zip(scores, scores[1:]))
    assert scores[-1] > scores[0]
    assert 0 <= prototype.predict_profile(CustomerProfile(6.0, 3, 2, 5, 20.0), "p3") <= 1


def test_base_rate_is_the_share_of_buyers_in_a_window(model: PropensityModel, shop: pd.DataFrame) -> None:
    end = model.cutoff_
    start = end - pd.Timedelta(days=HORIZON)
    recent = shop[(shop["timestamp"] >= start) & (shop["timestamp"] < end)]
    for product in ("p3", "p7"):
        rate = model.base_rate(product)
        assert 0 <= rate <= 1
        buyers = recent.loc[recent["product_id"] == product, "customer_id"].nunique()
        one_window = buyers / shop["customer_id"].nunique()
        assert rate == pytest.approx(one_window, abs=0.1)


def test_drivers_name_what_sets_a_customer_apart(any_model: PropensityEstimator) -> None:
    drivers = any_model.drivers("weekly", "p3")
    assert 1 <= len(drivers) <= 3
    assert set(drivers) <= set(DRIVER_GROUPS)
    assert any(code.startswith("product_") for code in drivers)


def test_joblib_round_trip_gives_identical_predictions(any_model: PropensityEstimator) -> None:
    buffer = io.BytesIO()
    joblib.dump(any_model, buffer)
    buffer.seek(0)
    loaded = joblib.load(buffer)
    pairs = pd.DataFrame({"customer_id": ["weekly", "once", "c1", "c2"], "product_id": ["p3", "p3", "p0", "p9"]})
    np.testing.assert_array_equal(loaded.predict_pairs(pairs), any_model.predict_pairs(pairs))
    assert loaded.top_customers("p3", 5) == any_model.top_customers("p3", 5)


def test_too_short_a_history_is_a_data_error() -> None:
    tx = synthetic_transactions(n_customers=20, days=30, seed=4)
    with pytest.raises(DataError):
        PropensityModel(horizon_days=HORIZON).fit(tx)
