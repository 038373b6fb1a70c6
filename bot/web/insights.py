"""Experiments and the dashboard: ``/v1/experiments``, ``/v1/experiments/{id}`` (scope ``products``: aggregates
only) and ``/dashboard`` (HTML; its customer segments need a key of scope ``customers``, and are audited)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse

from bot.api_keys import CUSTOMERS, ApiKey, KeyStoreUnavailable
from bot.audit import AuditEntry, AuditUnavailable, Requester
from bot.dashboard.data import collect
from bot.dashboard.page import render
from bot.errors import user_message
from bot.insights import Insights, insights_for
from bot.web.auth import presented_key, product_key
from bot.web.problems import Problem, request_lang
from bot.web.state import current_caddie, web_state
from ml.experiments.definition import UnknownExperiment
from ml.experiments.results import ArmResult, Comparison, ExperimentReport
from ml.service import Caddie

router = APIRouter()
ProductKey = Annotated[ApiKey, Depends(product_key)]
Service = Annotated[Caddie, Depends(current_caddie)]
ExperimentId = Annotated[str, Path(min_length=1, max_length=64, description="the experiment's name")]
KEY_COOKIE = "caddie_key"


def insights_of(request: Request) -> Insights:
    state = web_state(request)
    shared = state.extras.get("insights")
    return shared if isinstance(shared, Insights) else insights_for(state.settings.database_url)


def _arm(arm: ArmResult) -> dict[str, Any]:
    return {"name": arm.name, "share": arm.share, "customers": arm.customers, "conversions": arm.conversions,
            "rate": arm.rate, "ci95": [arm.interval.low, arm.interval.high],
            "mean_spend": arm.mean_basket_value, "thumbs_up": arm.thumbs_up, "thumbs_down": arm.thumbs_down}


def _comparison(c: Comparison) -> dict[str, Any]:
    test = c.test
    return {"arm": c.arm, "control": c.control,
            "difference": test.difference if test else None,
            "ci95": [test.interval.low, test.interval.high] if test else None,
            "z": test.z if test else None, "p_value": test.p_value if test else None,
            "significant": c.significant, "needed_per_arm_observed": c.needed_observed,
            "needed_per_arm_minimum_effect": c.needed_minimum, "still_needed_per_arm": c.still_needed}


def report_json(report: ExperimentReport) -> dict[str, Any]:
    return {"id": report.name, "window_days": report.window_days, "minimum_effect": report.minimum_effect,
            "customers": report.customers, "arms": [_arm(a) for a in report.arms],
            "comparisons": [_comparison(c) for c in report.comparisons],
            "method": "conversion per exposed customer; Wilson 95% intervals; two-proportion z-test (pooled); "
                      "sample size for power 0.8 at alpha 0.05"}


@router.get("/v1/experiments", tags=["experiments"], summary="The A/B tests of the recommendations")
def experiments(key: ProductKey, request: Request) -> list[dict[str, Any]]:
    insights = insights_of(request)
    return [{"id": e.name, "arms": [{"name": a.name, "share": s} for a, s in zip(e.arms, e.shares)],
             "window_days": e.window_days, "customers": insights.experiments.customers(e.name)}
            for e in insights.experiments.all()]


@router.get("/v1/experiments/{experiment_id}", tags=["experiments"],
            summary="Conversion per arm with 95% intervals, the difference, its significance, the sample still needed")
def experiment(experiment_id: ExperimentId, key: ProductKey, caddie: Service, request: Request) -> dict[str, Any]:
    try:
        report = insights_of(request).experiments.report(experiment_id, dataset=caddie.data_name)
    except UnknownExperiment as exc:
        lang = request_lang(request)
        raise Problem(404, "unknown-experiment", "Expérience inconnue" if lang == "fr" else "Unknown experiment",
                      user_message(exc, lang), known=list(exc.known)) from None
    return report_json(report)


def _customer_key(request: Request) -> ApiKey | None:
    """The key presented (header, or the ``caddie_key`` cookie) when it holds the ``customers`` scope."""
    presented = presented_key(request) or request.cookies.get(KEY_COOKIE)
    if not presented:
        return None
    try:
        key = web_state(request).keys.verify(presented)
    except KeyStoreUnavailable:
        return None
    return key if key is not None and key.allows(CUSTOMERS) else None


@router.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
def dashboard(request: Request, caddie: Service) -> HTMLResponse:
    key = _customer_key(request)
    if key is not None:  # the segments are customer-level: audited first, withheld when the audit is down
        try:
            web_state(request).audit.record(AuditEntry(
                Requester(user_id=key.key_id, team_id="api", channel_id="dashboard", how="api"), "segments"))
        except AuditUnavailable:
            key = None
    page = render(collect(caddie, insights_of(request), customers=key is not None), request_lang(request))
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})
