"""The Enswitch surface: `/api/json/<function>/`, handed to the switch as raw bytes."""

from __future__ import annotations

from aiohttp import web

from mockswitch.switch import ApiRequest

from .keys import SWITCH

CALL_ID_HEADER = "X-Mockswitch-Call"


async def enswitch_call(request: web.Request) -> web.Response:
    switch = request.app[SWITCH]
    # The raw query, exactly as sent: `;` separators and percent escapes are the parser's job.
    query = request.raw_path.partition("?")[2].encode("latin-1", "replace")
    body, too_large = await _read_body(request, switch.settings.max_request_bytes - len(query))
    reply = await switch.handle(
        ApiRequest(
            method=request.method,
            path=request.path,
            function=request.match_info["function"].removesuffix("/"),
            query=query,
            body=body,
            content_type=request.headers.get("Content-Type", ""),
            tenant=request.match_info.get("tenant", "default"),
            too_large=too_large or len(query) > switch.settings.max_request_bytes,
        )
    )
    return web.Response(
        body=reply.body,
        status=reply.status,
        content_type="application/json",
        charset="utf-8",
        headers={CALL_ID_HEADER: str(reply.call_id)},
    )


async def _read_body(request: web.Request, room: int) -> tuple[bytes, bool]:
    """The body, unless it would not fit in `room` bytes (then it is not read at all)."""
    if not request.body_exists:
        return b"", False
    if request.content_length is not None and request.content_length > room:
        return b"", True
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return b"", True
    return (b"", True) if len(body) > room else (body, False)
