"""The REST API /v1 on the real trained models: keys, scopes, problem+json, pagination, audit."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.errors import user_message
from ml.errors import UnknownProduct
from tests.web_harness import Service, web_service


@pytest.fixture
def service(caddie, tmp_path: Path) -> Service:
    return web_service(caddie, tmp_path)


@pytest.fixture
def client(service: Service) -> TestClient:
    return TestClient(service.app)


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_forecast_is_the_services_answer_as_json(service: Service, client: TestClient, caddie) -> None:
    product = caddie.products(1)[0]
    expected = caddie.forecast(product.name, caddie.as_of + timedelta(days=3))
    response = client.get("/v1/forecasts", params={"product": product.name, "days": 3},
                          headers=_auth(service.key()))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["product"]["product_id"] == product.product_id
    assert body["requested_day"] == expected.requested_day.isoformat()
    assert [p["mean"] for p in body["points"]] == pytest.approx([p.mean for p in expected.points])
    assert body["scope"]["level"] == "chain"


def test_day_and_days_together_is_a_bad_request(service: Service, client: TestClient, caddie) -> None:
    response = client.get("/v1/forecasts", params={"product": caddie.products(1)[0].name, "days": 2,
                                                   "day": caddie.as_of.isoformat()}, headers=_auth(service.key()))
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_unknown_product_is_a_problem_with_the_slack_message_and_suggestions(service: Service, client: TestClient,
                                                                            caddie, lang: str) -> None:
    typo = "yaxxrt"  # too far from "Yaourt nature" to be taken for it, close enough to suggest it
    response = client.get("/v1/forecasts", params={"product": typo},
                          headers={**_auth(service.key()), "Accept-Language": f"{lang}-FR,{lang};q=0.9"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert set(problem) >= {"type", "title", "status", "detail"}
    assert problem["status"] == 404 and problem["type"] == "/problems/unknown-product"
    with pytest.raises(UnknownProduct) as raised:
        caddie.forecast(typo)
    assert problem["detail"] == user_message(raised.value, lang)
    assert problem["suggestions"] and problem["suggestions"] == list(raised.value.suggestions)[:5]


def test_accept_language_picks_the_highest_quality(service: Service, client: TestClient) -> None:
    headers = {**_auth(service.key()), "Accept-Language": "de;q=1, fr;q=0.2, en;q=0.8"}
    problem = client.get("/v1/forecasts", params={"product": "zzqxw"}, headers=headers).json()
    assert "zzqxw" in problem["detail"] and problem["title"] == "Unknown product"


def test_no_key_or_a_wrong_key_is_401(service: Service, client: TestClient) -> None:
    assert client.get("/v1/stores").status_code == 401
    key = service.key()
    tampered = key[:-2] + ("AA" if not key.endswith("AA") else "BB")
    response = client.get("/v1/stores", headers=_auth(tampered))
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    assert client.get("/v1/stores", headers={"X-API-Key": key}).status_code == 200


def test_a_products_key_is_refused_customer_data_and_nothing_is_audited(service: Service, client: TestClient,
                                                                       caddie) -> None:
    customer = caddie.customers()[0]
    response = client.get(f"/v1/customers/{customer}/recommendations", headers=_auth(service.key("products")))
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["required_scope"] == "customers"
    assert customer not in response.text
    assert service.app.state.web.audit.entries() == []


def test_a_customers_key_gets_recommendations_and_each_call_is_audited(service: Service, client: TestClient,
                                                                      caddie) -> None:
    customer = caddie.customers()[0]
    key = service.key("customers", name="crm")
    response = client.get(f"/v1/customers/{customer}/recommendations", params={"n": 3}, headers=_auth(key))
    assert response.status_code == 200, response.text
    expected = caddie.recommend(customer, 3)
    assert [i["product"]["product_id"] for i in response.json()["items"]] == \
        [i.product.product_id for i in expected.items]
    product = caddie.products(1)[0].name
    assert client.get(f"/v1/customers/{customer}/propensity", params={"product": product},
                      headers=_auth(key)).status_code == 200
    [first, second] = service.app.state.web.audit.entries()
    assert (first["how"], first["command"], first["customer_id"]) == ("api", "recommend", customer)
    assert first["user_id"] == "_".join(key.split("_", 2)[:2]) and first["channel_id"] == "crm"
    assert (second["command"], second["customer_id"], second["product"]) == ("predict", customer, product)
    # product-level data is not for a customers-only key
    assert client.get("/v1/stores", headers=_auth(key)).status_code == 403


def test_targets_are_paged_and_every_page_audited(service: Service, client: TestClient, caddie) -> None:
    product = caddie.products(1)[0].name
    everyone = [c.customer_id for c in caddie.target(product, 7).customers]
    key, seen, cursor = service.key("customers"), [], None
    while True:
        params = {"product": product, "limit": 3, **({"cursor": cursor} if cursor else {})}
        body = client.get("/v1/targets", params=params, headers=_auth(key)).json()
        seen += [c["customer_id"] for c in body["result"]["customers"]]
        cursor = body["next_cursor"]
        if cursor is None or len(seen) >= 7:
            break
    assert seen[:7] == everyone
    assert [e["customer_count"] for e in service.app.state.web.audit.entries()] == [3, 3, 3]


def test_stores_and_model_cards_pages_cover_the_list_once(service: Service, client: TestClient, caddie) -> None:
    key = service.key()
    for path, whole in (("/v1/stores", [s.store_id for s in caddie.stores()]),
                        ("/v1/model-cards", [c.task for c in caddie.model_cards()])):
        items, cursor = [], None
        while True:
            body = client.get(path, params={"limit": 1, **({"cursor": cursor} if cursor else {})},
                              headers=_auth(key)).json()
            items += [i.get("store_id") or i.get("task") for i in body["items"]]
            assert body["total"] == len(whole)
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert items == whole


def test_a_forged_cursor_is_a_bad_request(service: Service, client: TestClient) -> None:
    response = client.get("/v1/stores", params={"cursor": "bm9wZQ"}, headers=_auth(service.key()))
    assert response.status_code == 400 and response.json()["type"] == "/problems/bad-cursor"


def test_orders_for_a_store(service: Service, client: TestClient, caddie) -> None:
    store = caddie.stores()[0]
    response = client.get("/v1/orders", params={"store": store.store_id}, headers=_auth(service.key()))
    assert response.status_code == 200, response.text
    assert response.json()["store"]["store_id"] == store.store_id
    assert len(response.json()["lines"]) == len(caddie.orders(store.store_id).lines)


def test_openapi_docs_list_the_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/forecasts", "/v1/orders", "/v1/targets", "/v1/model-cards", "/v1/stores",
            "/v1/customers/{customer_id}/recommendations", "/v1/customers/{customer_id}/propensity"} <= set(paths)
    assert client.get("/docs").status_code == 200
