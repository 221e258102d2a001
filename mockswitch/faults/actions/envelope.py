"""`envelope`: answer with an Enswitch envelope of any code instead of handling the call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from mockswitch.enswitch.envelope import Reply, error_reply
from mockswitch.errors import EnswitchError, Problem

from ..spec import RuleError, fields_of, scalar_text, text
from .base import Action

DEFAULT_MESSAGES = {
    "400": "Invalid input parameters specified.",
    "401": "The authentication details provided are invalid.",
    "402": "Your role does not allow this.",
    "403": "Your rate plan does not allow this.",
    "404": "The object does not exist, or you do not have permission to access it.",
    "500": "Internal error",
}


@dataclass(frozen=True, slots=True)
class EnvelopeFault(Action):
    type: ClassVar[str] = "envelope"
    code: str = "500"
    key: str = ""
    message: str = ""

    @classmethod
    def parse(cls, document: Any, where: str) -> EnvelopeFault:
        found = fields_of(
            document, where, {"type": text, "code": scalar_text, "key": text, "message": text}
        )
        code = found.get("code", "500")
        if not (len(code) == 3 and code.isdigit() and code[0] in "2345"):
            raise RuleError(f"{where}.code", "must be a three-digit code such as 400 or 500")
        message = found.get("message", DEFAULT_MESSAGES.get(code, "Error"))
        return cls(code=code, key=found.get("key", ""), message=message)

    def answer(self, handled: Reply | None, http_mode: str) -> Reply:
        return error_reply(EnswitchError(Problem(self.code, self.key, self.message)), http_mode)
