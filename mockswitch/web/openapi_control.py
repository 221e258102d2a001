"""The control API as data, for the OpenAPI document: one `Operation` per route, and schemas.

`openapi.py` turns this table into paths (twice for the routes every tenant has: the plain
path for the default tenant, and `/t/{tenant}/...`). Whatever can be read from the code is:
the fault action and latency kinds come from `mockswitch.faults`, limits from the settings,
and tests compare the rule schema with the parser's fields, so a new field cannot go
undocumented quietly.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from mockswitch.config import Settings
from mockswitch.errors import ENSWITCH_CODES
from mockswitch.faults.actions import KINDS as ACTION_KINDS
from mockswitch.faults.latency import KINDS as LATENCY_KINDS
from mockswitch.store.cuts import FLAGS as CUT_FIELDS
from mockswitch.stubs import FUNCTION_NAME

from .call_query import DEFAULT_LIMIT
from .calls import NDJSON
from .ui import ASSETS

JSON = "application/json"
Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


@dataclass(frozen=True, slots=True)
class Answer:
    """One HTTP status of an operation: what it means and what its body is."""

    description: str
    content: dict[str, Schema] = field(default_factory=lambda: {JSON: ref("Error")})


def json_answer(description: str, schema: Schema) -> Answer:
    return Answer(description, {JSON: schema})


@dataclass(frozen=True, slots=True)
class Query:
    name: str
    schema: Schema
    description: str


@dataclass(frozen=True, slots=True)
class Operation:
    method: str
    path: str  # as the default tenant's path; the tenant copy is /t/{tenant} + path
    summary: str
    tag: str
    responses: dict[str, Answer]
    description: str = ""
    query: tuple[Query, ...] = ()
    body: Schema | None = None  # a JSON request body
    example: Any = None  # of the body
    scope: str = "both"  # both: plain and /t/{tenant}; plain: server-wide; tenant: only /t/...
    security: tuple[str, ...] = ()  # the security schemes, any one of which it requires


# The schema and an example of each path parameter of the control API.
PATH_PARAMETERS: dict[str, tuple[Schema, str]] = {
    "id": ({"type": "string", "pattern": "^[0-9]+$"}, "1"),
    "name": ({"type": "string", "enum": list(ASSETS)}, next(iter(ASSETS))),
}

BAD = Answer("A bad parameter or body; `error.field` names it.")
NO_TENANT = Answer("No tenant by that name (reads never create one).")
TOO_MANY = Answer("A new tenant would pass the `max_tenants` setting.")

CALL_FILTERS = (
    Query("function", {"type": "string"}, "Only calls to this function (exact name)."),
    Query("method", {"type": "string", "enum": ["GET", "POST"]}, "Only calls with this method."),
    Query("code", {"type": "string"}, "Only calls answered with this envelope code."),
    Query("username", {"type": "string"}, "Only calls made as this `auth_username`."),
    Query(
        "since",
        {"type": "string"},
        "Only calls from this one on: a call id (the calls after it), an ISO 8601 time (UTC "
        "unless it says), or `now` (the calls recorded after this request arrived).",
    ),
    Query("until", {"type": "string"}, "Only calls up to this one: a call id or a time."),
)
FILTER_NOTE = (
    "Filter on what a call sent with `param.<name>=<value>` (repeatable), e.g. `param.id=123`. "
    "An unknown filter is a 400, so that a typo never matches everything."
)


def _paging(settings: Settings) -> tuple[Query, ...]:
    limit = {
        "type": "integer",
        "minimum": 0,
        "maximum": settings.calls_page_max,
        "default": DEFAULT_LIMIT,
    }
    return (
        Query("limit", limit, "At most this many calls (`calls_page_max` is the largest)."),
        Query("offset", {"type": "integer", "minimum": 0, "default": 0}, "Skip this many."),
        Query("order", {"type": "string", "enum": ["asc", "desc"], "default": "asc"}, "By id."),
    )


def _object_schema(properties: dict[str, Schema]) -> Schema:
    return {"type": "object", "properties": properties}


def operations(settings: Settings) -> tuple[Operation, ...]:
    """Every control route this server answers, as configured by `settings`."""
    wait_max = settings.wait_timeout_max
    count = {"type": "integer", "minimum": 1, "maximum": settings.calls_page_max, "default": 1}
    timeout = {"type": "number", "minimum": 0, "maximum": wait_max, "default": min(10, wait_max)}
    table = [
        Operation(
            "GET",
            "/_mock/health",
            "Whether the server is up and its data set loaded",
            "server",
            {
                "200": json_answer(
                    "Ready: the server listens only once its data is loaded.", ref("Health")
                )
            },
        ),
        Operation(
            "POST",
            "/_mock/reset",
            "Reset the tenant: data back to the seed, journal cleared, start fault rules back",
            "server",
            {
                "200": json_answer("Reset.", ref("Reset")),
                "400": BAD,
                "429": TOO_MANY,
            },
        ),
        Operation(
            "GET",
            "/_mock/calls",
            "The journal: a page of recorded calls, or every match as NDJSON",
            "journal",
            {
                "200": Answer(
                    "A page of calls with the total that match; with `format=ndjson` or "
                    f"`Accept: {NDJSON}`, every matching call, one JSON object per line.",
                    {JSON: ref("CallPage"), NDJSON: ref("Call")},
                ),
                "400": BAD,
                "404": NO_TENANT,
            },
            description=FILTER_NOTE,
            query=(
                *CALL_FILTERS,
                *_paging(settings),
                Query("format", {"type": "string", "enum": ["json", "ndjson"]}, "The format."),
            ),
        ),
        Operation(
            "DELETE",
            "/_mock/calls",
            "Clear the tenant's journal",
            "journal",
            {"200": json_answer("Cleared.", ref("Status")), "400": BAD, "429": TOO_MANY},
        ),
        Operation(
            "GET",
            "/_mock/calls/count",
            "How many recorded calls match",
            "journal",
            {"200": json_answer("The count.", ref("CallCount")), "400": BAD, "404": NO_TENANT},
            description=FILTER_NOTE,
            query=CALL_FILTERS,
        ),
        Operation(
            "GET",
            "/_mock/calls/wait",
            "Long poll: answer as soon as `count` calls match, or at `timeout`",
            "journal",
            {
                "200": json_answer("Enough calls matched.", ref("CallWait")),
                "400": BAD,
                "404": NO_TENANT,
                "408": json_answer(
                    "`timeout` passed first; the body says what did match.", ref("CallWait")
                ),
                "429": Answer("Too many long polls are waiting (the `max_long_polls` setting)."),
                "503": json_answer(
                    "The server is stopping; the body says what matched so far.",
                    ref("CallWait"),
                ),
            },
            description=FILTER_NOTE,
            query=(
                *CALL_FILTERS,
                Query("count", count, "How many matching calls to wait for."),
                Query("timeout", timeout, "Seconds to wait at most (`wait_timeout_max`)."),
            ),
        ),
        Operation(
            "GET",
            "/_mock/calls/{id}",
            "One recorded call",
            "journal",
            {
                "200": json_answer("The call.", ref("Call")),
                "400": BAD,
                "404": Answer("No such call in this tenant's journal, or no such tenant."),
            },
        ),
        Operation(
            "POST",
            "/_mock/faults",
            "Add a fault rule (an object) or several (an array), all or none",
            "faults",
            {
                "201": json_answer(
                    "The rule, or the rules, as added, with their ids.",
                    {"oneOf": [ref("FaultRule"), {"type": "array", "items": ref("FaultRule")}]},
                ),
                "400": BAD,
                "429": Answer(
                    "The rules would pass the `max_fault_rules` setting (none is added), or a "
                    "new tenant the `max_tenants` setting."
                ),
            },
            body={
                "oneOf": [ref("FaultRuleInput"), {"type": "array", "items": ref("FaultRuleInput")}]
            },
            example={
                "name": "update fails twice",
                "match": {"function": "bulk/campaigns/update", "params": {"id": "123"}},
                "action": {"type": "envelope", "code": "500"},
                "times": 2,
            },
        ),
        Operation(
            "GET",
            "/_mock/faults",
            "The tenant's fault rules, in order, and the default latency",
            "faults",
            {"200": json_answer("The rules.", ref("FaultRules")), "404": NO_TENANT},
        ),
        Operation(
            "DELETE",
            "/_mock/faults",
            "Remove every fault rule of the tenant",
            "faults",
            {"200": json_answer("Cleared.", ref("Status")), "400": BAD, "429": TOO_MANY},
        ),
        Operation(
            "PUT",
            "/_mock/faults/default-latency",
            "Delay every call that no rule fires for; null turns it off",
            "faults",
            {"200": json_answer("The rules.", ref("FaultRules")), "400": BAD, "429": TOO_MANY},
            body={"oneOf": [ref("Latency"), {"type": "null"}]},
            example={"uniform_ms": [5, 20]},
        ),
        Operation(
            "GET",
            "/_mock/faults/{id}",
            "One fault rule, with its counters",
            "faults",
            {
                "200": json_answer("The rule.", ref("FaultRule")),
                "400": BAD,
                "404": Answer("No such rule, or no such tenant."),
            },
        ),
        Operation(
            "DELETE",
            "/_mock/faults/{id}",
            "Remove one fault rule",
            "faults",
            {
                "200": json_answer("Removed.", ref("Deleted")),
                "400": BAD,
                "404": Answer("No such rule."),
                "429": TOO_MANY,
            },
        ),
        Operation(
            "POST",
            "/_mock/stubs",
            "Stub a function mockswitch does not simulate (an object), or several (an array)",
            "stubs",
            {
                "201": json_answer(
                    "The stub, or the stubs, as added, with their ids.",
                    {"oneOf": [ref("Stub"), {"type": "array", "items": ref("Stub")}]},
                ),
                "400": BAD,
                "409": Answer("The function is simulated by mockswitch: use a fault rule."),
                "429": Answer("A new tenant would pass `max_tenants`, or the stubs `max_stubs`."),
            },
            description="The first stub whose `match` selects a call answers it; a stub "
            "without `match` answers the calls no other stub of its function selects. A stub "
            "is served like any function: authentication, journal, fault rules, tenants.",
            body={"oneOf": [ref("StubInput"), {"type": "array", "items": ref("StubInput")}]},
            example={"function": "people/list", "data": [{"id": 100, "username": "user"}]},
        ),
        Operation(
            "GET",
            "/_mock/stubs",
            "The tenant's stubs, in order",
            "stubs",
            {"200": json_answer("The stubs.", ref("Stubs")), "404": NO_TENANT},
        ),
        Operation(
            "DELETE",
            "/_mock/stubs",
            "Remove every stub of the tenant (a reset brings back those of --stubs)",
            "stubs",
            {"200": json_answer("Cleared.", ref("Status")), "400": BAD, "429": TOO_MANY},
        ),
        Operation(
            "GET",
            "/_mock/stubs/{id}",
            "One stub",
            "stubs",
            {
                "200": json_answer("The stub.", ref("Stub")),
                "400": BAD,
                "404": Answer("No such stub, or no such tenant."),
            },
        ),
        Operation(
            "DELETE",
            "/_mock/stubs/{id}",
            "Remove one stub",
            "stubs",
            {
                "200": json_answer("Removed.", ref("Deleted")),
                "400": BAD,
                "404": Answer("No such stub."),
                "429": TOO_MANY,
            },
        ),
        Operation(
            "GET",
            "/_mock/events",
            "The tenant's calls as server-sent events, as they are committed",
            "journal",
            {
                "200": Answer(
                    "An endless `text/event-stream`: `event: call` (data: a Call, id: its id) "
                    "for each call; `event: journal` when calls were removed; `event: gone` "
                    "when the tenant is dropped.",
                    {"text/event-stream": {"type": "string"}},
                ),
                "400": BAD,
                "404": NO_TENANT,
                "429": Answer("Too many event streams are open (the `max_event_streams` setting)."),
            },
            description="Starts after the newest call held, or after `since`; a "
            "reconnecting browser's `Last-Event-ID` header wins over `since`.",
            query=(
                Query(
                    "since",
                    {"type": "integer", "minimum": 0},
                    "Replay the calls after this id first; 0 replays every call held.",
                ),
            ),
        ),
        Operation(
            "GET",
            "/_mock/ui",
            "The dashboard: calls live, campaigns, fault rules",
            "dashboard",
            {
                "200": Answer("The page.", {"text/html": {"type": "string"}}),
                "400": BAD,
                "429": TOO_MANY,
            },
        ),
        Operation(
            "GET",
            "/_mock/ui/",
            "Redirects to the dashboard",
            "dashboard",
            {"308": Answer("To the same path without the slash (the Location header).", {})},
        ),
        Operation(
            "GET",
            "/_mock/ui/{name}",
            "A file of the dashboard: its script, style or icon",
            "dashboard",
            {
                "200": Answer(
                    "The file.",
                    {media: {"type": "string"} for media in dict.fromkeys(ASSETS.values())},
                ),
                "404": Answer("No such file."),
            },
        ),
        Operation(
            "GET",
            "/_mock/data/campaigns",
            "Every customer of the tenant with its campaigns, as bulk/campaigns/get shows them",
            "dashboard",
            {
                "200": json_answer(
                    "The customers.",
                    _object_schema(
                        {
                            "tenant": {"type": "string"},
                            "customers": {
                                "type": "array",
                                "items": _object_schema(
                                    {
                                        "id": {"type": "integer"},
                                        "name": {"type": "string"},
                                        "parent": {"type": ["integer", "null"]},
                                        "campaigns": {"type": "array", "items": {"type": "object"}},
                                    }
                                ),
                            },
                        }
                    ),
                ),
                "404": NO_TENANT,
            },
        ),
        Operation(
            "GET",
            "/_mock/data/functions",
            "The Enswitch functions this server answers",
            "dashboard",
            {
                "200": json_answer(
                    "The functions.",
                    _object_schema(
                        {
                            "functions": {
                                "type": "array",
                                "items": _object_schema(
                                    {
                                        "name": {"type": "string"},
                                        "summary": {"type": "string"},
                                        "changes_data": {"type": "boolean"},
                                    }
                                ),
                            }
                        }
                    ),
                ),
                "404": NO_TENANT,
            },
        ),
        Operation(
            "GET",
            "/_mock/tenants",
            "Every tenant with its size",
            "server",
            {"200": json_answer("The tenants.", ref("Tenants"))},
            scope="plain",
        ),
        Operation(
            "DELETE",
            "/_mock",
            "Drop a tenant: its data, journal and fault rules",
            "server",
            {
                "200": json_answer("Dropped.", ref("Status")),
                "400": Answer("A bad name, or the default tenant (reset it instead)."),
                "404": NO_TENANT,
            },
            scope="tenant",
        ),
        Operation(
            "GET",
            "/_mock/openapi.json",
            "This document",
            "server",
            {"200": json_answer("An OpenAPI 3.1 document.", {"type": "object"})},
            scope="plain",
        ),
    ]
    if settings.metrics:
        table.append(
            Operation(
                "GET",
                "/_mock/metrics",
                "Prometheus metrics: calls by function, code and fault; handling time; sizes",
                "server",
                {
                    "200": Answer(
                        "The Prometheus text format, or OpenMetrics when the Accept header "
                        "asks for it.",
                        {
                            "text/plain": {"type": "string"},
                            "application/openmetrics-text": {"type": "string"},
                        },
                    )
                },
                scope="plain",
            )
        )
    table = [_no_cross_site(operation) for operation in table]
    if settings.admin_token:  # every changing call then needs the token (web/admin.py)
        table = [_needs_token(operation) for operation in table]
    return tuple(table)


CROSS_SITE = Answer(
    "A browser page of another site made the call: its `Origin` is neither the server's own "
    "nor allowed by `cors_origins`, or it carries `Sec-Fetch-Site: cross-site`. Nothing "
    "changed; `error.field` names the header."
)


def _no_cross_site(operation: Operation) -> Operation:
    if operation.method == "GET":
        return operation  # reads are open to every origin (CORS decides who may read them)
    return replace(operation, responses={**operation.responses, "403": CROSS_SITE})


# The admin token, in either header; `security_schemes` describes them.
ADMIN_SCHEMES = ("adminToken", "adminTokenHeader")
UNAUTHORIZED = Answer("The admin token is missing or wrong (the server has `admin_token` set).")


def _needs_token(operation: Operation) -> Operation:
    if operation.method == "GET":
        return operation  # reads stay open
    responses = {**operation.responses, "401": UNAUTHORIZED}
    return replace(operation, responses=responses, security=ADMIN_SCHEMES)


def security_schemes() -> dict[str, Schema]:
    """The admin token's two spellings, as `components.securitySchemes`."""
    note = "The server's `admin_token`, required by the control API's changing calls."
    return {
        "adminToken": {"type": "http", "scheme": "bearer", "description": note},
        "adminTokenHeader": {
            "type": "apiKey",
            "in": "header",
            "name": "X-Mockswitch-Token",
            "description": note,
        },
    }


