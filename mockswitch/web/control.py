"""The control API under `/_mock/`: health and reset."""

from __future__ import annotations

import time

from aiohttp import web

from mockswitch import __version__
from mockswitch.errors import ControlError

from .declare import BAD, NUMBER, STRING, TOO_MANY, ControlRoutes, object_of, ok
from .keys import SWITCH, TENANTS
from .tenants import tenant_for_change

routes = ControlRoutes("server")

HEALTH = routes.schema(
    "Health",
    object_of(
        {
            "status": {"const": "ok"},
            "version": STRING,
            "api_version": STRING,
            "seed": object_of(
                {"source": {"type": ["string", "null"]}, "seeded_at": {"type": ["string", "null"]}}
            ),
        },
        "status",
        "version",
        "api_version",
    ),
)
RESET = routes.schema(
    "Reset",
    object_of(
        {"status": {"const": "reset"}, "tenant": STRING, "took_ms": NUMBER}, "status", "tenant"
    ),
)


@routes.get(
    "/_mock/health",
    "Whether the server is up and its data set loaded",
    ok("Ready: the server listens only once its data is loaded.", HEALTH),
)
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


@routes.post(
    "/_mock/reset",
    "Reset the tenant: data back to the seed, journal and dials cleared, the start fault "
    "rules, stubs, outcome rules and clock back, all at one instant",
    ok("Reset.", RESET),
    BAD,
    TOO_MANY,
)
async def reset(request: web.Request) -> web.Response:
    """Put the data back to the seed, clear the journal and the dials, restore the start
    fault rules, stubs, outcome rules and clock: all of it at one instant."""
    started = time.perf_counter()
    tenant = await tenant_for_change(request)
    if not await request.app[TENANTS].reset(tenant):  # a drop got there first
        raise ControlError(404, f"no tenant called {tenant.name!r}", field="tenant")
    took = round((time.perf_counter() - started) * 1000, 3)
    return web.json_response({"status": "reset", "tenant": tenant.name, "took_ms": took})
