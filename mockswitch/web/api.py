"""The Enswitch surface: `/api/json/<function>/`, handed to the switch as raw bytes."""

from __future__ import annotations

from aiohttp import hdrs, web

from mockswitch.enswitch.envelope import error_reply
from mockswitch.errors import EnswitchError, body_not_decoded, misdirected
from mockswitch.faults import Action
from mockswitch.switch import ApiReply, ApiRequest

from .codings import BodyTooLarge, CodingError, decode
from .exchange import AiohttpExchange
from .hosts import HOSTS, refusal_message
from .keys import SWITCH, TENANTS
from .slashes import clean_function
from .tenants import tenant_name, tenant_named

NORMAL = Action()  # delivers the switch's answer as it is


async def enswitch_call(request: web.Request) -> web.StreamResponse:
    """The routed handler of every API path."""
    return await answer(request, request.app, tenant_name(request), request.match_info["function"])


async def answer(
    request: web.Request, app: web.Application, tenant: str, function: str
) -> web.StreamResponse:
    """Hand the call to `switch` for `tenant`, and deliver its answer (through the tenant's
    fault, if one strikes); `function` is the path's part after `/api/json/`."""
    switch = app[SWITCH]
    host = request.headers.get(hdrs.HOST)
    if not app[HOSTS].allows(host):
        return await _misdirected(request, app, tenant, function, host or "")
    tenant_of_call = await tenant_named(app, request, tenant)
    limit = switch.settings.max_request_bytes
    # The raw query, exactly as sent: `;` separators and percent escapes are the parser's job.
    query = request.raw_path.partition("?")[2].encode("latin-1", "replace")
    body, too_large, refusal = await _read_body(request, limit - len(query))
    call = _api_request(request, function, query, body, too_large or len(query) > limit)
    call.refused = refusal
    return await _delivered(request, await switch.handle(call, tenant_of_call))


def _api_request(
    request: web.Request, function: str, query: bytes, body: bytes, too_large: bool
) -> ApiRequest:
    return ApiRequest(
        method=request.method,
        path=request.path,
        function=clean_function(function),
        query=query,
        body=body,
        content_type=request.headers.get("Content-Type", ""),
        too_large=too_large,
    )


async def _delivered(request: web.Request, answered: ApiReply) -> web.StreamResponse:
    exchange = AiohttpExchange(request, answered.call_id)
    await (answered.fault or NORMAL).deliver(answered.reply, exchange)
    return exchange.response


async def _misdirected(
    request: web.Request, app: web.Application, tenant: str, function: str, host: str
) -> web.StreamResponse:
    """A call to a host the server does not answer to (web/hosts.py): the 421 envelope, and
    in the journal of the tenant it names, if there is one; nothing is made for it (no
    tenant created, no body read) and no fault rule, stub or upstream switch sees it."""
    switch = app[SWITCH]
    refusal = misdirected(refusal_message(host))
    tenant_of_call = app[TENANTS].find(tenant)
    if tenant_of_call is None:
        reply = error_reply(refusal, switch.settings.http_status)
        return await _delivered(request, ApiReply(reply, 0))
    query = request.raw_path.partition("?")[2].encode("latin-1", "replace")
    call = _api_request(
        request, function, query, b"", len(query) > switch.settings.max_request_bytes
    )
    call.refused = refusal
    return await _delivered(request, await switch.handle(call, tenant_of_call))


async def _read_body(request: web.Request, room: int) -> tuple[bytes, bool, EnswitchError | None]:
    """The body, decoded (web/codings.py), unless it would not fit in `room` bytes (then it
    is not read at all, or its decoding stops), and the refusal of one that does not decode."""
    if not request.body_exists:
        return b"", False, None
    if request.content_length is not None and request.content_length > room:
        return b"", True, None
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return b"", True, None
    coding = request.headers.get(hdrs.CONTENT_ENCODING)
    if coding is not None and body:
        try:
            body = decode(body, coding, room)
        except BodyTooLarge:
            return b"", True, None
        except CodingError as error:
            return b"", False, body_not_decoded(error.status, error.message)
    return (b"", True, None) if len(body) > room else (body, False, None)
