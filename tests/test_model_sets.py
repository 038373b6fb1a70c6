"""Atomic, named model sets (ml/modelsets.py, ml/train.py): what is served after failures, kills, races,
corruption; the refresh's data source."""

from __future__ import annotations

import logging
import shutil
import threading
import time
from datetime import date
from pathlib import Path

import joblib
import pytest

import ml.train
from bot.refresh import retrain_served
from ml import modelsets, registry
from ml.data.simulator import simulate
from ml.data.store import load_dataset_from_db
from ml.errors import DataError, ModelNotReady
from ml.service import Caddie
from ml.settings import MLSettings
from ml.train import train_all

END = date(2024, 6, 30)


def _settings(tmp: Path, **values) -> MLSettings:
    fields = {"model_dir": tmp / "models", "database_url": f"sqlite:///{tmp / 'db.sqlite'}",
              "forecast_max_series": 20, **values}
    return MLSettings(_env_file=None, **fields)


@pytest.fixture(scope="module")
def tiny():
    return simulate(n_customers=25, days=100, end=END, seed=5, n_stores=2)


@pytest.fixture(scope="module")
def one_set(tmp_path_factory, tiny) -> Path:
    """A model folder serving one set, trained once; tests copy it."""
    tmp = tmp_path_factory.mktemp("one_set")
    train_all(_settings(tmp), evaluate=False, dataset=tiny)
    return tmp / "models"


@pytest.fixture
def served(one_set: Path, tmp_path: Path) -> Path:
    root = tmp_path / "models"
    shutil.copytree(one_set, root)
    return root


def _copy_set(root: Path, name: str) -> Path:
    """A second sealed set, named to sort after the first, published."""
    source = modelsets.resolve(root).path
    target = root / modelsets.SETS / name
    shutil.copytree(source, target)
    modelsets.publish(root, target)
    return target


def test_a_training_serves_a_new_sealed_set_and_records_its_source(served: Path):
    card = modelsets.resolve(served).card
    assert card is not None and modelsets.pointed(served) == card.name
    assert set(card.files) >= {"catalog.joblib", "forecast.joblib", "recommend.joblib", "propensity.joblib",
                               "forecasts.parquet", "precomputed.json", "forecast.json"}
    assert card.source.data_source == "simulator"
    assert Caddie.load(served).served.name == card.name


def test_a_training_that_fails_after_the_first_model_leaves_the_previous_set(
        served: Path, tmp_path: Path, tiny, monkeypatch):
    before = modelsets.pointed(served)
    saved: list[str] = []
    real_save = registry.save

    def save_then_fail(obj, name, directory, meta=None):
        if saved:
            raise OSError("disk full")
        saved.append(name)
        return real_save(obj, name, directory, meta)

    monkeypatch.setattr(registry, "save", save_then_fail)
    settings = _settings(tmp_path, database_url=f"sqlite:///{tmp_path / 'fresh.db'}")
    with pytest.raises(OSError, match="disk full"):
        train_all(settings, evaluate=False, dataset=tiny)
    assert saved == ["forecast"]  # the first model was written, into the new set
    assert modelsets.pointed(served) == before
    caddie = Caddie.load(served)
    assert caddie.served.name == before and caddie.served.fallback is None
    assert caddie.recommend(caddie.customers()[0], 2).items
    with pytest.raises(DataError):  # training first: the failed dataset never reached the database
        load_dataset_from_db(settings.database_url)


def test_two_trainings_at_once_do_not_share_files_and_both_finish(tmp_path: Path, tiny, monkeypatch):
    spans: list[tuple[float, float, Path]] = []
    real = ml.train._train_set

    def timed(settings, dataset, folder, evaluate):
        start = time.monotonic()
        report = real(settings, dataset, folder, evaluate)
        spans.append((start, time.monotonic(), folder))
        return report

    monkeypatch.setattr(ml.train, "_train_set", timed)
    settings, errors = _settings(tmp_path), []

    def train() -> None:
        try:
            train_all(settings, evaluate=False, dataset=tiny)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=train) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    (s1, e1, f1), (s2, e2, f2) = sorted(spans)
    assert f1 != f2 and e1 <= s2  # two folders; the second training waited for the lock
    assert modelsets.pointed(settings.model_dir) == f2.name
    for folder in (f1, f2):
        modelsets.verify(folder)
        assert not list(folder.glob("*.tmp"))


def test_a_corrupt_current_set_falls_back_to_the_last_good_one_and_says_so(served: Path, caplog):
    good = modelsets.pointed(served)
    broken = _copy_set(served, "29990101T000000000000Z-broken")
    (broken / "recommend.joblib").write_bytes(b"not a pickle")
    with caplog.at_level(logging.ERROR, logger="ml.modelsets"):
        caddie = Caddie.load(served)
    assert caddie.served.name == good
    assert "29990101T000000000000Z-broken" in caddie.served.fallback
    assert "recommend.joblib does not match its checksum" in caddie.served.fallback
    assert caddie.served.fallback in caplog.text
    assert registry.is_complete(served) and ml.train.is_trained(served)


