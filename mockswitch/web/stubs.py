"""The stubs' control API: `/_mock/stubs` and one stub, per tenant like the fault rules."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from mockswitch.endpoints import FUNCTIONS
from mockswitch.errors import ControlError
from mockswitch.stubs import StubBook, StubError, parse_stub

from .call_query import LARGEST
from .keys import SWITCH
from .tenants import existing_tenant, tenant_for_change

routes = web.RouteTableDef()


async def _book(request: web.Request, *, changing: bool) -> StubBook:
    tenant = await tenant_for_change(request) if changing else existing_tenant(request)
    return request.app[SWITCH].beyond.stubs(tenant.name)


async def _declarations(request: web.Request) -> Any:
    """The body as JSON; a body over `max_request_bytes` is a 400 naming `body`."""
    limit = request.app[SWITCH].settings.max_request_bytes
    too_large = ControlError(
        400, f"the body is larger than the limit of {limit} bytes (max_request_bytes)", "body"
    )
    if request.content_length is not None and request.content_length > limit:
        raise too_large
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise too_large from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ControlError(400, "the body is not UTF-8 text", field="body") from None
    if not text.strip():
        raise ControlError(400, "the body must be a JSON document", field="body")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:
        raise ControlError(400, f"the body is not valid JSON: {error}", field="body") from None


def _stub_id(request: web.Request) -> int:
    text = request.match_info["id"]
    if not (text.isascii() and text.isdigit()):
        raise ControlError(400, "a stub id is an integer", field="id")
    digits = text.lstrip("0") or "0"
    return int(digits) if len(digits) <= len(str(LARGEST)) else LARGEST + 1  # no such stub


@routes.post("/_mock/stubs")
async def add_stubs(request: web.Request) -> web.Response:
    """Add one stub (an object) or several (an array), all or none; answer what was added."""
    document = await _declarations(request)
    batch = document if isinstance(document, list) else [document]
    for position, declaration in enumerate(batch):  # check every stub before adding any
        try:
            stub = parse_stub(declaration)
        except StubError as error:
            field = f"[{position}].{error.field}" if document is batch else error.field
            raise ControlError(400, error.message, field=field) from None
        if stub.function in FUNCTIONS:
            raise ControlError(
                409,
                f"{stub.function} is simulated by mockswitch and cannot be stubbed; use a fault "
                "rule (POST /_mock/faults) to change its answer",
                field=f"[{position}].function" if document is batch else "function",
            )
    book = await _book(request, changing=True)
    # No await from the check to the adding: two batches cannot both pass it.
    most = request.app[SWITCH].settings.max_stubs
    if len(book) + len(batch) > most:
        raise ControlError(
            429,
            f"the tenant holds {len(book)} stubs and {len(batch)} more would pass the "
            f"max_stubs setting ({most}): remove some first",
        )
    added = [book.add(declaration).as_json() for declaration in batch]
    return web.json_response(added if isinstance(document, list) else added[0], status=201)


@routes.get("/_mock/stubs")
async def list_stubs(request: web.Request) -> web.Response:
    book = await _book(request, changing=False)
    return web.json_response({"stubs": [stub.as_json() for stub in book.all()]})


@routes.delete("/_mock/stubs")
async def clear_stubs(request: web.Request) -> web.Response:
    (await _book(request, changing=True)).clear()
    return web.json_response({"status": "cleared"})


@routes.get(r"/_mock/stubs/{id}")
async def one_stub(request: web.Request) -> web.Response:
    stub_id = _stub_id(request)
    stub = (await _book(request, changing=False)).get(stub_id)
    if stub is None:
        raise ControlError(404, f"no stub {stub_id}", field="id")
    return web.json_response(stub.as_json())


@routes.delete(r"/_mock/stubs/{id}")
async def delete_stub(request: web.Request) -> web.Response:
    stub_id = _stub_id(request)
    if not (await _book(request, changing=True)).remove(stub_id):
        raise ControlError(404, f"no stub {stub_id}", field="id")
    return web.json_response({"status": "deleted", "id": stub_id})
