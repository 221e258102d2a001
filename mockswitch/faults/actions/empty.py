"""`empty`: close the connection without sending a byte."""

from __future__ import annotations

from dataclasses import dataclass

from mockswitch.enswitch.envelope import Reply

from .base import Exchange
from .drop import DropAction


@dataclass(frozen=True, slots=True)
class EmptyFault(DropAction, type="empty", label="Empty answer"):
    """Close the connection without a byte."""

    async def deliver(self, reply: Reply, exchange: Exchange) -> None:
        exchange.close()
