"""The Enswitch surface: `/api/json/<function>/`, handed to the switch as raw bytes."""

from __future__ import annotations

from aiohttp import web
from aiohttp.web_protocol import RequestPayloadError

from mockswitch.faults import Action
from mockswitch.switch import ApiRequest, calllog

from .exchange import AiohttpExchange
from .keys import SWITCH
from .slashes import clean_function
from .tenants import tenant_name, tenant_named

NORMAL = Action()  # delivers the switch's answer as it is
MAX_ENCODING_CHARS = 40  # of a Content-Encoding named in an envelope


async def enswitch_call(request: web.Request) -> web.StreamResponse:
    """The routed handler of every API path."""
    return await answer(request, request.app, tenant_name(request), request.match_info["function"])


async def answer(
    request: web.Request, app: web.Application, tenant: str, function: str
) -> web.StreamResponse:
    """Hand the call to `switch` for `tenant`, and deliver its answer (through the tenant's
    fault, if one strikes); `function` is the path's part after `/api/json/`."""
    switch = app[SWITCH]
    tenant_of_call = await tenant_named(app, request, tenant)
    limit = switch.settings.max_request_bytes
    # The raw query, exactly as sent: `;` separators and percent escapes are the parser's job.
    query = request.raw_path.partition("?")[2].encode("latin-1", "replace")
    body, too_large, undecodable = await _read_body(request, limit - len(query))
    answered = await switch.handle(
        ApiRequest(
            method=request.method,
            path=request.path,
            function=clean_function(function),
            query=query,
            body=body,
            content_type=request.headers.get("Content-Type", ""),
            too_large=too_large or len(query) > limit,
            undecodable=undecodable,
        ),
        tenant_of_call,
    )
    exchange = AiohttpExchange(request, answered.call_id)
    await (answered.fault or NORMAL).deliver(answered.reply, exchange)
    if undecodable:  # the rest of that body is still on the connection: it cannot go on
        exchange.response.force_close()
    return exchange.response


async def _read_body(request: web.Request, room: int) -> tuple[bytes, bool, str]:
    """The body, unless it would not fit in `room` bytes (then it is not read at all); and
    the body's Content-Encoding (shortened) if that encoding cannot decode it."""
    if not request.body_exists:
        return b"", False, ""
    if request.content_length is not None and request.content_length > room:
        return b"", True, ""
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return b"", True, ""
    except RequestPayloadError:  # `Content-Encoding: gzip` and a body that is not gzip
        encoding = request.headers.get("Content-Encoding", "")
        return b"", False, calllog.loggable(encoding[:MAX_ENCODING_CHARS]) or "encoded"
    return (b"", True, "") if len(body) > room else (body, False, "")
