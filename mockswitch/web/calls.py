"""The journal's control API: `/_mock/calls`, its count, one call, a long poll, export."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from mockswitch.config import Settings
from mockswitch.errors import ControlError
from mockswitch.store.cuts import FLAGS as CUT_FIELDS
from mockswitch.switch import Switch
from mockswitch.tenancy import Tenant

from .call_query import DEFAULT_LIMIT, LARGEST, CallQuery, integer, parse_call_query, seconds
from .declare import (
    BAD,
    INTEGER,
    JSON,
    NO_TENANT,
    NUMBER,
    STATUS,
    STRING,
    TOO_MANY,
    Answer,
    ControlRoutes,
    Query,
    object_of,
    ok,
)
from .ids import get_by_id, no_such, path_id
from .keys import SWITCH, TENANTS
from .tenants import existing_tenant, tenant_for_change

routes = ControlRoutes("journal")
NDJSON = "application/x-ndjson"
DEFAULT_WAIT = 10.0  # seconds a long poll waits when the query names no timeout
NOW = "now"


def _journal_query(
    request: web.Request, extra: tuple[str, ...] = ()
) -> tuple[Switch, Tenant, CallQuery]:
    """The switch, the tenant (that must exist) and the query a journal read asks about."""
    switch = request.app[SWITCH]
    tenant = existing_tenant(request)
    query = parse_call_query(_query(request), page_max=switch.settings.calls_page_max, extra=extra)
    return switch, tenant, query


def _query(request: web.Request) -> Mapping[str, str]:
    """The request's query, with `since=now` made the newest call id numbered so far.

    So `/_mock/calls/wait?since=now&count=2` waits for two calls recorded after the wait
    began, however busy the journal was before.
    """
    if request.query.get("since") != NOW:
        return request.query
    latest = request.app[SWITCH].store.journal.last_id()
    return {**request.query, "since": str(latest)}


class _Waiting:
    """How many long polls are waiting now, server-wide."""

    def __init__(self) -> None:
        self.count = 0


WAITING = web.AppKey("long_polls_waiting", _Waiting)


def install(app: web.Application) -> None:
    """Count the long polls, and answer them all when the server stops."""
    app[WAITING] = _Waiting()
    # Stopping would otherwise wait for every open /_mock/calls/wait to time out.
    app.on_shutdown.append(end_long_polls)


CALL = routes.schema(
    "Call",
    object_of(
        {
            "id": INTEGER,
            "at": {"type": "string", "description": "When it arrived, UTC, milliseconds."},
            "method": STRING,
            "path": STRING,
            "function": STRING,
            "query": {"type": "string", "description": "The raw query, passwords masked."},
            "params": {"type": "object", "additionalProperties": STRING},
            "unknown": {
                "type": "array",
                "items": STRING,
                "description": "Parameters the function does not know (ignored).",
            },
            "username": STRING,
            "code": STRING,
            "key": STRING,
            "http_status": INTEGER,
            "body": STRING,
            "body_truncated": {"type": "boolean"},
            "fault": {"type": ["object", "null"]},
            "latency_ms": NUMBER,
            "duration_ms": NUMBER,
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
            "warnings": {
                "type": "array",
                "items": STRING,
                "description": "Why the call went as it did, one sentence each for a person "
                "(a default applied, a near miss, why a login failed); empty when there is "
                "nothing to say. The answer the client got is unchanged by them.",
            },
        },
        "id",
        "at",
        "method",
        "function",
        "code",
        "params",
    ),
)
CALLS = {"type": "array", "items": CALL}
CALL_PAGE = routes.schema(
    "CallPage",
    object_of(
        {"calls": CALLS, "total": INTEGER, "evicted": INTEGER, "limit": INTEGER, "offset": INTEGER},
        "calls",
        "total",
    ),
)
CALL_COUNT = routes.schema("CallCount", object_of({"count": INTEGER, "evicted": INTEGER}, "count"))
CALL_WAIT = routes.schema(
    "CallWait",
    object_of(
        {"timed_out": {"type": "boolean"}, "wanted": INTEGER, "count": INTEGER, "calls": CALLS},
        "timed_out",
        "wanted",
        "count",
        "calls",
    ),
)

PAGE = Answer(
    200,
    "A page of calls with the total that match; with `format=ndjson` or "
    f"`Accept: {NDJSON}`, every matching call, one JSON object per line.",
    {JSON: CALL_PAGE, NDJSON: CALL},
)
FILTERS = (
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


READ = (BAD, NO_TENANT)  # what a journal read may answer besides its own


def filtered(query: Any) -> dict[str, Any]:
    """The facts a filtered journal read declares: the filters' note and its `query`."""
    return {"description": FILTER_NOTE, "query": query}


def _page_query(settings: Settings) -> tuple[Query, ...]:
    limit = {
        "type": "integer",
        "minimum": 0,
        "maximum": settings.calls_page_max,
        "default": DEFAULT_LIMIT,
    }
    return (
        *FILTERS,
        Query("limit", limit, "At most this many calls (`calls_page_max` is the largest)."),
        Query("offset", {"type": "integer", "minimum": 0, "default": 0}, "Skip this many."),
        Query("order", {"type": "string", "enum": ["asc", "desc"], "default": "asc"}, "By id."),
        Query("format", {"type": "string", "enum": ["json", "ndjson"]}, "The format."),
    )


