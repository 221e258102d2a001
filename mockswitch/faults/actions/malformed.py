"""`malformed`: handle the call, then send a body no JSON parser accepts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from mockswitch.enswitch.envelope import Reply

from ..spec import Field, OneOf
from .base import Action

GARBAGE = b"<html><body><h1>502 Bad Gateway</h1></body></html>\n\x00\xff{]"


@dataclass(frozen=True, slots=True)
class MalformedFault(Action, type="malformed", label="Malformed answer"):
    """Handle the call, then send half of its answer, or garbage."""

    fields: ClassVar[dict[str, Field]] = {"mode": OneOf(("truncated", "garbage"))}
    processed: bool = True
    mode: str = "truncated"  # the first half of the real answer, or garbage

    def answer(self, handled: Reply | None, http_mode: str) -> Reply:
        assert handled is not None  # processed: the call was handled first
        body = handled.body[: len(handled.body) // 2] if self.mode == "truncated" else GARBAGE
        return Reply(handled.status, body, handled.code, handled.key, handled.content_type)
