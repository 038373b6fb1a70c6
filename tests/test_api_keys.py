"""API keys: made by the command, shown once, stored hashed; scopes; revocation; rate limits (429 Retry-After)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select

from bot.api_keys import ApiKeys, api_keys, key_id_of, main, parse_scopes
from bot.web.limits import RateLimiter, retry_after_header
from tests.web_harness import web_service


def test_a_key_is_stored_as_its_hash_only(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    keys = ApiKeys(url)
    key, record = keys.create("planner", "products")
    assert key.startswith(record.key_id + "_") and key_id_of(key) == record.key_id
    with create_engine(url).connect() as conn:
        [row] = conn.execute(select(api_keys)).mappings().all()
    assert row["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert key.split("_", 2)[2] not in str(dict(row))
    assert keys.verify(key) == keys.list()[0]
    assert keys.verify(key + "x") is None and keys.verify("not a key") is None


def test_scopes_are_checked_when_made() -> None:
    assert parse_scopes("products, Customers") == {"products", "customers"}
    for bad in ("", "everything", "products,admin"):
        with pytest.raises(ValueError):
            parse_scopes(bad)


def test_a_revoked_key_stops_working(tmp_path: Path) -> None:
    keys = ApiKeys(f"sqlite:///{tmp_path / 'k.db'}", cache_seconds=0)
    key, record = keys.create("old", "products")
    assert keys.verify(key) is not None
    assert keys.revoke(record.key_id) is True and keys.revoke(record.key_id) is False
    assert keys.verify(key) is None


def test_the_command_prints_the_key_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'k.db'}")
    out = io.StringIO()
    assert main(["create", "--name", "crm", "--scopes", "products,customers"], out=out) == 0
    key = out.getvalue().splitlines()[0]
    assert ApiKeys(f"sqlite:///{tmp_path / 'k.db'}").verify(key).scopes == {"products", "customers"}
    listing = io.StringIO()
    assert main(["list"], out=listing) == 0
    assert "crm" in listing.getvalue() and key not in listing.getvalue()
    assert main(["create", "--name", "x", "--scopes", "admin"], out=io.StringIO()) == 2


def test_token_bucket_refills_at_its_rate() -> None:
    now = [0.0]
    limiter = RateLimiter(rate=2.0, burst=3, clock=lambda: now[0])
    assert [limiter.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take("a") == pytest.approx(0.5)  # one token comes back every 1/2 s
    assert limiter.take("b") == 0.0  # another key has its own bucket
    now[0] = 0.5
    assert limiter.take("a") == 0.0 and limiter.take("a") == pytest.approx(0.5)
    assert retry_after_header(0.5) == "1" and retry_after_header(2.1) == "3"


def test_past_the_limit_the_api_answers_429_with_retry_after(caddie, tmp_path: Path) -> None:
    service = web_service(caddie, tmp_path, api_rate_per_second=0.1, api_rate_burst=2)
    client, key = TestClient(service.app), service.key()
    other = service.key(name="other")
    headers = {"Authorization": f"Bearer {key}", "Accept-Language": "en"}
    assert [client.get("/v1/stores", headers=headers).status_code for _ in range(2)] == [200, 200]
    refused = client.get("/v1/stores", headers=headers)
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["retry-after"]) <= 10
    assert refused.json()["type"] == "/problems/rate-limited"
    assert client.get("/v1/stores", headers={"Authorization": f"Bearer {other}"}).status_code == 200
