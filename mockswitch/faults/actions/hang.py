"""`hang`: never answer; wait until the client gives up (or `max_ms` passes), then close."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from mockswitch.enswitch.envelope import Reply

from ..spec import Field, milliseconds
from .base import Exchange
from .drop import PROCESSED, DropAction


@dataclass(frozen=True, slots=True)
class HangFault(DropAction, type="hang", label="Hung up"):
    """Answer nothing until the client gives up, or `max_ms`, then close."""

    fields: ClassVar[dict[str, Field]] = {"processed": PROCESSED, "max_ms": milliseconds()}
    max_ms: float = 60_000.0

    async def deliver(self, reply: Reply, exchange: Exchange) -> None:
        await exchange.hang(self.max_ms / 1000)
        exchange.close()
