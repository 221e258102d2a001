"""The control API under `/_mock/`: health and reset (more to come with the journal)."""

from __future__ import annotations

import time

from aiohttp import web

from mockswitch import __version__

from .keys import SWITCH
from .tenants import tenant_for_change

routes = web.RouteTableDef()


@routes.get("/_mock/health")
async def health(request: web.Request) -> web.Response:
    """Answers only once the data set is loaded: the server does not listen before that."""
    switch = request.app[SWITCH]
    meta = switch.store.meta
    return web.json_response(
        {
            "status": "ok",
            "version": __version__,
            "api_version": switch.settings.api_version,
            "seed": {"source": meta.get("seed_source"), "seeded_at": meta.get("seeded_at")},
        }
    )


@routes.post("/_mock/reset")
async def reset(request: web.Request) -> web.Response:
    """Put the data back to the seed, clear the journal, restore the start fault rules."""
    started = time.perf_counter()
    tenant = await tenant_for_change(request)
    switch = request.app[SWITCH]
    await switch.store.reset(tenant)
    switch.reset_faults(tenant)
    switch.beyond.reset(tenant.name)
    took = round((time.perf_counter() - started) * 1000, 3)
    return web.json_response({"status": "reset", "tenant": tenant.name, "took_ms": took})
