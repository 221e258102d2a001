"""`reset`: tear the connection down with a TCP reset; the client sees a connection error."""

from __future__ import annotations

from dataclasses import dataclass

from mockswitch.enswitch.envelope import Reply

from .base import Exchange
from .drop import DropAction


@dataclass(frozen=True, slots=True)
class ResetFault(DropAction, type="reset", label="Connection reset"):
    """Reset the connection (TCP RST) instead of answering."""

    async def deliver(self, reply: Reply, exchange: Exchange) -> None:
        exchange.reset()
