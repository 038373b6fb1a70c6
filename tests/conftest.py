"""Shared fixtures: a real Caddie trained once per test session on a small simulated store."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

AS_OF = date(2024, 6, 30)  # last simulated day; fixed so that tests do not depend on today's date
REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """../shared/data beside the repository (CADDIE_SHARED_DATA overrides)."""
    return Path(os.environ.get("CADDIE_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not (path / "online_retail.csv.xz").exists():
        pytest.skip(f"real data not found in {path}")
    return path


@pytest.fixture(scope="session")
def as_of() -> date:
    return AS_OF


@pytest.fixture(scope="session")
def small_dataset():
    from ml.data.simulator import simulate

    return simulate(n_customers=120, days=240, end=AS_OF, seed=11)


@pytest.fixture(scope="session")
def trained_dir(tmp_path_factory: pytest.TempPathFactory, small_dataset) -> Path:
    from ml.settings import MLSettings
    from ml.train import train_all

    root = tmp_path_factory.mktemp("caddie")
    settings = MLSettings(model_dir=root / "models", database_url=f"sqlite:///{root / 'caddie.db'}",
                          _env_file=None)
    train_all(settings, dataset=small_dataset)
    return root / "models"


@pytest.fixture(scope="session")
def caddie(trained_dir: Path):
    from ml.service import Caddie

    return Caddie.load(trained_dir)
