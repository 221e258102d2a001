"""The dialler's outcome rules (`/_mock/outcomes`) and its attempts (`GET /_mock/dials`)."""

from __future__ import annotations

from aiohttp import web

from mockswitch.config import Settings
from mockswitch.errors import ControlError
from mockswitch.simulator import DNUMBER_PATTERN, OUTCOMES, OutcomeError, OutcomeRules
from mockswitch.simulator.outcomes import DEFAULT_WEIGHTS
from mockswitch.store.retries import INTERRUPTED

from .bodies import json_body
from .call_query import integer
from .declare import BAD, NO_TENANT, TOO_MANY, ControlRoutes, Query, Schema, ok
from .keys import SWITCH
from .tenants import existing_tenant, tenant_for_change

routes = ControlRoutes("simulator")

DIAL_FILTERS = ("campaign", "dnumber", "limit", "offset")

_TIME = {"type": "string", "description": "UTC, ISO 8601, e.g. 2026-12-07T10:00:00Z."}
_NULLABLE_TIME = {"type": ["string", "null"], "description": "UTC, ISO 8601; null if not yet."}
_DEFAULT_MIX = ", ".join(f"{name} {weight:g}" for name, weight in DEFAULT_WEIGHTS.items())

RULE = routes.schema(
    "OutcomeRule",
    {
        "type": "object",
        "properties": {
            "dnumber": {
                "type": "string",
                "pattern": f"^{DNUMBER_PATTERN.pattern}$",
                "minLength": 1,
                "description": "A number, or a prefix ending in *; * alone matches all.",
            },
            "outcome": {"type": "string", "enum": list(OUTCOMES)},
            "weights": {
                "type": "object",
                "properties": {name: {"type": "number", "minimum": 0} for name in OUTCOMES},
                "additionalProperties": False,
                "minProperties": 1,
            },
        },
        "required": ["dnumber"],
        "oneOf": [{"required": ["outcome"]}, {"required": ["weights"]}],
        "additionalProperties": False,
    },
)
RULES = routes.schema(
    "Outcomes",
    {
        "type": "object",
        "properties": {
            "rules": {"type": "array", "items": RULE},
            "seed": {"type": "integer", "minimum": 0, "default": 0},
        },
        "required": ["rules"],
        "additionalProperties": False,
    },
)
DIAL_FIELDS: dict[str, Schema] = {
    "id": {"type": "integer"},
    "campaign": {"type": "integer"},
    "dnumber": {"type": "string"},
    "attempt": {"type": "integer", "description": "1 for the first attempt."},
    "started": _TIME,
    "answered": _NULLABLE_TIME,
    "ended": _NULLABLE_TIME,
    "outcome": {"type": ["string", "null"], "enum": [*OUTCOMES, None]},
    "result": {
        "type": ["string", "null"],
        "enum": ["retry", "success", "failed", INTERRUPTED, None],
        "description": "`interrupted`: in progress when the server stopped (docs/simulator.md).",
    },
}
DIAL = routes.schema(
    "Dial", {"type": "object", "properties": DIAL_FIELDS, "required": list(DIAL_FIELDS)}
)
DIAL_PAGE = routes.schema(
    "DialPage",
    {
        "type": "object",
        "properties": {
            "dials": {"type": "array", "items": DIAL},
            "total": {"type": "integer"},
            "evicted": {"type": "integer"},
        },
        "required": ["dials", "total", "evicted"],
    },
)
THE_RULES = ok("The rules.", RULES)


def _dial_query(settings: Settings) -> tuple[Query, ...]:
    page_max = settings.calls_page_max
    limit = {"type": "integer", "minimum": 0, "maximum": page_max, "default": page_max}
    return (
        Query("campaign", {"type": "integer", "minimum": 0}, "Only this campaign's."),
        Query("dnumber", {"type": "string"}, "Only attempts to this number."),
        Query("limit", limit, "At most this many (`calls_page_max` is the largest)."),
        Query("offset", {"type": "integer", "minimum": 0, "default": 0}, "Skip this many."),
    )


@routes.get("/_mock/outcomes", "The dialler's outcome rules and seed", THE_RULES, NO_TENANT)
async def get_outcomes(request: web.Request) -> web.Response:
    tenant = existing_tenant(request)
    return web.json_response(tenant.simulation.rules.as_json())


@routes.put(
    "/_mock/outcomes",
    "Replace the outcome rules and seed",
    THE_RULES,
    BAD,
    TOO_MANY,
    description="The first rule whose `dnumber` matches (exactly, or a prefix ending in `*`) "
    f"gives the outcome; a number no rule matches gets {_DEFAULT_MIX}.",
    body=RULES,
    example={
        "rules": [
            {"dnumber": "44200*", "outcome": "busy"},
            {"dnumber": "*", "weights": {"answer": 0.6, "noanswer": 0.4}},
        ],
        "seed": 7,
    },
)
async def set_outcomes(request: web.Request) -> web.Response:
    """Replace the rules and the seed; the attempts that start from now on follow them."""
    try:
        rules = OutcomeRules.from_json(await json_body(request))
    except OutcomeError as error:
        raise ControlError(400, error.message, field=error.field) from None
    tenant = await tenant_for_change(request)
    tenant.simulation.set_rules(rules)
    return web.json_response(rules.as_json())


@routes.get(
    "/_mock/dials",
    "The dialler's attempts, oldest first",
    ok("One page of dials.", DIAL_PAGE),
    BAD,
    NO_TENANT,
    query=_dial_query,
)
async def list_dials(request: web.Request) -> web.Response:
    """The dialler's attempts, oldest first: `?campaign=&dnumber=&limit=&offset=`."""
    # `?campaign=&limit=` (empty values, as a form or a URL template sends them) means unset.
    query = {name: value for name, value in request.rel_url.query.items() if value != ""}
    unknown = sorted(set(query) - set(DIAL_FILTERS))
    if unknown:
        raise ControlError(
            400, f"unknown parameter (use {', '.join(DIAL_FILTERS)})", field=unknown[0]
        )
    page_max = request.app[SWITCH].settings.calls_page_max
    limit = integer(query, "limit", page_max, minimum=0)
    if limit > page_max:
        raise ControlError(400, f"must be at most {page_max} (calls_page_max)", field="limit")
    offset = integer(query, "offset", 0, minimum=0)
    campaign = integer(query, "campaign", 0, minimum=0) if "campaign" in query else None
    dnumber = query.get("dnumber")
    tenant = existing_tenant(request)
    page = await tenant.data.dials.page(campaign, dnumber, limit, offset)
    return web.json_response({"dials": page.dials, "total": page.total, "evicted": page.evicted})