@pytest.mark.parametrize("damage", ["missing file", "no card"])
def test_a_set_missing_a_file_or_its_card_is_not_served(served: Path, damage: str):
    broken = _copy_set(served, "29990101T000000000000Z-broken")
    (broken / ("forecasts.parquet" if damage == "missing file" else modelsets.CARD)).unlink()
    caddie = Caddie.load(served)
    assert caddie.served.name != broken.name
    assert ("forecasts.parquet is missing" if damage == "missing file" else "unfinished") in caddie.served.fallback


def test_no_good_set_left_is_a_model_not_ready(served: Path):
    (modelsets.resolve(served).path / "catalog.joblib").unlink()
    with pytest.raises(ModelNotReady, match="no good set is left"):
        Caddie.load(served)
    assert not registry.is_complete(served)


def test_a_loaded_object_of_the_wrong_class_is_refused(tmp_path: Path):
    from ml.models.recommend import Recommender

    joblib.dump({"not": "a model"}, tmp_path / "recommend.joblib")
    with pytest.raises(ModelNotReady, match="holds a dict, not a Recommender"):
        registry.load("recommend", tmp_path, expected=Recommender)


def test_old_sets_are_pruned_keeping_the_newest_and_the_served(served: Path):
    first = modelsets.pointed(served)
    names = [f"2999010{i}T000000000000Z-copy{i}" for i in range(1, 5)]
    for name in names:
        _copy_set(served, name)
    leftover = served / modelsets.SETS / "29990109T000000000000Z-killed"
    leftover.mkdir()  # a killed training's unsealed folder
    modelsets.publish(served, served / modelsets.SETS / names[0])
    removed = modelsets.prune(served, keep=2)
    left = sorted(p.name for p in (served / modelsets.SETS).iterdir())
    assert left == sorted([names[0], *names[-2:]])
    assert set(removed) == {first, names[1], leftover.name}


def test_the_refresh_retrains_on_the_recorded_source_not_the_default(tmp_path: Path, tiny, monkeypatch):
    data = tmp_path / "ventes.csv"
    tiny.transactions.to_csv(data, index=False)
    monkeypatch.chdir(tmp_path)
    settings = _settings(tmp_path, data_source="ventes.csv")  # relative: recorded as an absolute path
    train_all(settings, evaluate=False)
    card = modelsets.resolve(settings.model_dir).card
    assert card.source.path == str(data.resolve()) and card.data_name == "ventes.csv"

    trained_on: list[MLSettings] = []
    monkeypatch.setattr(ml.train, "train_all", lambda s: trained_on.append(s) or real_report(s))
    default = _settings(tmp_path)  # DATA_SOURCE left at its default, the simulator
    assert default.data_source == "simulator"

    def real_report(s):
        return ml.train.TrainReport(model_dir=Path(s.model_dir), data_name="", seconds={}, evaluation={})

    assert retrain_served(default) == default.model_dir
    assert [s.data_source for s in trained_on] == [str(data.resolve())]


def test_the_recorded_source_trains_again_from_another_folder(tmp_path: Path, tiny, monkeypatch):
    data = tmp_path / "ventes.csv"
    tiny.transactions.to_csv(data, index=False)
    monkeypatch.chdir(tmp_path)
    train_all(_settings(tmp_path, data_source="ventes.csv"), evaluate=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    report = train_all(ml.train.served_source_settings(_settings(tmp_path)), evaluate=False)
    assert report.data_name == "ventes.csv"
    assert modelsets.pointed(tmp_path / "models") == report.set_dir.name


def test_every_model_has_one_display_name_and_the_not_fitted_contract():
    from sklearn.exceptions import NotFittedError

    from ml.models.forecast import DemandForecaster
    from ml.models.forecast_baselines import AutoETSBaseline, LinearRegressionPrototype, SeasonalNaive
    from ml.models.propensity import PropensityModel
    from ml.models.propensity_baselines import RandomForestPrototype
    from ml.models.recommend import Recommender
    from ml.models.recommend_baselines import OwnHistoryRecommender, PopularityRecommender, UserKNNRecommender

    forecasters = [DemandForecaster(), SeasonalNaive(), LinearRegressionPrototype(), AutoETSBaseline()]
    recommenders = [Recommender(), PopularityRecommender(), OwnHistoryRecommender(), UserKNNRecommender()]
    propensity = [PropensityModel(), RandomForestPrototype()]
    names = [registry.display_name(m) for m in (*forecasters, *recommenders, *propensity)]
    assert len(set(names)) == len(names) and "forecaster" not in names and "base" not in names
    for model in forecasters:
        with pytest.raises(NotFittedError):
            model.predict(7)
    for model in recommenders:
        with pytest.raises(NotFittedError):
            model.recommend("1", 3)
        with pytest.raises(NotFittedError):
            model.recommend_batch([], 3)
    for model in propensity:
        for call in (lambda: model.predict_proba("1", "p"), lambda: model.top_customers("p"),
                     lambda: model.base_rate("p")):
            with pytest.raises(NotFittedError):
                call()
