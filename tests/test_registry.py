"""Saving and loading models with their JSON metadata (ml/registry.py)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from ml import registry
from ml.errors import ModelNotReady


def _meta(task: str = "propensity", **overrides) -> registry.ModelMetadata:
    fields = dict(task=task, model="LogisticRegression", data_name="unit", data_start="2024-01-01",
                  data_end="2024-06-30", n_transactions=12, params={"C": 1.0},
                  evaluation={"model": {"name": "LogisticRegression", "roc_auc": 0.75}, "baselines": {}},
                  train_seconds=0.01)
    fields.update(overrides)
    return registry.ModelMetadata(**fields)


@pytest.fixture
def estimator() -> LogisticRegression:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] + 0.3 * X[:, 1] > 0).astype(int)
    return LogisticRegression().fit(X, y)


def test_save_then_load_gives_an_equivalent_estimator(tmp_path: Path, estimator):
    path = registry.save(estimator, "propensity", tmp_path, _meta())
    assert path == tmp_path / "propensity.joblib"
    loaded = registry.load("propensity", tmp_path)
    assert type(loaded) is LogisticRegression
    X = np.linspace(-2, 2, 30).reshape(10, 3)
    np.testing.assert_allclose(loaded.predict_proba(X), estimator.predict_proba(X))
    np.testing.assert_array_equal(loaded.coef_, estimator.coef_)


def test_save_creates_the_folder(tmp_path: Path):
    folder = tmp_path / "a" / "b"
    registry.save([1, 2, 3], "catalog", folder)
    assert registry.load("catalog", folder) == [1, 2, 3]
    assert not (folder / "catalog.json").exists()  # no metadata given, none written


def test_metadata_json_records_versions_window_and_training_time(tmp_path: Path, estimator):
    before = datetime.now().astimezone()
    registry.save(estimator, "propensity", tmp_path, _meta())
    raw = json.loads((tmp_path / "propensity.json").read_text(encoding="utf-8"))
    assert raw["task"] == "propensity"
    assert raw["model"] == "LogisticRegression"
    assert (raw["data_start"], raw["data_end"]) == ("2024-01-01", "2024-06-30")
    assert raw["n_transactions"] == 12
    assert raw["evaluation"]["model"]["roc_auc"] == 0.75
    for package in ("python", "scikit-learn", "numpy", "pandas", "joblib"):
        assert raw["versions"][package], package
    import sklearn
    assert raw["versions"]["scikit-learn"] == sklearn.__version__
    assert raw["versions"]["numpy"] == np.__version__
    trained_at = datetime.fromisoformat(raw["trained_at"])
    assert trained_at.tzinfo is not None
    assert abs((trained_at - before).total_seconds()) < 60


def test_load_metadata_round_trips(tmp_path: Path, estimator):
    meta = _meta(data_name="Données été", params={"C": 0.5, "penalty": "l2"})
    registry.save(estimator, "propensity", tmp_path, meta)
    loaded = registry.load_metadata("propensity", tmp_path)
    assert asdict(loaded) == asdict(meta)
    assert loaded.data_window == (date(2024, 1, 1), date(2024, 6, 30))
    assert "Données été" in (tmp_path / "propensity.json").read_text(encoding="utf-8")  # readable, not escaped


def test_load_metadata_warns_about_another_sklearn_version(tmp_path: Path, estimator, caplog):
    meta = _meta()
    meta.versions = {**meta.versions, "scikit-learn": "0.0.1"}
    registry.save(estimator, "propensity", tmp_path, meta)
    with caplog.at_level("WARNING", logger="ml.registry"):
        registry.load_metadata("propensity", tmp_path)
    assert "0.0.1" in caplog.text


@pytest.mark.parametrize("loader", [registry.load, registry.load_metadata])
def test_loading_a_missing_file_raises_model_not_ready_naming_it(tmp_path: Path, loader):
    with pytest.raises(ModelNotReady) as info:
        loader("forecast", tmp_path)
    assert info.value.model == "forecast"
    assert str(tmp_path / "forecast.") in str(info.value)


@pytest.mark.parametrize("content", [b"", b"definitely not a pickle", b"\x80\x04\x95garbage"])
def test_loading_a_corrupt_file_raises_model_not_ready(tmp_path: Path, content: bytes):
    (tmp_path / "recommend.joblib").write_bytes(content)
    with pytest.raises(ModelNotReady) as info:
        registry.load("recommend", tmp_path)
    assert info.value.model == "recommend"
    assert "recommend.joblib" in str(info.value)
    assert info.value.__cause__ is not None  # the original error is kept for the log


def test_loading_a_truncated_file_raises_model_not_ready(tmp_path: Path, estimator):
    path = registry.save(estimator, "propensity", tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelNotReady):
        registry.load("propensity", tmp_path)


@pytest.mark.parametrize("text", ["{not json", '{"task": "forecast", "unexpected": 1}'])
def test_loading_corrupt_metadata_raises_model_not_ready(tmp_path: Path, text: str):
    (tmp_path / "forecast.json").write_text(text, encoding="utf-8")
    with pytest.raises(ModelNotReady) as info:
        registry.load_metadata("forecast", tmp_path)
    assert "forecast.json" in str(info.value)


def test_is_complete_only_once_every_model_metadata_and_catalogue_exist(tmp_path: Path):
    assert not registry.is_complete(tmp_path)
    assert not registry.is_complete(tmp_path / "missing")
    for task in registry.TASKS:
        registry.save({"task": task}, task, tmp_path)  # model without metadata
        assert not registry.is_complete(tmp_path)
    registry.save({"products": []}, registry.CATALOG, tmp_path)
    assert not registry.is_complete(tmp_path)  # still no metadata
    for task in registry.TASKS:
        assert not registry.is_complete(tmp_path)
        registry.save({"task": task}, task, tmp_path, _meta(task))
    assert registry.is_complete(tmp_path)
    (tmp_path / "recommend.json").unlink()
    assert not registry.is_complete(tmp_path)
    registry.save({"task": "recommend"}, "recommend", tmp_path, _meta("recommend"))
    (tmp_path / f"{registry.CATALOG}.joblib").unlink()
    assert not registry.is_complete(tmp_path)


def test_save_leaves_no_temporary_file_and_replaces_the_old_model(tmp_path: Path):
    registry.save({"version": 1}, "forecast", tmp_path, _meta("forecast", n_transactions=1))
    registry.save({"version": 2}, "forecast", tmp_path, _meta("forecast", n_transactions=2))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["forecast.joblib", "forecast.json"]
    assert registry.load("forecast", tmp_path) == {"version": 2}
    assert registry.load_metadata("forecast", tmp_path).n_transactions == 2


def test_a_failed_save_keeps_the_previous_model(tmp_path: Path):
    registry.save({"version": 1}, "forecast", tmp_path)
    with pytest.raises(Exception):
        registry.save(lambda: None, "forecast", tmp_path)  # a lambda cannot be pickled
    assert registry.load("forecast", tmp_path) == {"version": 1}


def test_a_failed_save_leaves_no_temporary_file(tmp_path: Path):
    registry.save({"version": 1}, "forecast", tmp_path)
    with pytest.raises(Exception):
        registry.save(lambda: None, "forecast", tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["forecast.joblib"]
