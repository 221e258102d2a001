"""The application factory: routes, limits and the switch's lifetime."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from mockswitch.config import Settings
from mockswitch.dataset.fixtures import load_dataset
from mockswitch.faults.files import load_start_rules
from mockswitch.simulator import ClockSpec, Simulator, parse_time
from mockswitch.simulator.files import load_start_outcomes
from mockswitch.store import Store
from mockswitch.stubs import StubBudget, read_stub_file
from mockswitch.switch import Switch
from mockswitch.switch.beyond import Beyond
from mockswitch.switch.known import served_or_stubbed
from mockswitch.switch.messages import load_messages
from mockswitch.switch.recording import StubRecorder
from mockswitch.tenancy import Start, Tenants

from . import admin, calls, cors, crosssite, events, hosts, slashes
from .api import enswitch_call
from .hosts import HostPolicy
from .keys import SETTINGS, SWITCH, TENANTS
from .middleware import errors_as_json
from .openapi import CONTROL
from .openapi_control import SCOPES
from .proxy import AiohttpForwarder, check_reachable

log = logging.getLogger("mockswitch")

# [\s\S], not `.`: a function name holding a line break still reaches the handler, and gets
# an envelope and a journal entry like any other name.
API_PATH = r"/api/json/{function:[\s\S]*}"


def create_app(settings: Settings | None = None) -> web.Application:
    """A mockswitch server; the data set is loaded when the application starts."""
    settings = settings or Settings()
    app = web.Application(
        client_max_size=settings.max_request_bytes,
        # The HTTP parser refuses longer request lines with a plain-text 400; up to this
        # size, a query over max_request_bytes reaches mockswitch and gets a 413 envelope.
        handler_args={
            "max_line_size": settings.max_request_line_bytes,
            # Bodies are read as sent and decoded by web/codings.py, the same on every
            # machine, so that a coding aiohttp cannot decode still gets an envelope.
            "auto_decompress": False,
        },
        middlewares=[errors_as_json],
    )
    app[SETTINGS] = settings
    # First: a host the server does not answer to is refused before anything looks further.
    hosts.install(app, HostPolicy(settings.allowed_hosts), enswitch_call)
    app.cleanup_ctx.append(_switch)
    events.install(app)  # ends the live event streams when the server stops
    calls.install(app)  # counts the long polls; answers them all when the server stops
    cors.install(app, settings.cors_origins, credentials=settings.cors_credentials)
    # A browser page of another site may not change the mock (before the token: a 403 says
    # more than a 401 to a page that could never have had the token).
    crosssite.install(app, settings.cors_origins)
    admin.install(app, settings.admin_token)  # the control API's changes need the token
    _add_routes(app.router, settings)
    slashes.install(app)  # last: tried only when no route matches the path as sent
    return app


def _add_routes(router: web.UrlDispatcher, settings: Settings) -> None:
    """Every route on the plain paths (the default tenant) and under `/t/<tenant>`: the
    Enswitch API (also under the `prefix` mount), then each declared control route its
    `scope` puts there, if the settings enable it."""
    prefixes = ("", settings.prefix) if settings.prefix else ("",)
    for scope in SCOPES["both"]:
        for mount in prefixes:
            for method in ("GET", "POST"):
                router.add_route(method, mount + scope + API_PATH, enswitch_call)
        for table in CONTROL:
            for route in table:
                if scope in SCOPES[route.scope] and route.enabled(settings):
                    router.add_route(route.method, scope + route.path, route.handler)
                    if route.head:
                        router.add_route("HEAD", scope + route.path, route.handler)


async def _switch(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    start_stubs = read_stub_file(
        settings.stubs, max_depth=settings.max_stub_depth, max_bytes=settings.max_stub_bytes
    )
    rules, default_latency = load_start_rules(
        settings.faults,
        settings.faults_seed,
        most=settings.max_fault_rules,
        known=served_or_stubbed(dict.fromkeys(stub.function for stub in start_stubs)),
        any_function=bool(settings.proxy_to),
    )
    messages = load_messages(settings.messages)
    outcomes = load_start_outcomes(settings.outcomes)
    dataset = load_dataset(settings.fixtures_path())
    store = await Store.open(
        settings.db,
        dataset,
        reseed=settings.reseed,
        synchronous=settings.sync.upper(),
        journal_max=settings.journal_max,
        journal_body_cap=settings.journal_body_cap,
        journal_field_cap=settings.journal_field_cap,
        dials_max=settings.dials_max,
    )
    forwarder = AiohttpForwarder(settings) if settings.proxy_to else None
    if forwarder is not None:
        problem = await check_reachable(settings.proxy_to)
        if problem is not None:  # the switch may come later: say so, and start all the same
            log.warning("--proxy-to %s is not reachable now (%s)", settings.proxy_to, problem)
    recorder = (
        StubRecorder(
            settings.record_stubs,
            max_bytes=settings.record_stubs_max_bytes,
            max_depth=settings.max_stub_depth,
        )
        if settings.record_stubs
        else None
    )
    app[SWITCH] = Switch(
        store,
        settings,
        beyond=Beyond(
            forwarder,
            recorder,
            settings.http_status,
        ),
        messages=messages,
    )
    clock_start = parse_time(settings.clock_start, "clock_start") if settings.clock_start else 0
    simulator = Simulator(ClockSpec(settings.clock, settings.clock_speed, clock_start), outcomes)
    start = Start(
        simulator,
        rules,
        default_latency,
        settings.faults_seed,
        start_stubs,
        StubBudget.of(settings, start_stubs),
    )
    tenants = app[TENANTS] = await Tenants.open(store, start, settings.max_tenants)
    real_clocks = asyncio.ensure_future(simulator.run_real_clocks(tenants.simulations))
    try:
        yield
    finally:
        real_clocks.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await real_clocks
        if forwarder is not None:
            await forwarder.close()
        if recorder is not None:
            await recorder.close()  # what was recorded is written before the server stops
        await store.close()