def _wait_query(settings: Settings) -> tuple[Query, ...]:
    longest = settings.wait_timeout_max
    count = {"type": "integer", "minimum": 1, "maximum": settings.calls_page_max, "default": 1}
    timeout = {
        "type": "number",
        "minimum": 0,
        "maximum": longest,
        "default": min(DEFAULT_WAIT, longest),
    }
    return (
        *FILTERS,
        Query("count", count, "How many matching calls to wait for."),
        Query("timeout", timeout, "Seconds to wait at most (`wait_timeout_max`)."),
    )


def _wants_ndjson(request: web.Request) -> bool:
    if "format" in request.query:
        if request.query["format"] not in ("json", "ndjson"):
            raise ControlError(400, "must be json or ndjson", field="format")
        return request.query["format"] == "ndjson"
    return NDJSON in request.headers.get("Accept", "")


@routes.get(
    "/_mock/calls",
    "The journal: a page of recorded calls, or every match as NDJSON",
    PAGE,
    *READ,
    **filtered(_page_query),
)
async def list_calls(request: web.Request) -> web.StreamResponse:
    """A page of calls with the total that match, or every match as NDJSON."""
    switch, tenant, query = _journal_query(request)
    if _wants_ndjson(request):
        return await _export(request, tenant.data.id, query.where)
    page = await switch.store.journal.page(
        tenant.data.id, query.where, query.limit, query.offset, query.newest_first
    )
    return web.json_response(
        {
            "calls": page.calls,
            "total": page.total,
            "evicted": page.evicted,
            "limit": query.limit,
            "offset": query.offset,
        }
    )


async def _export(request: web.Request, tenant: int, where) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": NDJSON})
    await response.prepare(request)
    async for call in request.app[SWITCH].store.journal.stream(tenant, where):
        await response.write(json.dumps(call, ensure_ascii=False).encode() + b"\n")
    await response.write_eof()
    return response


@routes.get(
    "/_mock/calls/count",
    "How many recorded calls match",
    ok("The count.", CALL_COUNT),
    *READ,
    **filtered(FILTERS),
)
async def count_calls(request: web.Request) -> web.Response:
    switch, tenant, query = _journal_query(request)
    journal = switch.store.journal
    return web.json_response(
        {
            "count": await journal.count(tenant.data.id, query.where),
            "evicted": await journal.evicted(tenant.data.id),
        }
    )


@routes.get(
    "/_mock/calls/wait",
    "Long poll: answer as soon as `count` calls match, or at `timeout`",
    ok("Enough calls matched.", CALL_WAIT),
    *READ,
    ok("`timeout` passed first; the body says what did match.", CALL_WAIT, status=408),
    Answer(429, "Too many long polls are waiting (the `max_long_polls` setting)."),
    ok("The server is stopping; the body says what matched so far.", CALL_WAIT, status=503),
    **filtered(_wait_query),
)
async def wait_for_calls(request: web.Request) -> web.Response:
    """Long poll: answer as soon as `count` calls match, or 408 with what did by `timeout`."""
    switch, tenant, query = _journal_query(request, extra=("count", "timeout"))
    wanted = integer(request.query, "count", 1, minimum=1)
    if wanted > switch.settings.calls_page_max:
        raise ControlError(400, f"must be at most {switch.settings.calls_page_max}", field="count")
    longest = switch.settings.wait_timeout_max
    # The default, too, is bounded by wait_timeout_max.
    timeout = seconds(request.query, "timeout", min(DEFAULT_WAIT, longest), maximum=longest)
    journal = switch.store.journal
    waiting, most = request.app[WAITING], switch.settings.max_long_polls
    if waiting.count >= most:
        raise ControlError(
            429, f"there are already {most} long polls waiting (the max_long_polls setting)"
        )
    waiting.count += 1  # before any await: the check and the count are one step
    try:
        matched, page = await journal.wait(
            lambda: tenant.data.id, query.where, wanted, timeout, switch.settings.calls_page_max
        )
    finally:
        waiting.count -= 1
    timed_out = matched < wanted
    return web.json_response(
        {"timed_out": timed_out, "wanted": wanted, "count": matched, "calls": page.calls},
        status=200 if not timed_out else 503 if journal.closing else 408,
    )


async def end_long_polls(app: web.Application) -> None:
    """An `on_shutdown` hook: answer every long poll now, or stopping waits for them all."""
    app[SWITCH].store.journal.end_waits()


@get_by_id(
    routes,
    "/_mock/calls/{id}",
    "One recorded call",
    ok("The call.", CALL),
    "No such call in this tenant's journal, or no such tenant.",
)
async def one_call(request: web.Request) -> web.Response:
    tenant = existing_tenant(request)
    text = request.match_info["id"]
    call_id = path_id(request, "a call id")
    call = None
    if call_id <= LARGEST:  # SQLite ids are 64-bit: asking for more fails instead of missing
        call = await request.app[SWITCH].store.journal.get(tenant.data.id, call_id)
    if call is None:
        raise no_such(f"call {text} in this tenant's journal")
    return web.json_response(call)


@routes.delete("/_mock/calls", "Clear the tenant's journal", ok("Cleared.", STATUS), BAD, TOO_MANY)
async def clear_calls(request: web.Request) -> web.Response:
    tenant = await tenant_for_change(request)
    await request.app[TENANTS].clear_journal(tenant)
    return web.json_response({"status": "cleared", "tenant": tenant.name})
