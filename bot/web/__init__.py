"""caddie's web service: ONE ASGI app (FastAPI on uvicorn) serving Slack, the REST API and the operators' pages.

- :mod:`bot.web.app`: :func:`~bot.web.app.create_web_app` (the factory) and :data:`~bot.web.app.ROUTER_MODULES`,
  the one list of router modules the service includes;
- :mod:`bot.web.slack`: ``POST /slack/events`` through Bolt's FastAPI adapter (the Bolt app of :mod:`bot.app`);
- :mod:`bot.web.routes_api`: the versioned REST API ``/v1/...``;
- :mod:`bot.web.ops`: metrics and health (helper "ops"); :mod:`bot.web.insights`: experiments, dashboard;
- :mod:`bot.web.state`: :class:`~bot.web.state.WebState`, what every route finds in ``request.app.state.web``
  (settings, the service provider, the API keys, the audit log) and the FastAPI dependencies reading it;
- :mod:`bot.web.server`: uvicorn with timeouts (an idle or slow client blocks nobody).

Adding routes: write a module with ``router = fastapi.APIRouter()`` and add its dotted name to
:data:`bot.web.app.ROUTER_MODULES`. Read what you need from ``request.app.state.web`` (or the dependencies
of :mod:`bot.web.state`, e.g. ``caddie: Caddie = Depends(current_caddie)``).
"""