# -- schemas ---------------------------------------------------------------------------------

_INTEGER = {"type": "integer"}
_STRING = {"type": "string"}
_NUMBER = {"type": "number"}


def _object(properties: dict[str, Schema], required: tuple[str, ...] = (), **more: Any) -> Schema:
    schema: Schema = {"type": "object", "properties": properties, **more}
    if required:
        schema["required"] = list(required)
    return schema


def _closed(properties: dict[str, Schema], required: tuple[str, ...] = ()) -> Schema:
    return _object(properties, required, additionalProperties=False)


def _nonnegative() -> Schema:
    return {"type": "number", "minimum": 0}


_PROCESSED = {
    "type": "boolean",
    "default": False,
    "description": "Handle the call (and make its change) before the fault strikes.",
}

# One schema per fault action kind, as `POST /_mock/faults` accepts it.
ACTIONS: dict[str, Schema] = {
    "envelope": {
        "description": "Answer this envelope instead of handling the call.",
        "properties": {
            "code": {
                "type": ["string", "integer"],
                "pattern": "^[2-5][0-9]{2}$",
                "default": "500",
                "description": "A three-digit code such as 400 or 500.",
            },
            "key": _STRING,
            "message": {"type": "string", "description": "Default: the code's usual message."},
        },
    },
    "http": {
        "description": "Answer a plain HTTP response, not an envelope.",
        "properties": {
            "status": {"type": "integer", "minimum": 200, "maximum": 599, "default": 503},
            "body": {"type": "string", "default": ""},
            "content_type": {
                "type": "string",
                "pattern": "^[ -~]+$",
                "default": "text/plain; charset=utf-8",
                "description": "The Content-Type header: one line of printable ASCII.",
            },
        },
    },
    "reset": {
        "description": "Reset the connection (TCP RST) instead of answering.",
        "properties": {"processed": _PROCESSED},
    },
    "hang": {
        "description": "Answer nothing until the client gives up, or `max_ms`, then close.",
        "properties": {"processed": _PROCESSED, "max_ms": _nonnegative()},
    },
    "empty": {
        "description": "Close the connection without a byte.",
        "properties": {"processed": _PROCESSED},
    },
    "malformed": {
        "description": "Handle the call, then send half of its answer, or garbage.",
        "properties": {
            "mode": {"type": "string", "enum": ["truncated", "garbage"], "default": "truncated"}
        },
    },
    "slow_body": {
        "description": "Handle the call, then trickle its answer over `duration_ms`.",
        "properties": {
            "duration_ms": _nonnegative(),
            "chunks": {"type": "integer", "minimum": 1, "default": 10},
        },
        "required": ["duration_ms"],
    },
}

