"""What the journal cuts to keep every entry bounded, and how it remembers what it cut.

A call's texts come from the client: a 7 MB path or query string would otherwise be stored
whole (the path twice, as the function), and every page of the journal that holds it would
be as large. So the journal keeps at most `field_cap` characters of the path, the function,
the query string, the username, the key, each parameter's name and value and each warning
(which may quote what the client sent), and at most `body_cap` of the body, and says which
fields it cut.

The fields cut are one integer of flags, stored in the `body_truncated` column: bit 1 is the
body (the column's first meaning, so rows written before this change read the same), the
other bits the other fields.
"""

from __future__ import annotations

from typing import Any

# Bit per field, in the order the entry shows them in `truncated`.
FLAGS = {
    "path": 2,
    "function": 4,
    "query": 8,
    "params": 16,
    "unknown": 128,
    "username": 32,
    "key": 64,
    "warnings": 256,
    "body": 1,
}


class Cutter:
    """Cuts one call's texts to their caps and collects the flags of what it cut."""

    def __init__(self, field_cap: int, body_cap: int) -> None:
        self.field_cap = field_cap
        self.body_cap = body_cap
        self.flags = 0

    def text(self, field: str, value: str) -> str:
        cap = self.body_cap if field == "body" else self.field_cap
        if len(value) <= cap:
            return value
        self.flags |= FLAGS[field]
        return value[:cap]

    def params(self, params: dict[str, str]) -> dict[str, str]:
        cap = self.field_cap
        if all(len(name) <= cap and len(value) <= cap for name, value in params.items()):
            return params  # the usual case: nothing to copy
        self.flags |= FLAGS["params"]
        return {name[:cap]: value[:cap] for name, value in params.items()}

    def texts(self, field: str, texts: tuple[str, ...]) -> tuple[str, ...]:
        """A list of texts (`unknown`, `warnings`), each cut to the field cap."""
        if all(len(text) <= self.field_cap for text in texts):
            return texts
        self.flags |= FLAGS[field]
        return tuple(text[: self.field_cap] for text in texts)


def cut_fields(flags: int) -> list[str]:
    """The names of the fields that `flags` says were cut, in the entry's order."""
    return [field for field, bit in FLAGS.items() if flags & bit]


def show_cuts(call: dict[str, Any]) -> None:
    """Turn a stored row's flags into `body_truncated` (a boolean) and `truncated` (a list)."""
    flags = call["body_truncated"]
    call["body_truncated"] = bool(flags & FLAGS["body"])
    call["truncated"] = cut_fields(flags)
