"""The versioned REST API ``/v1/...``: product-level data (scope ``products``) here, customer-level data
(scope ``customers``, audited) in :mod:`bot.web.routes_customers`.

JSON bodies are the :mod:`ml.results` dataclasses, from the same service the Slack bot answers with. Route
functions are plain ``def``: FastAPI runs them in worker threads, the event loop stays free.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from bot.api_keys import ApiKey
from bot.web import routes_customers
from bot.web.auth import product_key
from bot.web.pagination import MAX_LIMIT, Page, decode_cursor, page
from bot.web.problems import Problem, request_lang
from bot.web.state import current_caddie
from ml.results import ForecastResult, ModelCard, OrderProposal, Product, Store
from ml.service import Caddie

router = APIRouter(prefix="/v1")
router.include_router(routes_customers.router)

ProductKey = Annotated[ApiKey, Depends(product_key)]
Service = Annotated[Caddie, Depends(current_caddie)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="items per page")]
Cursor = Annotated[str | None, Query(description="next_cursor of the previous page")]
StoreQuery = Annotated[str | None, Query(description="store number, name or city (typos forgiven); "
                                                     "none: the whole chain")]
Day = Annotated[date | None, Query(description="ISO date; default: the first forecast day")]


def _day(caddie: Caddie, day: date | None, days: int | None, lang: str) -> date | None:
    """``day`` as given, or the last of ``days`` forecast days."""
    if day is not None and days is not None:
        detail = ("Donnez day (un jour) ou days (un nombre de jours), pas les deux." if lang == "fr"
                  else "Give day (one day) or days (a number of days), not both.")
        raise Problem(400, "bad-request", "Requête incorrecte" if lang == "fr" else "Bad request", detail)
    if days is not None:
        return caddie.as_of + timedelta(days=days)
    return day


@router.get("/stores", tags=["stores"], summary="The chain's stores, by id")
def list_stores(_: ProductKey, caddie: Service, request: Request, limit: Limit = 100,
                cursor: Cursor = None) -> Page[Store]:
    stores = caddie.stores()
    return page(stores, decode_cursor(cursor, request_lang(request)), limit, total=len(stores))


@router.get("/stores/{query}", tags=["stores"], summary="One store, by number, name or city")
def get_store(query: str, _: ProductKey, caddie: Service) -> Store:
    return caddie.resolve_store(query)


@router.get("/products", tags=["products"], summary="Products, best-selling first")
def list_products(_: ProductKey, caddie: Service, request: Request, limit: Limit = 100,
                  cursor: Cursor = None) -> Page[Product]:
    products = caddie.products()
    return page(products, decode_cursor(cursor, request_lang(request)), limit, total=len(products))


@router.get("/forecasts", tags=["forecasts"], summary="Daily demand forecast of a product")
def forecast(_: ProductKey, caddie: Service, request: Request,
             product: Annotated[str, Query(min_length=1, max_length=200, description="name or id, typos forgiven")],
             store: StoreQuery = None,
             region: Annotated[str | None, Query(description="a region's stores summed (without store)")] = None,
             day: Day = None,
             days: Annotated[int | None, Query(ge=1, le=366, description="this many forecast days (not with day)")]
             = None) -> ForecastResult:
    """Every day from the first forecast day to ``day`` (or ``days`` days), with the 80 % interval and recent sales
    of the same scope (the store, the region or the chain: ``scope`` says which)."""
    return caddie.forecast(product, _day(caddie, day, days, request_lang(request)), store=store, region=region)


@router.get("/forecasts/top", tags=["forecasts"], summary="Forecasts of the best-selling products")
def forecast_top(_: ProductKey, caddie: Service, store: StoreQuery = None, day: Day = None,
                 n: Annotated[int, Query(ge=1, le=100)] = 10) -> list[ForecastResult]:
    return caddie.forecast_top(n, day, store=store)


@router.get("/orders", tags=["orders"], summary="What a store should order, each line explained")
def orders(_: ProductKey, caddie: Service,
           store: Annotated[str, Query(min_length=1, description="store number, name or city")],
           product: Annotated[str | None, Query(description="a product or a department; none: the store's main "
                                                            "products")] = None,
           day: Day = None) -> OrderProposal:
    return caddie.orders(store, product, day)


@router.get("/model-cards", tags=["models"], summary="What each model is, its data and its holdout figures")
def model_cards(_: ProductKey, caddie: Service, request: Request, limit: Limit = 100,
                cursor: Cursor = None) -> Page[ModelCard]:
    cards = caddie.model_cards()
    return page(cards, decode_cursor(cursor, request_lang(request)), limit, total=len(cards))