LATENCIES: dict[str, Schema] = {
    "fixed_ms": _nonnegative(),
    "uniform_ms": {
        "type": "array",
        "prefixItems": [_nonnegative(), _nonnegative()],
        "minItems": 2,
        "maxItems": 2,
        "description": "[low, high]",
    },
    "normal_ms": _closed({"mean": _nonnegative(), "stddev": _nonnegative()}, ("mean", "stddev")),
    "lognormal_ms": _closed(
        {
            "median": {"type": "number", "minimum": 0.001},
            "sigma": _nonnegative(),
            "max": _nonnegative(),
        },
        ("median", "sigma", "max"),
    ),
}


def _action(kind: str) -> Schema:
    declared = ACTIONS[kind]  # a KeyError here: a new action kind needs its schema above
    properties = {"type": {"const": kind}, **declared["properties"]}
    return {
        "title": kind,
        "description": declared["description"],
        "type": "object",
        "properties": properties,
        "required": ["type", *declared.get("required", ())],
        "additionalProperties": False,
    }


def _latency(kind: str) -> Schema:
    return _closed({kind: LATENCIES[kind]}, (kind,))


MATCH = _closed(
    {
        "function": {
            "type": "string",
            "description": "A function name, or a glob such as bulk/* (case-sensitive).",
        },
        "method": {"type": "string", "description": "GET or POST (any case)."},
        "params": {
            "type": "object",
            "additionalProperties": {"type": ["string", "number"]},
            "description": "Parameters the call must have sent, with these values.",
        },
        "username": _STRING,
    }
)

