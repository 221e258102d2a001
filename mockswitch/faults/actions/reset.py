"""`reset`: tear the connection down with a TCP reset; the client sees a connection error."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from mockswitch.enswitch.envelope import Reply

from .base import Exchange
from .drop import DropAction, read_processed


@dataclass(frozen=True, slots=True)
class ResetFault(DropAction):
    type: ClassVar[str] = "reset"

    @classmethod
    def parse(cls, document: Any, where: str) -> ResetFault:
        return cls(processed=read_processed(document, where).get("processed", False))

    async def deliver(self, reply: Reply, exchange: Exchange) -> None:
        exchange.reset()
