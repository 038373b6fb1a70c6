"""Who calls the REST API: the API key (``Authorization: Bearer <key>`` or ``X-API-Key``), its rate limit and
its scopes, as one FastAPI dependency per scope.

Order of checks: a key (401), the key store reachable (503), the key's rate (429 + ``Retry-After``), the scope
(403). Problems are in the caller's language (``Accept-Language``).
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from bot.api_keys import CUSTOMERS, PRODUCTS, ApiKey, KeyStoreUnavailable
from bot.web.limits import retry_after_header
from bot.web.problems import Problem, request_lang
from bot.web.state import web_state

_TEXT = {
    "fr": {
        "no_key": ("Clé d'API manquante", "Envoyez votre clé d'API dans l'en-tête Authorization: Bearer <clé> "
                   "(une clé se crée avec python -m bot.api_keys create)."),
        "bad_key": ("Clé d'API refusée", "Cette clé d'API n'est pas valable ou a été révoquée."),
        "keys_down": ("Service indisponible", "Les clés d'API ne peuvent pas être vérifiées pour l'instant "
                      "(base de données injoignable). Réessayez dans quelques minutes."),
        "rate": ("Trop de requêtes", "Limite de {rate:g} requêtes par seconde dépassée pour cette clé : "
                 "réessayez dans {wait} s."),
        "scope": ("Accès refusé", "Cette clé n'a pas accès aux données {what}. Il faut une clé avec la portée "
                  "« {scope} »."),
        PRODUCTS: "produits (prévisions, commandes, fiches des modèles)",
        CUSTOMERS: "clients (recommandations, propension, cibles)",
    },
    "en": {
        "no_key": ("API key missing", "Send your API key in the header Authorization: Bearer <key> "
                   "(keys are made with python -m bot.api_keys create)."),
        "bad_key": ("API key refused", "This API key is not valid or has been revoked."),
        "keys_down": ("Service unavailable", "API keys cannot be checked right now (database unreachable). "
                      "Try again in a few minutes."),
        "rate": ("Too many requests", "Limit of {rate:g} requests per second exceeded for this key: "
                 "try again in {wait} s."),
        "scope": ("Forbidden", "This key has no access to {what} data. It needs a key with the \"{scope}\" scope."),
        PRODUCTS: "product-level (forecasts, orders, model cards)",
        CUSTOMERS: "customer-level (recommendations, propensity, targets)",
    },
}


def presented_key(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.headers.get("x-api-key", "").strip() or None


def requires(scope: str) -> Callable[[Request], ApiKey]:
    """The dependency admitting a request whose key holds ``scope``; returns the key."""

    def check(request: Request) -> ApiKey:
        lang = request_lang(request)
        text = _TEXT[lang]
        state = web_state(request)
        presented = presented_key(request)
        if presented is None:
            raise Problem(401, "api-key-missing", *text["no_key"], headers={"WWW-Authenticate": "Bearer"})
        try:
            key = state.keys.verify(presented)
        except KeyStoreUnavailable:
            raise Problem(503, "keys-unavailable", *text["keys_down"], headers={"Retry-After": "60"}) from None
        if key is None:
            raise Problem(401, "api-key-refused", *text["bad_key"], headers={"WWW-Authenticate": "Bearer"})
        wait = state.limiter.take(key.key_id)
        if wait > 0:
            after = retry_after_header(wait)
            title, detail = text["rate"]
            raise Problem(429, "rate-limited", title, detail.format(rate=state.limiter.rate, wait=after),
                          headers={"Retry-After": after})
        if not key.allows(scope):
            title, detail = text["scope"]
            raise Problem(403, "scope-missing", title, detail.format(what=text[scope], scope=scope),
                          required_scope=scope)
        return key

    return check


product_key = requires(PRODUCTS)
customer_key = requires(CUSTOMERS)