RULE_INPUT_FIELDS: dict[str, Schema] = {
    "name": _STRING,
    "match": ref("Match"),
    "action": ref("Action"),
    "latency": ref("Latency"),
    "probability": {"type": "number", "minimum": 0, "maximum": 1, "default": 1},
    "times": {"type": "integer", "minimum": 1, "description": "Expire after firing N times."},
    "after": {"type": "integer", "minimum": 0, "default": 0, "description": "Skip N matches."},
    "every": {"type": "integer", "minimum": 1, "default": 1, "description": "Every k-th match."},
    "seed": {"type": ["integer", "string"], "description": "Seed of the rule's own dice."},
}


_ENTRY = _closed(
    {"code": {"enum": list(ENSWITCH_CODES)}, "key": _STRING, "message": _STRING}, ("code",)
)
STUB_FIELDS: dict[str, Schema] = {
    "function": {"type": "string", "pattern": f"^{FUNCTION_NAME.pattern}$"},
    "data": {"description": "The envelope's `data` (code 200 only)."},
    "code": {"enum": list(ENSWITCH_CODES)},
    "key": _STRING,
    "message": _STRING,
    "responses": {"type": "array", "items": _ENTRY, "minItems": 1},
    "match": _closed(
        {
            "params": {"type": "object", "additionalProperties": {"type": ["string", "number"]}},
            "username": _STRING,
        }
    ),
}


