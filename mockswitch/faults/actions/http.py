"""`http`: answer with a raw HTTP status and body, as a broken proxy in front would."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from mockswitch.enswitch.envelope import Reply

from ..spec import RuleError, fields_of, integer, text
from .base import Action

_HEADER_VALUE = re.compile(r"[\x20-\x7e]+", re.ASCII)
SANDBOX = (("Content-Security-Policy", "sandbox"),)


@dataclass(frozen=True, slots=True)
class HttpFault(Action):
    type: ClassVar[str] = "http"
    status: int = 503
    body: str = ""
    content_type: str = "text/plain; charset=utf-8"

    @classmethod
    def parse(cls, document: Any, where: str) -> HttpFault:
        found = fields_of(
            document,
            where,
            {"type": text, "status": integer(minimum=200), "body": text, "content_type": text},
        )
        status = found.get("status", 503)
        if status > 599:
            raise RuleError(f"{where}.status", "must be an HTTP status from 200 to 599")
        if not _HEADER_VALUE.fullmatch(found.get("content_type", "text/plain")):
            # A line break would smuggle a header in (aiohttp then drops the connection).
            raise RuleError(
                f"{where}.content_type", "must be a media type in printable ASCII, one line"
            )
        if status in (204, 304) and found.get("body"):
            raise RuleError(f"{where}.body", f"must be empty: HTTP {status} carries no body")
        found.pop("type", None)
        return cls(**found)

    def answer(self, handled: Reply | None, http_mode: str) -> Reply:
        # The body is whatever the rule says, HTML included: sandboxed, it cannot run script
        # with the mock's origin (read its journal, change it) when a browser opens it.
        return Reply(self.status, self.body.encode(), "", "", self.content_type, SANDBOX)
