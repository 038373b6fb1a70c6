"""/v1/experiments/{id} and /dashboard on the real web app (trained models, the training database copied)."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from bot.audit import AuditLog
from bot.web.server import running
from bot.web.settings import WebSettings
from ml.experiments.definition import parse_experiment
from ml.experiments.log import ExperimentLog, Exposure
from ml.experiments.settings import ExperimentSettings
from ml.experiments.stats import wilson_interval
from tests.web_harness import Service, web_service

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def service(caddie, trained_dir: Path, tmp_path: Path, monkeypatch) -> Service:
    for name in ExperimentSettings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    shutil.copy(trained_dir.parent / "caddie.db", tmp_path / "caddie.db")
    return web_service(caddie, tmp_path)


def _expose(service: Service, small_dataset, at: datetime) -> dict[str, bool]:
    """Exposes 20 customers (alternate arms) to the 3 products they bought most before ``at``; returns whether
    each bought one of them in the 14 days after, computed here from the simulated log."""
    tx = small_dataset.transactions.dropna(subset=["customer_id"])
    tx = tx.assign(customer_id=tx["customer_id"].astype(str), product_id=tx["product_id"].astype(str))
    before, after = tx[tx["timestamp"] < at], tx[(tx["timestamp"] > at) & (tx["timestamp"] <= at + timedelta(14))]
    log = ExperimentLog(service.settings.database_url)
    log.define(parse_experiment("reco:popular=1,model=1"))
    expected, exposures = {}, []
    for i, customer in enumerate(sorted(before["customer_id"].unique())[:20]):
        items = tuple(before[before["customer_id"] == customer]["product_id"].value_counts().index[:3])
        exposures.append(Exposure("reco", "model" if i % 2 else "popular", customer, items, "api", at))
        bought = after[(after["customer_id"] == customer) & after["product_id"].isin(items)]
        expected[customer] = not bought.empty
    log.record_exposures(exposures)
    return expected


def test_experiment_report_from_the_stored_purchases(service: Service, small_dataset, caddie) -> None:
    at = datetime.combine(caddie.as_of - timedelta(days=30), datetime.min.time())
    expected = _expose(service, small_dataset, at)
    client = TestClient(service.app)
    assert client.get("/v1/experiments/reco").status_code == 401
    auth = {"Authorization": f"Bearer {service.key('products')}"}
    body = client.get("/v1/experiments/reco", headers=auth).json()
    arms = {a["name"]: a for a in body["arms"]}
    customers = sorted(expected)
    for index, name in ((0, "popular"), (1, "model")):
        mine = [expected[c] for c in customers[index::2]]
        assert (arms[name]["customers"], arms[name]["conversions"]) == (len(mine), sum(mine))
        interval = wilson_interval(sum(mine), len(mine))
        assert arms[name]["ci95"] == pytest.approx([interval.low, interval.high])
    assert body["comparisons"][0]["arm"] == "model" and body["comparisons"][0]["control"] == "popular"
    listed = client.get("/v1/experiments", headers=auth).json()
    assert listed == [{"id": "reco", "arms": [{"name": "popular", "share": 0.5}, {"name": "model", "share": 0.5}],
                       "window_days": 14, "customers": 20}]
    unknown = client.get("/v1/experiments/nope", headers=auth)
    assert unknown.status_code == 404
    assert "nope" in unknown.json()["detail"]


def _charts(html: str) -> list[str]:
    return re.findall(r'<img class="chart"[^>]*>', html)


def test_dashboard_shows_product_charts_and_locks_the_segments(service: Service, small_dataset, caddie) -> None:
    _expose(service, small_dataset, datetime.combine(caddie.as_of - timedelta(days=30), datetime.min.time()))
    client = TestClient(service.app)
    page = client.get("/dashboard")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert len(_charts(html)) == 4  # holdout errors, store forecasts, store orders, the experiment
    assert "Segments de clients" in html and "customers" in html and "Clients par segment" not in html
    assert AuditLog(service.settings.database_url).entries() == []
    products_only = client.get("/dashboard", headers={"Authorization": f"Bearer {service.key('products')}"})
    assert len(_charts(products_only.text)) == 4
    full = client.get("/dashboard", headers={"Authorization": f"Bearer {service.key('products,customers')}",
                                             "Accept-Language": "en"})
    assert len(_charts(full.text)) == 5 and "Customers per segment" in full.text
    [row] = AuditLog(service.settings.database_url).entries()
    assert (row["command"], row["how"], row["channel_id"]) == ("segments", "api", "dashboard")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install -y chromium; "
                                             ".ci/run installs it)")
def test_dashboard_charts_render_in_headless_chromium(service: Service, tmp_path: Path) -> None:
    with running(service.app, WebSettings(_env_file=None)) as url:
        dom = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=10000", "--dump-dom",
             f"{url}/dashboard"], capture_output=True, text=True, timeout=120, check=True).stdout
    assert 'data-ready="1"' in dom, "the page's load event ran"
    sizes = re.findall(r'<img class="chart"[^>]*data-rendered="(\d+)x(\d+)"', dom)
    assert len(sizes) == len(_charts(dom)) >= 3
    assert all(int(w) > 100 and int(h) > 100 for w, h in sizes), sizes


def test_api_recommendations_serve_the_arm_and_log_the_exposure(service: Service, caddie) -> None:
    from ml.experiments.assignment import assign

    log = ExperimentLog(service.settings.database_url)
    experiment = parse_experiment("reco:popular=1,model=1")
    log.define(experiment)
    customer = caddie.customers()[2]
    auth = {"Authorization": f"Bearer {service.key('customers')}"}
    body = TestClient(service.app).get(f"/v1/customers/{customer}/recommendations?n=3", headers=auth).json()
    [exposure] = log.exposures("reco").to_dict("records")
    arm = assign(experiment, customer, "caddie").name
    assert (exposure["customer_id"], exposure["arm"], exposure["channel"]) == (customer, arm, "api")
    assert exposure["items"] == tuple(item["product"]["product_id"] for item in body["items"])
    assert len(exposure["items"]) == 3
