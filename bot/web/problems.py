"""Errors of the web service as RFC 9457 problem details (``application/problem+json``).

The ``detail`` is the sentence a Slack user gets for the same error (:func:`bot.errors.user_message`), in the
language of ``Accept-Language`` (fr or en; else ``LANGUAGE``). ``type`` is a relative URI naming the problem;
extension members carry what a program can use (``suggestions`` of an unknown product or store, ``error_id``).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.errors import BotError, BadDate, UsageError, user_message
from ml.errors import (
    CaddieError,
    DataError,
    DateOutOfRange,
    ForecastsUnavailable,
    ModelNotReady,
    NoCustomerData,
    NotEnoughHistory,
    NotSoldInStore,
    UnknownCustomer,
    UnknownProduct,
    UnknownStore,
)

log = logging.getLogger(__name__)
MEDIA_TYPE = "application/problem+json"

# error class -> (status, problem slug, title fr, title en); the first matching class wins
_KNOWN: tuple[tuple[type[BaseException], int, str, str, str], ...] = (
    (UnknownProduct, 404, "unknown-product", "Produit inconnu", "Unknown product"),
    (UnknownCustomer, 404, "unknown-customer", "Client inconnu", "Unknown customer"),
    (UnknownStore, 404, "unknown-store", "Magasin inconnu", "Unknown store"),
    (NotSoldInStore, 404, "not-sold-in-store", "Produit non vendu dans ce magasin", "Product not sold in this store"),
    (NoCustomerData, 404, "no-customer-data", "Pas de données clients", "No customer data"),
    (DateOutOfRange, 422, "date-out-of-range", "Date hors de portée", "Date out of range"),
    (NotEnoughHistory, 422, "not-enough-history", "Historique insuffisant", "Not enough history"),
    (BadDate, 400, "bad-date", "Date illisible", "Unreadable date"),
    (UsageError, 400, "bad-request", "Requête incorrecte", "Bad request"),
    (ForecastsUnavailable, 503, "forecasts-unavailable", "Prévisions illisibles pour le moment",
     "Forecasts unreadable right now"),
    (ModelNotReady, 503, "model-not-ready", "Modèle pas prêt", "Model not ready"),
    (DataError, 500, "data-error", "Erreur de données", "Data error"),
)


class Problem(Exception):
    """An error of the API itself (key missing, scope, rate limit...): raised by routes, rendered by the handler."""

    def __init__(self, status: int, slug: str, title: str, detail: str, *, headers: dict[str, str] | None = None,
                 **extensions: Any):
        super().__init__(detail)
        self.status, self.slug, self.title, self.detail = status, slug, title, detail
        self.headers = headers or {}
        self.extensions = extensions


def request_lang(request: Request) -> str:
    """fr or en from ``Accept-Language`` (highest q first), else the ``LANGUAGE`` setting."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(request.headers.get("accept-language", "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        code = tag.strip().split("-")[0].lower()
        if code in ("fr", "en") and q > 0:
            ranked.append((-q, i, code))
    if ranked:
        return min(ranked)[2]
    state = getattr(request.app.state, "web", None)
    return state.settings.language if state is not None else "fr"


def problem_response(status: int, slug: str, title: str, detail: str, *, headers: dict[str, str] | None = None,
                     **extensions: Any) -> JSONResponse:
    body = {"type": f"/problems/{slug}", "title": title, "status": status, "detail": detail, **extensions}
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def error_problem(exc: BaseException, lang: str) -> JSONResponse:
    """The problem for an error of the service (a :mod:`ml.errors` or :mod:`bot.errors` class, or a bug)."""
    detail = user_message(exc, lang)
    for cls, status, slug, title_fr, title_en in _KNOWN:
        if isinstance(exc, cls):
            extensions: dict[str, Any] = {}
            suggestions = getattr(exc, "suggestions", None)
            if suggestions:
                extensions["suggestions"] = list(suggestions)[:5]
            return problem_response(status, slug, title_fr if lang == "fr" else title_en, detail, **extensions)
    title = "Erreur interne" if lang == "fr" else "Internal error"
    return problem_response(500, "internal", title, detail)


def install_problem_handlers(app: FastAPI) -> None:
    """Every error of ``app`` as problem+json: the service's errors, the API's own, HTTP errors, bad parameters."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.slug, exc.title, exc.detail, headers=exc.headers, **exc.extensions)

    @app.exception_handler(CaddieError)
    @app.exception_handler(BotError)
    async def _service_error(request: Request, exc: Exception) -> JSONResponse:
        return error_problem(exc, request_lang(request))

    @app.exception_handler(RequestValidationError)
    async def _bad_parameters(request: Request, exc: RequestValidationError) -> JSONResponse:
        lang = request_lang(request)
        errors = [{"parameter": ".".join(str(p) for p in e.get("loc", ())[1:]), "problem": e.get("msg", "")}
                  for e in exc.errors()]
        names = ", ".join(e["parameter"] for e in errors) or "?"
        detail = (f"Paramètres incorrects : {names}." if lang == "fr" else f"Invalid parameters: {names}.")
        title = "Requête incorrecte" if lang == "fr" else "Bad request"
        return problem_response(400, "bad-request", title, detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = {404: "Not Found", 405: "Method Not Allowed"}.get(exc.status_code, "HTTP error")
        return problem_response(exc.status_code, "http", title, str(exc.detail), headers=exc.headers)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        return error_problem(exc, request_lang(request))  # user_message logs the trace under an error id
