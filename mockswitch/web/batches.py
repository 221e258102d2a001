"""A control POST that adds one item (an object) or several (an array), all or none: the
pieces the fault rules and the stubs share, so that both answer alike."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from mockswitch.errors import ControlError


def batch_of(document: Any) -> list[Any]:
    """The items a body adds: the array's, or the one object."""
    return document if isinstance(document, list) else [document]


def field_at(document: Any, position: int, field: str) -> str:
    """Where a fault is: in an array, the path starts with the item's index (`[1].probability`)."""
    return f"[{position}].{field}" if isinstance(document, list) else field


def check_room(held: int, adding: int, most: int, what: str, setting: str) -> None:
    """A 429 when a tenant holding `held` items, with `adding` more, would pass `setting`."""
    if held + adding > most:
        raise ControlError(
            429,
            f"the tenant holds {held} {what} and {adding} more would pass the {setting} "
            f"setting ({most}): remove some first",
        )


def added(document: Any, items: list[dict[str, Any]]) -> web.Response:
    """The 201 answer: the item as added for an object, the list for an array."""
    return web.json_response(items if isinstance(document, list) else items[0], status=201)