def schemas() -> dict[str, Schema]:
    """The control API's components."""
    call = _object(
        {
            "id": _INTEGER,
            "at": {"type": "string", "description": "When it arrived, UTC, milliseconds."},
            "method": _STRING,
            "path": _STRING,
            "function": _STRING,
            "query": {"type": "string", "description": "The raw query, passwords masked."},
            "params": {"type": "object", "additionalProperties": _STRING},
            "unknown": {
                "type": "array",
                "items": _STRING,
                "description": "Parameters the function does not know (ignored).",
            },
            "username": _STRING,
            "code": _STRING,
            "key": _STRING,
            "http_status": _INTEGER,
            "body": _STRING,
            "body_truncated": {"type": "boolean"},
            "fault": {"type": ["object", "null"]},
            "latency_ms": _NUMBER,
            "duration_ms": _NUMBER,
            "truncated": {
                "type": "array",
                "items": {"enum": list(CUT_FIELDS)},
                "description": "The fields cut to `journal_field_cap` characters (the body to "
                "`journal_body_cap`); empty for an ordinary call.",
            },
            "stub": {
                "type": ["integer", "null"],
                "description": "The stub that answered the call, if one did.",
            },
            "proxied": {
                "type": "boolean",
                "description": "Forwarded to the real switch (`proxy_to`).",
            },
        },
        ("id", "at", "method", "function", "code", "params"),
    )
    calls = {"type": "array", "items": ref("Call")}
    return {
        "Error": _object(
            {
                "error": _object(
                    {
                        "status": _INTEGER,
                        "message": _STRING,
                        "field": {"type": "string", "description": "The culprit parameter."},
                    },
                    ("status", "message"),
                )
            },
            ("error",),
        ),
        "Status": _object({"status": _STRING, "tenant": _STRING}, ("status",)),
        "Health": _object(
            {
                "status": {"const": "ok"},
                "version": _STRING,
                "api_version": _STRING,
                "seed": _object(
                    {
                        "source": {"type": ["string", "null"]},
                        "seeded_at": {"type": ["string", "null"]},
                    }
                ),
            },
            ("status", "version", "api_version"),
        ),
        "Reset": _object(
            {"status": {"const": "reset"}, "tenant": _STRING, "took_ms": _NUMBER},
            ("status", "tenant"),
        ),
        "Call": call,
        "CallPage": _object(
            {
                "calls": calls,
                "total": _INTEGER,
                "evicted": _INTEGER,
                "limit": _INTEGER,
                "offset": _INTEGER,
            },
            ("calls", "total"),
        ),
        "CallCount": _object({"count": _INTEGER, "evicted": _INTEGER}, ("count",)),
        "CallWait": _object(
            {
                "timed_out": {"type": "boolean"},
                "wanted": _INTEGER,
                "count": _INTEGER,
                "calls": calls,
            },
            ("timed_out", "wanted", "count", "calls"),
        ),
        "Match": MATCH,
        "Action": {"oneOf": [_action(kind) for kind in ACTION_KINDS]},
        "Latency": {"oneOf": [_latency(kind) for kind in LATENCY_KINDS]},
        "FaultRuleInput": {
            **_closed(RULE_INPUT_FIELDS),
            "anyOf": [{"required": ["action"]}, {"required": ["latency"]}],
            "description": "What a call must look like, what happens to it, and how often. "
            "The schedule: `after` lets the first N matches through, `every` fires on every "
            "k-th match after those, `times` expires the rule, `probability` rolls its dice.",
        },
        "FaultRule": _object(
            {
                "id": _INTEGER,
                **RULE_INPUT_FIELDS,
                "action": {
                    "type": ["object", "null"],
                    "properties": {
                        "type": {"enum": list(ACTION_KINDS)},
                        "processed": {"type": "boolean"},
                    },
                },
                "latency": {"oneOf": [ref("Latency"), {"type": "null"}]},
                "times": {"type": ["integer", "null"]},
                "matched": _INTEGER,
                "fired": _INTEGER,
                "expired": {"type": "boolean"},
            },
            ("id", "match", "action", "latency", "matched", "fired", "expired"),
        ),
        "FaultRules": _object(
            {
                "rules": {"type": "array", "items": ref("FaultRule")},
                "default_latency": {"oneOf": [ref("Latency"), {"type": "null"}]},
            },
            ("rules", "default_latency"),
        ),
        "StubInput": {
            **_closed(STUB_FIELDS, ("function",)),
            "description": "`data` alone answers code 200 with it; `code` and `message` (and "
            "`key`) answer one entry; `responses` a whole envelope.",
        },
        "Stub": _object({"id": _INTEGER, **STUB_FIELDS}, ("id", "function", "responses")),
        "Stubs": _object({"stubs": {"type": "array", "items": ref("Stub")}}, ("stubs",)),
        "Deleted": _object({"status": {"const": "deleted"}, "id": _INTEGER}, ("status", "id")),
        "Tenants": _object(
            {
                "tenants": {
                    "type": "object",
                    "additionalProperties": _object(
                        {
                            "campaigns": _INTEGER,
                            "destinations": _INTEGER,
                            "calls": _INTEGER,
                            "created_at": _STRING,
                        }
                    ),
                }
            },
            ("tenants",),
        ),
    }
