"""Erasure on request (ml/privacy.py): the database, the served answers, the next model set, the audit log."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest

from bot.audit import AuditEntry, AuditLog, Requester
from ml.data.simulator import simulate
from ml.data.store import load_dataset_from_db
from ml.errors import UnknownCustomer
from ml.privacy import ErasureList, forget, main, normalize_customer_id, without_erased
from ml.service import Caddie
from ml.settings import MLSettings
from ml.train import train_all

END = date(2024, 6, 30)


def _settings(tmp: Path) -> MLSettings:
    return MLSettings(model_dir=tmp / "models", database_url=f"sqlite:///{tmp / 'db.sqlite'}",
                      forecast_max_series=20, _env_file=None)


@pytest.fixture(scope="module")
def tiny():
    return simulate(n_customers=25, days=100, end=END, seed=6, n_stores=2)


@pytest.fixture(scope="module")
def trained(tmp_path_factory, tiny) -> Path:
    tmp = tmp_path_factory.mktemp("privacy")
    train_all(_settings(tmp), evaluate=False, dataset=tiny)
    return tmp


@pytest.fixture
def deployed(trained: Path, tmp_path: Path) -> MLSettings:
    """A copy of the trained folder and its database."""
    shutil.copytree(trained / "models", tmp_path / "models")
    shutil.copy(trained / "db.sqlite", tmp_path / "db.sqlite")
    return _settings(tmp_path)


def _victim(caddie: Caddie) -> str:
    """The customer at the top of the first product's target list: erasing them must change that list."""
    product = caddie.products(1)[0]
    return caddie.target(product.name, 3).customers[0].customer_id


def _rows(settings: MLSettings, customer_id: str) -> int:
    tx = load_dataset_from_db(settings.database_url).transactions
    return int((tx["customer_id"].astype(object) == customer_id).sum())


def _ask(audit: AuditLog, customer_id: str) -> None:
    audit.record(AuditEntry(Requester("U1", "T1", "C1", "command"), "recommend", customer_id=customer_id),
                 now=datetime(2024, 7, 1, 9))


def test_forget_removes_the_customer_and_the_served_service_refuses_them_at_once(deployed: MLSettings):
    caddie = Caddie.load(deployed.model_dir)  # loaded before the erasure, like the running bot
    victim = _victim(caddie)
    other = next(c for c in caddie.customers() if c != victim)
    assert caddie.recommend(victim, 2).items and _rows(deployed, victim) > 0
    others_before = _rows(deployed, other)
    audit = AuditLog(deployed.database_url)
    for cid in (victim, f"00{victim}", other):
        _ask(audit, cid)

    erasure = forget(f"#{victim}", deployed, by="dpo@example.fr", now=datetime(2024, 7, 2, 10))

    assert _rows(deployed, victim) == 0 and _rows(deployed, other) == others_before
    with pytest.raises(UnknownCustomer):
        caddie.recommend(victim)
    with pytest.raises(UnknownCustomer):
        caddie.predict(victim, caddie.products(1)[0].name)
    assert victim not in caddie.customers()
    product = caddie.products(1)[0].name
    assert victim not in {c.customer_id for c in caddie.target(product, 3).customers}
    assert len(caddie.target(product, 3).customers) == 3
    caddie.recommend(other, 2)  # everyone else still answered

    rows = audit.entries()
    assert [r["customer_id"] for r in rows] == [other, f"erased:{erasure.customer_hash}"]
    record = rows[-1]
    assert (record["command"], record["user_id"], record["at"]) == ("erase", "dpo@example.fr", datetime(2024, 7, 2, 10))
    # the record keeps a SHA-256 digest, not the id (a short id may occur in the hex by chance: 22 % for "20")
    assert re.fullmatch(r"[0-9a-f]{64}", erasure.customer_hash) and erasure.audit_rows_deleted == 2
    assert erasure.transactions_deleted > 0


def test_the_next_model_set_no_longer_knows_them(deployed: MLSettings, tiny):
    caddie = Caddie.load(deployed.model_dir)
    victim = _victim(caddie)
    forget(victim, deployed, by="dpo")
    train_all(deployed, evaluate=False, dataset=tiny)  # the source still holds their tickets
    fresh = Caddie.load(deployed.model_dir)
    snapshot = fresh._snapshot  # noqa: SLF001 - what the set itself holds, not the filtered answers
    assert victim not in snapshot.customers
    product = fresh.products(1)[0].product_id
    ranked = fresh._models.propensity.top_customers(product, len(snapshot.customers))  # noqa: SLF001
    assert victim not in {cid for cid, _ in ranked}
    assert _rows(deployed, victim) == 0  # the import after training did not bring them back


def test_erasure_list_keeps_salted_hashes_only_and_matches_any_spelling(tmp_path: Path):
    erased = ErasureList(tmp_path)
    digest = erased.add("0042")
    raw = json.loads((tmp_path / "erasures.json").read_text(encoding="utf-8"))
    assert set(raw) == {"salt", "customers"} and [set(e) for e in raw["customers"]] == [{"hash", "at"}]
    assert raw["customers"][0]["hash"] == digest
    assert digest != hashlib.sha256(b"42").hexdigest()  # salted
    assert all(spelling in erased for spelling in ("42", "#42", "42.0", " 0042 "))
    assert "43" not in erased
    other = ErasureList(tmp_path / "other")
    assert other.add("42") != digest  # another folder, another salt


def test_without_erased_drops_their_lines_only(tiny, tmp_path: Path):
    ErasureList(tmp_path).add("3")
    kept = without_erased(tiny, tmp_path)
    ids = tiny.transactions["customer_id"].astype(object)
    assert (kept.transactions["customer_id"].astype(object) == "3").sum() == 0
    assert len(kept.transactions) == len(tiny.transactions) - int((ids == "3").sum())
    assert without_erased(tiny, tmp_path / "nobody") is tiny


def test_the_command_erases_and_reports(deployed: MLSettings, monkeypatch, capsys):
    monkeypatch.chdir(deployed.model_dir.parent)
    monkeypatch.setenv("MODEL_DIR", str(deployed.model_dir))
    monkeypatch.setenv("DATABASE_URL", deployed.database_url)
    victim = Caddie.load(deployed.model_dir).customers()[0]
    assert main(["forget", victim, "--by", "ops"]) == 0
    out = capsys.readouterr().out
    digest = json.loads((deployed.model_dir / "erasures.json").read_text(encoding="utf-8"))["customers"][0]["hash"]
    assert f"customer erased (record {digest[:12]})" in out
    assert _rows(deployed, victim) == 0
    assert main(["forget", "  "]) == 2
    assert "empty customer id" in capsys.readouterr().err


def test_normalize_customer_id_is_the_service_one():
    from ml import service

    assert service.normalize_customer_id is normalize_customer_id
    assert normalize_customer_id(" #0042 ") == "42" and normalize_customer_id("42.0") == "42"
