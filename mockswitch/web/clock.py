"""The tenants' clocks: `GET/PUT /_mock/clock` and `POST /_mock/clock/advance`."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from mockswitch.errors import ControlError
from mockswitch.simulator import (
    MAX_ADVANCE_SECONDS,
    MAX_SPEED,
    MODES,
    ClockConflict,
    ClockError,
    SimulationEnded,
    check_mode,
    check_speed,
    parse_time,
)
from mockswitch.tenancy import Tenant

from .bodies import json_body
from .declare import BAD, NO_TENANT, TOO_MANY, Answer, ControlRoutes, object_of, ok
from .tenants import existing_tenant, tenant_for_change

routes = ControlRoutes("simulator")

MODE = {"type": "string", "enum": list(MODES)}
CLOCK = routes.schema(
    "Clock",
    object_of(
        {
            "now": {"type": "string", "description": "UTC, ISO 8601, e.g. 2026-12-07T10:00:00Z."},
            "mode": MODE,
            "speed": {"type": "number"},
        },
        "now",
        "mode",
        "speed",
    ),
)
CLOCK_INPUT = routes.schema(
    "ClockInput",
    {
        "type": "object",
        "properties": {
            "mode": MODE,
            "now": {"type": "string", "format": "date-time"},
            "speed": {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_SPEED},
        },
        "additionalProperties": False,
    },
)
ADVANCE = routes.schema(
    "Advance",
    {
        "type": "object",
        "properties": {"seconds": {"type": "number", "minimum": 0, "maximum": MAX_ADVANCE_SECONDS}},
        "required": ["seconds"],
        "additionalProperties": False,
    },
)
MOVED = ok("The clock.", CLOCK)
CONFLICT = Answer(
    409,
    "The clock cannot move so: backwards, or advancing a real clock; or the tenant was reset "
    "while the clock moved (`field` is `tenant`).",
)

CLOCK_FIELDS = frozenset({"mode", "now", "speed"})


def _object(document: Any, fields: frozenset[str], example: str) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise ControlError(400, f"the body must be a JSON object such as {example}", field="body")
    unknown = sorted(set(document) - fields)
    if unknown:
        known = ", ".join(sorted(fields))
        raise ControlError(400, f"unknown field (the fields are {known})", field=unknown[0])
    return document


async def _moved(tenant: Tenant, move: Any) -> web.Response:
    try:
        clock = await move
    except SimulationEnded as error:
        if tenant.dropped:
            raise ControlError(404, f"no tenant called {tenant.name!r}", field="tenant") from None
        raise ControlError(409, error.message, field=error.field) from None
    except ClockConflict as error:
        raise ControlError(409, error.message, field=error.field) from None
    return web.json_response(clock.as_json())


@routes.get("/_mock/clock", "The tenant's clock: its time, mode and speed", MOVED, NO_TENANT)
async def get_clock(request: web.Request) -> web.Response:
    tenant = existing_tenant(request)
    return web.json_response(tenant.simulation.clock.as_json())


@routes.put(
    "/_mock/clock",
    "Set the clock's mode, time (forward only, running what falls due) and speed",
    MOVED,
    BAD,
    CONFLICT,
    TOO_MANY,
    body=CLOCK_INPUT,
    example={"mode": "virtual", "now": "2026-12-07T10:00:00Z"},
)
async def set_clock(request: web.Request) -> web.Response:
    """Set the mode, the time (forward only, running what falls due) and the speed."""
    document = _object(
        await json_body(request), CLOCK_FIELDS, '{"mode": "virtual", "now": "2026-12-07T10:00:00Z"}'
    )
    try:  # every field is checked before anything changes
        mode = check_mode(document["mode"]) if "mode" in document else None
        now = parse_time(document["now"]) if "now" in document else None
        speed = check_speed(document["speed"]) if "speed" in document else None
    except ClockError as error:
        raise ControlError(400, error.message, field=error.field) from None
    tenant = await tenant_for_change(request)
    return await _moved(tenant, tenant.simulation.set_clock(mode, now, speed))


@routes.post(
    "/_mock/clock/advance",
    "Move a virtual clock forward; answers once every attempt due on the way has run",
    MOVED,
    BAD,
    CONFLICT,
    TOO_MANY,
    body=ADVANCE,
    example={"seconds": 30},
)
async def advance(request: web.Request) -> web.Response:
    """Move a virtual clock forward; answers once every attempt due on the way has run."""
    document = _object(await json_body(request), frozenset({"seconds"}), '{"seconds": 30}')
    seconds = document.get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds != seconds:
        raise ControlError(400, f"must be a number of seconds, not {seconds!r}", field="seconds")
    if not 0 <= seconds <= MAX_ADVANCE_SECONDS:
        raise ControlError(
            400,
            f"must be from 0 to {MAX_ADVANCE_SECONDS} (a week), not {seconds!r}",
            field="seconds",
        )
    tenant = await tenant_for_change(request)
    return await _moved(tenant, tenant.simulation.advance(seconds))
