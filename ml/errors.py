"""Exception tree of the ml package (modelled on httpx's).

Every error a user can provoke is a :class:`CaddieError`; the bot maps each
subclass to one message in one place (``bot/errors.py``). Anything else is a
bug and is logged, never shown as a trace.

    CaddieError
    ├── DataError
    │   ├── DataFormatError        (file unreadable, missing column)
    │   └── DataValidationError    (bad value: names row and column)
    ├── LookupFailed
    │   ├── UnknownProduct         (carries close-name suggestions)
    │   ├── UnknownCustomer
    │   ├── UnknownStore           (carries close-name suggestions)
    │   │   └── AmbiguousStore     (several stores match, e.g. a city: the suggestions are their names)
    │   └── NotSoldInStore         (the product exists, this store does not sell it)
    ├── NoCustomerData             (a sales log: customer commands cannot answer)
    ├── DateOutOfRange             (before history / beyond the horizon)
    ├── NotEnoughHistory           (product too rarely sold to forecast)
    └── ModelNotReady              (no trained model on disk)
"""

from __future__ import annotations

from datetime import date


class CaddieError(Exception):
    """Base class of every error a user of caddie can run into."""


class DataError(CaddieError):
    """The transaction data could not be used."""


class DataFormatError(DataError):
    """A file cannot be read or lacks a required column."""

    def __init__(self, message: str, *, path: str | None = None, column: str | None = None):
        super().__init__(message)
        self.path = path
        self.column = column


class DataValidationError(DataError):
    """A value is invalid. ``row`` is the 1-based data row in the source file (header excluded)."""

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None,
                 value: object = None, n_bad_rows: int = 1):
        super().__init__(message)
        self.row = row
        self.column = column
        self.value = value
        self.n_bad_rows = n_bad_rows


class LookupFailed(CaddieError):
    """Something the user named does not exist."""


class UnknownProduct(LookupFailed):
    def __init__(self, query: str, suggestions: list[str] | None = None):
        super().__init__(f"unknown product: {query!r}")
        self.query = query
        self.suggestions = list(suggestions or [])


class UnknownCustomer(LookupFailed):
    """``known``: the lowest and highest known ids, so that the reply can say what a customer number looks like."""

    def __init__(self, customer_id: str, suggestions: list[str] | None = None,
                 known: tuple[str, str] | None = None):
        super().__init__(f"unknown customer: {customer_id!r}")
        self.customer_id = customer_id
        self.suggestions = list(suggestions or [])
        self.known = known


class UnknownStore(LookupFailed):
    def __init__(self, query: str, suggestions: list[str] | None = None):
        super().__init__(f"unknown store: {query!r}")
        self.query = query
        self.suggestions = list(suggestions or [])


class AmbiguousStore(UnknownStore):
    """The query names several stores (a city or region with many, a shared word); ``suggestions`` lists them."""

    def __init__(self, query: str, suggestions: list[str]):
        LookupFailed.__init__(self, f"several stores match {query!r}: {', '.join(suggestions)}")
        self.query = query
        self.suggestions = list(suggestions)


class NotSoldInStore(LookupFailed):
    def __init__(self, product_name: str, store_name: str):
        super().__init__(f"{product_name!r} is not sold in store {store_name!r}")
        self.product_name = product_name
        self.store_name = store_name


class NoCustomerData(CaddieError):
    """The data is a sales log (daily sales per store and product): it names no customer."""

    def __init__(self, data_name: str):
        super().__init__(f"the data {data_name!r} has no customers")
        self.data_name = data_name


class DateOutOfRange(CaddieError):
    """The requested day is outside what the model can answer (``earliest``..``latest``)."""

    def __init__(self, requested: date, earliest: date, latest: date):
        super().__init__(f"{requested} is outside {earliest}..{latest}")
        self.requested = requested
        self.earliest = earliest
        self.latest = latest


class ModelNotReady(CaddieError):
    """No trained model could be loaded; run ``python -m ml.train``."""

    def __init__(self, model: str, reason: str = ""):
        super().__init__(f"model {model!r} is not available{': ' + reason if reason else ''}")
        self.model = model
        self.reason = reason


class ForecastsUnavailable(CaddieError):
    """The database serving the forecasts does not answer (try again later; the operator is told in the log)."""

    def __init__(self, reason: str = ""):
        super().__init__(f"the forecasts cannot be read{': ' + reason if reason else ''}")
        self.reason = reason


class NotEnoughHistory(CaddieError):
    """The product exists but sells too rarely, or too long ago, to be forecast."""

    def __init__(self, product_name: str):
        super().__init__(f"not enough recent sales to forecast {product_name!r}")
        self.product_name = product_name
