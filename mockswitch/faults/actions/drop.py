"""What the actions that drop the connection share: reset, empty, hang."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mockswitch.enswitch.envelope import NO_REPLY, Reply

from ..spec import boolean, fields_of, text
from .base import Action


@dataclass(frozen=True, slots=True)
class DropAction(Action):
    """Sends nothing back, even when the call was handled first (`processed`)."""

    def answer(self, handled: Reply | None, http_mode: str) -> Reply:
        # The journal records what the client received: no status, no body.
        return NO_REPLY


def read_processed(document: Any, where: str, extra: dict | None = None) -> dict[str, Any]:
    """The fields of a dropping action: `processed` (handle the call first?) and `extra`."""
    return fields_of(document, where, {"type": text, "processed": boolean, **(extra or {})})
