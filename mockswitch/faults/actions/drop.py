"""What the actions that drop the connection share: reset, empty, hang."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from mockswitch.enswitch.envelope import NO_REPLY, Reply

from ..spec import Boolean, Field
from .base import Action

PROCESSED = Boolean(description="Handle the call (and make its change) before the fault strikes.")


@dataclass(frozen=True, slots=True)
class DropAction(Action):
    """Sends nothing back, even when the call was handled first (`processed`)."""

    fields: ClassVar[dict[str, Field]] = {"processed": PROCESSED}

    def answer(self, handled: Reply | None, http_mode: str) -> Reply:
        # The journal records what the client received: no status, no body.
        return NO_REPLY
