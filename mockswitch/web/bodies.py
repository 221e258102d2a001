"""A control call's JSON body, read strictly: every way it can be wrong is a 400 naming
`body` (but one too large, a 413), never a 500."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from mockswitch.errors import ControlError


async def json_body(request: web.Request) -> Any:
    """The body as a JSON document. One over the app's `client_max_size` (max_request_bytes)
    raises aiohttp's 413, which the middleware answers as every control body's 413."""
    # Bytes, not `request.text()`: that raises on a body that is not UTF-8 (a 500).
    raw = await request.read()
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
