"""`http`: answer with a raw HTTP status and body, as a broken proxy in front would."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from mockswitch.enswitch.envelope import SANDBOXED, Reply

from ..spec import Field, Integer, RuleError, Schema, Text
from .base import Action


@dataclass(frozen=True, slots=True)
class HttpStatus(Integer):
    def parse(self, value: Any, where: str) -> int:
        status = Integer.parse(self, value, where)
        if status > 599:
            raise RuleError(where, "must be an HTTP status from 200 to 599")
        return status

    def base_schema(self) -> Schema:
        return {"type": "integer", "minimum": 200, "maximum": 599}


@dataclass(frozen=True, slots=True)
class HttpFault(Action, type="http", label="HTTP error"):
    """Answer a plain HTTP response, not an envelope."""

    fields: ClassVar[dict[str, Field]] = {
        "status": HttpStatus(200),
        "body": Text(),
        # One line of printable ASCII: a line break would smuggle a header in (aiohttp then
        # drops the connection).
        "content_type": Text(
            pattern="[ -~]+",
            rule="must be a media type in printable ASCII, one line",
            description="The Content-Type header: one line of printable ASCII.",
        ),
    }
    status: int = 503
    body: str = ""
    content_type: str = "text/plain; charset=utf-8"

    def completed(self, given: dict[str, Any], where: str) -> Action:
        if self.status in (204, 304) and self.body:
            raise RuleError(f"{where}.body", f"must be empty: HTTP {self.status} carries no body")
        return self

    def answer(self, handled: Reply | None, http_mode: str) -> Reply:
        # The body is whatever the rule says, HTML included: sandboxed, it cannot run script
        # with the mock's origin (read its journal, change it) when a browser opens it.
        return Reply(self.status, self.body.encode(), "", "", self.content_type, SANDBOXED)
