"""The `{id}` in a control path (a call, a fault rule, a stub): digits, read without surprises,
how the routes that take one declare it, and how they answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from aiohttp import web

from mockswitch.errors import ControlError
from mockswitch.faults.spec import ref

from .call_query import LARGEST
from .declare import BAD, TOO_MANY, Answer, ControlRoutes, Handler, PathParameter, ok

ID = PathParameter({"type": "string", "pattern": "^[0-9]+$"}, "1")
DELETED = ref("Deleted")  # declared by the fault rules' table


def path_id(request: web.Request, what: str) -> int:
    """The path's `{id}`; LARGEST + 1 for a number no id can be. `what`: "a call id"..."""
    text = request.match_info["id"]
    if not (text.isascii() and text.isdigit()):
        raise ControlError(400, f"{what} is an integer", field="id")
    digits = text.lstrip("0") or "0"  # int() refuses 4300 digits, leading zeros included
    return int(digits) if len(digits) <= len(str(LARGEST)) else LARGEST + 1


def get_by_id(
    routes: ControlRoutes, path: str, summary: str, answer: Answer, missing: str
) -> Callable[[Handler], Handler]:
    """Declare a GET of one item by its `{id}`: 400 for a bad id, 404 (`missing`) for none."""
    return routes.get(path, summary, answer, BAD, Answer(404, missing), path_parameters={"id": ID})


def delete_by_id(
    routes: ControlRoutes, path: str, summary: str, missing: str
) -> Callable[[Handler], Handler]:
    """Declare a DELETE of one item by its `{id}`, answering `{"status": "deleted", "id": N}`."""
    return routes.delete(
        path,
        summary,
        ok("Removed.", DELETED),
        BAD,
        Answer(404, missing),
        TOO_MANY,
        path_parameters={"id": ID},
    )


def no_such(what: str) -> ControlError:
    """The 404 for an `{id}` that names nothing: `no_such(f"stub {stub_id}")`."""
    return ControlError(404, f"no {what}", field="id")


class _Item(Protocol):
    def as_json(self) -> dict[str, Any]: ...


class Items(Protocol):
    """What keeps a tenant's items by id: its fault rules (`FaultEngine`), its stubs."""

    def get(self, item_id: int, /) -> _Item | None: ...

    def remove(self, item_id: int, /) -> bool: ...


def shown(items: Items, item_id: int, what: str) -> web.Response:
    """A `get_by_id` route's answer: the item, or the 404 naming it (`what`: "stub")."""
    item = items.get(item_id)
    if item is None:
        raise no_such(f"{what} {item_id}")
    return web.json_response(item.as_json())


def removed(items: Items, item_id: int, what: str) -> web.Response:
    """A `delete_by_id` route's answer, once the item is removed; the 404 naming it if none."""
    if not items.remove(item_id):
        raise no_such(f"{what} {item_id}")
    return web.json_response({"status": "deleted", "id": item_id})
