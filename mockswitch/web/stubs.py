"""The stubs' control API: `/_mock/stubs` and one stub, per tenant like the fault rules."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from mockswitch.endpoints import FUNCTIONS
from mockswitch.enswitch.codes import CODES
from mockswitch.errors import ControlError
from mockswitch.stubs import FUNCTION_NAME, StubBook, StubError, StubsFull, parse_stub

from .batches import batch_of, check_room, field_at
from .bodies import json_body
from .declare import (
    BAD,
    INTEGER,
    NO_TENANT,
    STATUS,
    STRING,
    TOO_MANY,
    Answer,
    ControlRoutes,
    object_of,
    ok,
)
from .ids import delete_by_id, get_by_id, no_such, path_id, removed
from .keys import SWITCH, TENANTS
from .tenants import existing_tenant, tenant_for_change

routes = ControlRoutes("stubs")


def _closed(properties: dict[str, Any], *required: str) -> dict[str, Any]:
    return {**object_of(properties, *required), "additionalProperties": False}


_ENTRY = _closed({"code": {"enum": list(CODES)}, "key": STRING, "message": STRING}, "code")
STUB_FIELDS: dict[str, Any] = {
    "function": {"type": "string", "pattern": f"^{FUNCTION_NAME.pattern}$"},
    "data": {"description": "The envelope's `data` (code 200 only)."},
    "code": {"enum": list(CODES)},
    "key": STRING,
    "message": STRING,
    "responses": {"type": "array", "items": _ENTRY, "minItems": 1},
    "match": _closed(
        {
            "params": {"type": "object", "additionalProperties": {"type": ["string", "number"]}},
            "username": STRING,
        }
    ),
}
STUB_INPUT = routes.schema(
    "StubInput",
    {
        **_closed(STUB_FIELDS, "function"),
        "description": "`data` alone answers code 200 with it; `code` and `message` (and "
        "`key`) answer one entry; `responses` a whole envelope.",
    },
)
STUB = routes.schema(
    "Stub", object_of({"id": INTEGER, **STUB_FIELDS}, "id", "function", "responses")
)
STUBS = routes.schema("Stubs", object_of({"stubs": {"type": "array", "items": STUB}}, "stubs"))


async def _book(request: web.Request, *, changing: bool) -> StubBook:
    tenant = await tenant_for_change(request) if changing else existing_tenant(request)
    return tenant.stubs


@routes.post(
    "/_mock/stubs",
    "Stub a function mockswitch does not simulate (an object), or several (an array)",
    ok(
        "The stub, or the stubs, as added, with their ids.",
        {"oneOf": [STUB, {"type": "array", "items": STUB}]},
        status=201,
    ),
    BAD,
    Answer(409, "The function is simulated by mockswitch: use a fault rule."),
    Answer(
        413,
        "The body is larger than `max_request_bytes`, or the stubs would pass "
        "`max_stub_bytes` (the tenant's) or `max_stub_bytes_total` (every tenant's).",
    ),
    Answer(429, "A new tenant would pass `max_tenants`, or the stubs `max_stubs`."),
    description="The first stub whose `match` selects a call answers it; a stub "
    "without `match` answers the calls no other stub of its function selects. A stub "
    "is served like any function: authentication, journal, fault rules, tenants.",
    body={"oneOf": [STUB_INPUT, {"type": "array", "items": STUB_INPUT}]},
    example={"function": "people/list", "data": [{"id": 100, "username": "user"}]},
)
async def add_stubs(request: web.Request) -> web.Response:
    """Add one stub (an object) or several (an array), all or none; answer what was added."""
    document = await json_body(request)
    batch = batch_of(document)
    single = not isinstance(document, list)
    budget = request.app[TENANTS].start.stub_budget
    parsed = []
    for position, declaration in enumerate(batch):  # check every stub before adding any
        try:
            stub = parse_stub(declaration, max_depth=budget.max_depth)
        except StubError as error:
            field = field_at(document, position, error.field)
            raise ControlError(400, error.message, field=field) from None
        if stub.function in FUNCTIONS:
            raise ControlError(
                409,
                f"{stub.function} is simulated by mockswitch and cannot be stubbed; use a fault "
                "rule (POST /_mock/faults) to change its answer",
                field=field_at(document, position, "function"),
            )
        parsed.append(stub)
    del document, batch  # the declarations' objects: the stubs keep their bytes alone
    book = await _book(request, changing=True)
    # No await from the checks to the adding: two batches cannot both pass them.
    check_room(len(book), len(parsed), request.app[SWITCH].settings.max_stubs, "stubs", "max_stubs")
    try:
        added = book.add_stubs(parsed)
    except StubsFull as full:
        raise ControlError(413, str(full), field="body") from None
    listed = [stub.listing() for stub in added]
    body = listed[0] if single else b"[" + b",".join(listed) + b"]"
    return web.Response(body=body, status=201, content_type="application/json")


@routes.get("/_mock/stubs", "The tenant's stubs, in order", ok("The stubs.", STUBS), NO_TENANT)
async def list_stubs(request: web.Request) -> web.StreamResponse:
    """Written a stub at a time, from the bytes each keeps: the answer's size is bounded by
    `max_stub_bytes`, and it is never built whole in memory."""
    book = await _book(request, changing=False)
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    await response.prepare(request)
    await response.write(b'{"stubs":[')
    for index, listing in enumerate(book.listings()):
        await response.write(b"," + listing if index else listing)
    await response.write(b"]}")
    await response.write_eof()
    return response


@routes.delete(
    "/_mock/stubs",
    "Remove every stub of the tenant (a reset brings back those of --stubs)",
    ok("Cleared.", STATUS),
    BAD,
    TOO_MANY,
)
async def clear_stubs(request: web.Request) -> web.Response:
    (await _book(request, changing=True)).clear()
    return web.json_response({"status": "cleared"})


@get_by_id(
    routes,
    "/_mock/stubs/{id}",
    "One stub",
    ok("The stub.", STUB),
    "No such stub, or no such tenant.",
)
async def one_stub(request: web.Request) -> web.Response:
    stub_id = path_id(request, "a stub id")
    stub = (await _book(request, changing=False)).get(stub_id)
    if stub is None:
        raise no_such(f"stub {stub_id}")
    return web.Response(body=stub.listing(), content_type="application/json")


@delete_by_id(routes, "/_mock/stubs/{id}", "Remove one stub", "No such stub.")
async def delete_stub(request: web.Request) -> web.Response:
    stub_id = path_id(request, "a stub id")
    return removed(await _book(request, changing=True), stub_id, "stub")
