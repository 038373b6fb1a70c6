"""Customer-level data of the REST API (scope ``customers``): recommendations, propensity, targets.

Every answer is written to the audit log (:mod:`bot.audit`, ``how="api"``, the key's id as the user) BEFORE it
is sent; when the row cannot be written the answer is withheld (503), as in Slack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from bot.api_keys import ApiKey
from bot.audit import AuditEntry, AuditUnavailable, Requester
from bot.i18n import t
from bot.insights import experiment_caddie
from bot.web.auth import customer_key
from bot.web.pagination import MAX_LIMIT, decode_cursor, encode_cursor
from bot.web.problems import Problem, request_lang
from bot.web.state import current_caddie, web_state
from ml.results import PropensityResult, RecommendationResult, TargetResult
from ml.service import Caddie

router = APIRouter(tags=["customers"])

CustomerKey = Annotated[ApiKey, Depends(customer_key)]
Service = Annotated[Caddie, Depends(current_caddie)]
CustomerId = Annotated[str, Path(min_length=1, max_length=64, description="the customer's number")]
MAX_TARGETS = 5000  # the deepest a target list can be paged


@dataclass(frozen=True)
class TargetPage:
    result: TargetResult  # this page's customers (``result.customers``), most likely first
    next_cursor: str | None  # pass it as ``cursor`` for the next page; null: the last page


def audited(request: Request, key: ApiKey, command: str, *, customer_id: str | None = None,
            product: str | None = None, customer_count: int | None = None) -> None:
    """Writes the audit row of a customer-level answer; raises a 503 :class:`Problem` when it cannot."""
    requester = Requester(user_id=key.key_id, team_id="api", channel_id=key.name[:64], how="api")
    try:
        web_state(request).audit.record(AuditEntry(requester, command, customer_id=customer_id, product=product,
                                                   customer_count=customer_count))
    except AuditUnavailable:
        lang = request_lang(request)
        raise Problem(503, "audit-unavailable", "Service indisponible" if lang == "fr" else "Service unavailable",
                      t("access.audit_down", lang), headers={"Retry-After": "120"}) from None


@router.get("/customers/{customer_id}/recommendations", summary="Products to suggest to a customer, with why")
def recommendations(customer_id: CustomerId, key: CustomerKey, caddie: Service, request: Request,
                    n: Annotated[int, Query(ge=1, le=50)] = 5) -> RecommendationResult:
    # the customer's arm when an A/B test runs, the exposure logged (bot.insights)
    result = experiment_caddie(caddie, web_state(request).settings.database_url, "api").recommend(customer_id, n)
    audited(request, key, "recommend", customer_id=result.customer_id)
    return result


@router.get("/customers/{customer_id}/propensity", summary="Chance a customer buys a product soon")
def propensity(customer_id: CustomerId, key: CustomerKey, caddie: Service, request: Request,
               product: Annotated[str, Query(min_length=1, max_length=200)]) -> PropensityResult:
    result = caddie.predict(customer_id, product)
    audited(request, key, "predict", customer_id=result.customer_id, product=result.product.name)
    return result


@router.get("/targets", summary="Customers most likely to buy a product, most likely first (paged)")
def targets(key: CustomerKey, caddie: Service, request: Request,
            product: Annotated[str, Query(min_length=1, max_length=200)],
            limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
            cursor: Annotated[str | None, Query()] = None) -> TargetPage:
    offset = decode_cursor(cursor, request_lang(request))
    wanted = min(offset + limit + 1, MAX_TARGETS)
    result = caddie.target(product, max(wanted, 1))
    customers = list(result.customers[offset:offset + limit])
    more = len(result.customers) > offset + limit and offset + limit < MAX_TARGETS
    audited(request, key, "target", product=result.product.name, customer_count=len(customers))
    return TargetPage(result=TargetResult(result.product, tuple(customers), result.horizon_days, result.model,
                                          result.as_of),
                      next_cursor=encode_cursor(offset + limit) if more else None)
