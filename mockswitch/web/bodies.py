"""A control call's JSON body, read strictly: every way it can be wrong is a 400 naming
`body` (but one too large, a 413), never a 500."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import hdrs, web

from mockswitch.errors import ControlError

from .codings import UNSUPPORTED, BodyTooLarge, CodingError, decode
from .keys import SETTINGS


async def json_body(request: web.Request) -> Any:
    """The body as a JSON document. One over the app's `client_max_size` (max_request_bytes)
    raises aiohttp's 413, which the middleware answers as every control body's 413."""
    # Bytes, not `request.text()`: that raises on a body that is not UTF-8 (a 500).
    raw = await request.read()
    coding = request.headers.get(hdrs.CONTENT_ENCODING)
    if coding is not None and raw:
        raw = _decoded(raw, coding, request.app[SETTINGS].max_request_bytes)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ControlError(400, "the body is not UTF-8 text", field="body") from None
    if not text.strip():
        raise ControlError(400, "the body must be a JSON document", field="body")
    try:
        # A number too long for int() and nesting too deep for the parser raise ValueError
        # and RecursionError, not JSONDecodeError: both are the client's fault all the same.
        return json.loads(text)
    except (ValueError, RecursionError) as error:
        raise ControlError(400, f"the body is not valid JSON: {error}", field="body") from None


def _decoded(raw: bytes, coding: str, limit: int) -> bytes:
    """The body with its content codings undone (web/codings.py), or the control API's error:
    415 naming `Content-Encoding` for a coding mockswitch does not decode, 400 naming `body`
    for data that does not decode, 413 past `max_request_bytes` once decoded."""
    try:
        return decode(raw, coding, limit)
    except BodyTooLarge:
        raise ControlError(
            413,
            f"the body is larger than the limit of {limit} bytes (max_request_bytes) once decoded",
            field="body",
        ) from None
    except CodingError as error:
        field = "Content-Encoding" if error.status == UNSUPPORTED else "body"
        raise ControlError(error.status, error.message, field=field) from None
