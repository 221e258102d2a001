"""`malformed`: handle the call, then send a body no JSON parser accepts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from mockswitch.enswitch.envelope import Reply

from ..spec import fields_of, one_of, text
from .base import Action

GARBAGE = b"<html><body><h1>502 Bad Gateway</h1></body></html>\n\x00\xff{]"


@dataclass(frozen=True, slots=True)
class MalformedFault(Action):
    type: ClassVar[str] = "malformed"
    processed: bool = True
    mode: str = "truncated"  # the first half of the real answer, or garbage

    @classmethod
    def parse(cls, document: Any, where: str) -> MalformedFault:
        found = fields_of(document, where, {"type": text, "mode": one_of("truncated", "garbage")})
        return cls(mode=found.get("mode", "truncated"))

    def answer(self, handled: Reply | None, http_mode: str) -> Reply:
        assert handled is not None  # processed: the call was handled first
        body = handled.body[: len(handled.body) // 2] if self.mode == "truncated" else GARBAGE
        return Reply(handled.status, body, handled.code, handled.key, handled.content_type)
