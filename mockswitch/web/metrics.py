"""`GET /_mock/metrics`: the switch's counts (`switch/metrics.py`) for a Prometheus scrape."""

from __future__ import annotations

from aiohttp import web

from .declare import Answer, ControlRoutes
from .keys import SWITCH, TENANTS

routes = ControlRoutes("server")


@routes.get(
    "/_mock/metrics",
    "Prometheus metrics: calls by function, code and fault; handling time; sizes",
    Answer(
        200,
        "The Prometheus text format, or OpenMetrics when the Accept header asks for it.",
        {"text/plain": {"type": "string"}, "application/openmetrics-text": {"type": "string"}},
    ),
    scope="plain",
    head=True,
    enabled=lambda settings: settings.metrics,
)
async def metrics(request: web.Request) -> web.Response:
    """Server-wide, whatever the tenant: every tenant's calls are counted together."""
    switch = request.app[SWITCH]
    if switch.metrics is None:  # the route is not added then; a guard for other wirings
        raise web.HTTPNotFound()
    body, content_type = switch.metrics.exposition(
        request.headers.get("Accept", ""),
        await switch.store.journal.size(),
        request.app[TENANTS].count(),
    )
    return web.Response(body=body, headers={"Content-Type": content_type})
