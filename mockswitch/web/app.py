"""The application factory: routes, limits and the switch's lifetime."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from aiohttp import web

from mockswitch.config import Settings
from mockswitch.faults.files import load_start_rules
from mockswitch.simulator import ClockSpec, Simulator, parse_time
from mockswitch.simulator.files import load_start_outcomes
from mockswitch.store import Store, load_dataset
from mockswitch.switch import Switch

from . import (
    admin,
    calls,
    clock,
    control,
    cors,
    dials,
    events,
    faults,
    metrics,
    openapi,
    tenants,
    ui,
)
from .api import enswitch_call
from .keys import SETTINGS, SIMULATOR, SWITCH
from .middleware import errors_as_json

API_PATH = "/api/json/{function:.*}"
TENANT = "/t/{tenant}"


def create_app(settings: Settings | None = None) -> web.Application:
    """A mockswitch server; the data set is loaded when the application starts."""
    settings = settings or Settings()
    app = web.Application(
        client_max_size=settings.max_request_bytes,
        # The HTTP parser refuses longer request lines with a plain-text 400; up to this
        # size, a query over max_request_bytes reaches mockswitch and gets a 413 envelope.
        handler_args={"max_line_size": settings.max_request_line_bytes},
        middlewares=[errors_as_json],
    )
    app[SETTINGS] = settings
    app.cleanup_ctx.append(_switch)
    events.install(app)  # ends the live event streams when the server stops
    # Stopping would otherwise wait for every open /_mock/calls/wait to time out.
    app.on_shutdown.append(calls.end_long_polls)
    cors.install(app, settings.cors_origins)
    admin.install(app, settings.admin_token)  # the control API's changes need the token
    _add_routes(app.router, settings.prefix)
    app.router.add_routes(openapi.routes)  # server-wide: no /t/<tenant> copy
    if settings.metrics:
        app.router.add_routes(metrics.routes)
    return app


def _add_routes(router: web.UrlDispatcher, prefix: str) -> None:
    """Every route on the plain paths (the default tenant) and under `/t/<tenant>`."""
    prefixes = ("", prefix) if prefix else ("",)
    for scope in ("", TENANT):
        for mount in prefixes:
            for method in ("GET", "POST"):
                router.add_route(method, mount + scope + API_PATH, enswitch_call)
        for table in (
            control.routes,
            calls.routes,
            faults.routes,
            clock.routes,
            dials.routes,
            events.routes,
            ui.routes,
        ):
            for route in table:
                router.add_route(route.method, scope + route.path, route.handler)
    router.add_routes(tenants.routes)
    router.add_route("DELETE", TENANT + "/_mock", tenants.drop_tenant)


async def _switch(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    rules, default_latency = load_start_rules(settings.faults, settings.faults_seed)
    outcomes = load_start_outcomes(settings.outcomes)
    dataset = load_dataset(settings.fixtures_path())
    store = await Store.open(
        settings.db,
        dataset,
        reseed=settings.reseed,
        synchronous=settings.sync.upper(),
        journal_max=settings.journal_max,
        journal_body_cap=settings.journal_body_cap,
        dials_max=settings.dials_max,
    )
    app[SWITCH] = Switch(store, settings, rules, default_latency)
    start = parse_time(settings.clock_start, "clock_start") if settings.clock_start else 0
    simulator = Simulator(
        ClockSpec(settings.clock, settings.clock_speed, start),
        outcomes,
        store_of=lambda name: tenant.dials if (tenant := store.find(name)) else None,
        tenants=store.names,
    )
    app[SIMULATOR] = simulator
    real_clocks = asyncio.ensure_future(simulator.run_real_clocks())
    try:
        yield
    finally:
        real_clocks.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await real_clocks
        await store.close()
