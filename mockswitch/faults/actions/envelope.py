"""`envelope`: answer with an Enswitch envelope of any code instead of handling the call."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

from mockswitch.enswitch.codes import message
from mockswitch.enswitch.envelope import Reply, error_reply
from mockswitch.errors import EnswitchError, Problem

from ..spec import Field, RuleError, ScalarText, Schema, Text
from .base import Action


@dataclass(frozen=True, slots=True)
class EnvelopeCode(ScalarText):
    """Three digits from 200 to 599, as a string or a number."""

    def parse(self, value: Any, where: str) -> str:
        code = ScalarText.parse(self, value, where)
        if not (len(code) == 3 and code.isdigit() and code[0] in "2345"):
            raise RuleError(where, "must be a three-digit code such as 400 or 500")
        return code

    def base_schema(self) -> Schema:
        return {"type": ["string", "integer"], "pattern": "^[2-5][0-9]{2}$"}


@dataclass(frozen=True, slots=True)
class EnvelopeFault(Action, type="envelope", label="Enswitch error"):
    """Answer this envelope instead of handling the call."""

    fields: ClassVar[dict[str, Field]] = {
        "code": EnvelopeCode(description="A three-digit code such as 400 or 500."),
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
