"""The `{id}` in a control path (a call, a fault rule): digits, read without surprises."""

from __future__ import annotations

from aiohttp import web

from mockswitch.errors import ControlError

from .call_query import LARGEST
from .declare import PathParameter

ID = PathParameter({"type": "string", "pattern": "^[0-9]+$"}, "1")


def path_id(request: web.Request, what: str) -> int:
    """The path's `{id}`; LARGEST + 1 for a number no id can be. `what`: "a call id"..."""
    text = request.match_info["id"]
    if not (text.isascii() and text.isdigit()):
        raise ControlError(400, f"{what} is an integer", field="id")
    digits = text.lstrip("0") or "0"  # int() refuses 4300 digits, leading zeros included
    return int(digits) if len(digits) <= len(str(LARGEST)) else LARGEST + 1
