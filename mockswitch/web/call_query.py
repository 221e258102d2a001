"""Reading a journal query's parameters (`?function=...&param.id=123&limit=10`) strictly.

Every name is known, every number is a number, every time is a time; anything else is a
400 that names the field, so a typo in a verification never silently matches everything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from mockswitch.errors import ControlError
from mockswitch.store import CallFilter, format_time

PARAM_PREFIX = "param."
FILTERS = ("function", "method", "code", "username", "since", "until")
PAGING = ("limit", "offset", "order")
DEFAULT_LIMIT = 100
# SQLite integers are 64-bit: a larger number would fail in the query, not match nothing.
LARGEST = 2**63 - 1
_INTEGER = re.compile(r"-?[0-9]+", re.ASCII)


@dataclass(frozen=True, slots=True)
class CallQuery:
    where: CallFilter
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    newest_first: bool = False


def parse_call_query(
    query: Mapping[str, str], *, page_max: int, extra: tuple[str, ...] = ()
) -> CallQuery:
    """A `CallQuery` from request parameters; `extra` names those the caller reads itself."""
    allowed = set(FILTERS) | set(PAGING) | {"format"} | set(extra)
    for name in query:
        if name not in allowed and not name.startswith(PARAM_PREFIX):
            raise ControlError(400, f"unknown filter {name!r}", field=name)
    params = tuple(
        (name.removeprefix(PARAM_PREFIX), value)
        for name, value in query.items()
        if name.startswith(PARAM_PREFIX)
    )
    if any(not name for name, _ in params):
        raise ControlError(
            400, "a parameter filter needs a name: param.<name>=<value>", field=PARAM_PREFIX
        )
    since_id, since_time = _position(query, "since")
    until_id, until_time = _position(query, "until")
    where = CallFilter(
        function=query.get("function"),
        method=query["method"].upper() if "method" in query else None,
        code=query.get("code"),
        username=query.get("username"),
        params=params,
        since_id=since_id,
        until_id=until_id,
        since_time=since_time,
        until_time=until_time,
    )
    order = query.get("order", "asc")
    if order not in ("asc", "desc"):
        raise ControlError(400, "must be asc or desc", field="order")
    limit = integer(query, "limit", DEFAULT_LIMIT, minimum=0)
    if limit > page_max:
        raise ControlError(400, f"must be at most {page_max}", field="limit")
    return CallQuery(where, limit, integer(query, "offset", 0, minimum=0), order == "desc")


def integer(query: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    """An integer query parameter, or a 400 naming it."""
    if name not in query:
        return default
    text = query[name]
    if not _INTEGER.fullmatch(text):
        raise ControlError(400, "must be an integer", field=name)
    # int() refuses more than 4300 digits, leading zeros included: drop those, clamp the rest.
    digits = text.lstrip("-").lstrip("0") or "0"
    if len(digits) > len(str(LARGEST)):
        digits = str(LARGEST + 1)
    value = -int(digits) if text.startswith("-") else int(digits)
    if value < minimum:
        raise ControlError(400, f"must be at least {minimum}", field=name)
    if value > LARGEST:
        raise ControlError(400, f"must be at most {LARGEST}", field=name)
    return value


def seconds(query: Mapping[str, str], name: str, default: float, *, maximum: float) -> float:
    """A non-negative number of seconds, or a 400 naming it."""
    if name not in query:
        return default
    try:
        value = float(query[name])
    except ValueError:
        raise ControlError(400, "must be a number of seconds", field=name) from None
    if not 0 <= value <= maximum:
        raise ControlError(400, f"must be between 0 and {maximum:g} seconds", field=name)
    return value


def _position(query: Mapping[str, str], name: str) -> tuple[int | None, str | None]:
    """`since`/`until` as a call id (digits) or a time (ISO 8601; UTC unless it says)."""
    if name not in query:
        return None, None
    text = query[name]
    if text.isascii() and text.isdigit():
        return integer(query, name, 0, minimum=0), None
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return None, format_time(moment)
    # OverflowError: a time that exists only outside years 1-9999 once moved to UTC.
    except (ValueError, OverflowError):
        raise ControlError(
            400,
            "must be a call id or an ISO 8601 time such as 2026-01-31T12:00:00.000Z",
            field=name,
        ) from None
