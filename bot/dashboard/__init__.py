"""The operators' dashboard (``/dashboard``): server-rendered HTML with charts inlined as PNG (no JavaScript
library, no external request).

    accuracy   daily accuracy of the forecasts served (the live-accuracy table ``forecast_errors``)
    data       what the page shows, gathered from the service, the experiment log and the database
    page       the HTML, from :class:`~bot.dashboard.data.Dashboard` (pure)

Product-level sections are shown to anyone reaching the page; the customer segments only with an API key of
scope ``customers`` (``Authorization: Bearer`` or the ``caddie_key`` cookie), and the look-up is audited.
"""
