"""`envelope`: answer with an Enswitch envelope of any code instead of handling the call."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

from mockswitch.enswitch.codes import CODES, message
from mockswitch.enswitch.envelope import Reply, error_reply
from mockswitch.errors import EnswitchError, Problem

from ..spec import Field, RuleError, ScalarText, Schema, Text
from .base import Action


@dataclass(frozen=True, slots=True)
class EnvelopeCode(ScalarText):
    """One of the codes an Enswitch envelope carries (enswitch/codes.py), as a string or a
    number: a client never sees another in an envelope, so another is a typo (or an HTTP
    status, which is the `http` action's)."""

    def parse(self, value: Any, where: str) -> str:
        code = ScalarText.parse(self, value, where)
        if code not in CODES:
            raise RuleError(
                where,
                f"must be one of Enswitch's envelope codes: {', '.join(CODES)} (for another "
                "HTTP status, use the http action)",
            )
        return code

    def base_schema(self) -> Schema:
        return {"type": ["string", "integer"], "enum": [*CODES, *map(int, CODES)]}


@dataclass(frozen=True, slots=True)
class EnvelopeFault(Action, type="envelope", label="Enswitch error"):
    """Answer this envelope instead of handling the call."""

    fields: ClassVar[dict[str, Field]] = {
        "code": EnvelopeCode(description="An Enswitch envelope code, such as 400 or 500."),
        "key": Text(),
        "message": Text(description="Default: the code's usual message."),
    }
    code: str = "500"
    key: str = ""
    message: str = ""

    def completed(self, given: dict[str, Any], where: str) -> Action:
        return self if "message" in given else replace(self, message=message(self.code))

    def answer(self, handled: Reply | None, http_mode: str) -> Reply:
        return error_reply(EnswitchError(Problem(self.code, self.key, self.message)), http_mode)
