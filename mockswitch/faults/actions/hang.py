"""`hang`: never answer; wait until the client gives up (or `max_ms` passes), then close."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from mockswitch.enswitch.envelope import Reply

from ..spec import milliseconds
from .base import Exchange
from .drop import DropAction, read_processed

DEFAULT_MAX_MS = 60_000.0


@dataclass(frozen=True, slots=True)
class HangFault(DropAction):
    type: ClassVar[str] = "hang"
    max_ms: float = DEFAULT_MAX_MS

    @classmethod
    def parse(cls, document: Any, where: str) -> HangFault:
        found = read_processed(document, where, {"max_ms": milliseconds})
        return cls(
            processed=found.get("processed", False), max_ms=found.get("max_ms", DEFAULT_MAX_MS)
        )

    async def deliver(self, reply: Reply, exchange: Exchange) -> None:
        await exchange.hang(self.max_ms / 1000)
        exchange.close()
