"""Reading a control call's JSON body: one reader, so that every route refuses a bad body
with the same 400 naming `body`."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from mockswitch.errors import ControlError


async def json_body(request: web.Request) -> Any:
    """The body as a JSON document, or a 400 naming `body`. A body over `max_request_bytes`
    raises aiohttp's 413, which the middleware renders (`middleware.errors_as_json`)."""
    # Bytes, not `request.text()`: that raises on a body that is not UTF-8 (a 500).
    try:
        text = (await request.read()).decode("utf-8")
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
