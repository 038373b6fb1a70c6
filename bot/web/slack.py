"""``POST /slack/events``: Slack's requests (slash commands, interactions, events) to the Bolt app.

Through Bolt's FastAPI adapter (its request/response conversion), with one change: ``App.dispatch`` (signature
check, middleware, the ack) runs in a worker thread, so that a slow listener or database look-up never stalls
the event loop serving the other clients. The answers themselves run in Bolt's lazy listeners, after the ack.
"""

from __future__ import annotations

from anyio import CapacityLimiter
from anyio.to_thread import run_sync
from fastapi import APIRouter, Request, Response
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response

from bot.web.state import web_state

router = APIRouter(include_in_schema=False)

_LIMITER_KEY = "slack_dispatch_threads"


@router.post("/slack/events")
async def slack_events(request: Request) -> Response:
    state = web_state(request)
    if state.slack is None:
        return Response(status_code=404, content="Slack is not configured (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET)")
    body = await request.body()
    bolt_request = to_bolt_request(request, body)
    limiter = state.extras.get(_LIMITER_KEY)
    if limiter is None:
        limiter = state.extras[_LIMITER_KEY] = CapacityLimiter(state.web.http_worker_threads)
    bolt_response = await run_sync(state.slack.dispatch, bolt_request, limiter=limiter)
    return to_starlette_response(bolt_response)
