"""A control call's JSON body, read strictly: every way it can be wrong is a 400 naming
`body`, never a 500."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from mockswitch.errors import ControlError


async def json_body(request: web.Request, limit: int | None = None) -> Any:
    """The body as a JSON document; one over `limit` bytes (if given) is a 400 too."""
    if limit is not None and (request.content_length or 0) > limit:
        raise _too_large(limit)
    # Bytes, not `request.text()`: that raises on a body that is not UTF-8 (a 500).
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        if limit is None:
            raise
        raise _too_large(limit) from None
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


def _too_large(limit: int) -> ControlError:
    return ControlError(
        400, f"the body is larger than the limit of {limit} bytes (max_request_bytes)", "body"
    )
