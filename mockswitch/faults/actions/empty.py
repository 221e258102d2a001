"""`empty`: close the connection without sending a byte."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from mockswitch.enswitch.envelope import Reply

from .base import Exchange
from .drop import DropAction, read_processed


@dataclass(frozen=True, slots=True)
class EmptyFault(DropAction):
    type: ClassVar[str] = "empty"

    @classmethod
    def parse(cls, document: Any, where: str) -> EmptyFault:
        return cls(processed=read_processed(document, where).get("processed", False))

    async def deliver(self, reply: Reply, exchange: Exchange) -> None:
        exchange.close()
