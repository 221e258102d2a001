"""`slow_body`: handle the call, then dribble the answer out over `duration_ms`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from mockswitch.enswitch.envelope import Reply

from ..spec import Field, Integer, milliseconds
from .base import Action, Exchange


@dataclass(frozen=True, slots=True)
class SlowBodyFault(Action, type="slow_body", label="Slow body"):
    """Handle the call, then trickle its answer over `duration_ms`."""

    fields: ClassVar[dict[str, Field]] = {
        "duration_ms": milliseconds(),
        "chunks": Integer(1, 10_000),
    }
    required: ClassVar[tuple[str, ...]] = ("duration_ms",)
    processed: bool = True
    duration_ms: float = 1000.0
    chunks: int = 10

    async def deliver(self, reply: Reply, exchange: Exchange) -> None:
        await exchange.respond_slowly(reply, self.duration_ms / 1000, self.chunks)
