"""`slow_body`: handle the call, then dribble the answer out over `duration_ms`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from mockswitch.enswitch.envelope import Reply

from ..spec import RuleError, fields_of, integer, milliseconds, text
from .base import Action, Exchange


@dataclass(frozen=True, slots=True)
class SlowBodyFault(Action):
    type: ClassVar[str] = "slow_body"
    processed: bool = True
    duration_ms: float = 1000.0
    chunks: int = 10

    @classmethod
    def parse(cls, document: Any, where: str) -> SlowBodyFault:
        found = fields_of(
            document,
            where,
            {
                "type": text,
                "duration_ms": milliseconds,
                "chunks": integer(minimum=1, maximum=10_000),
            },
        )
        if "duration_ms" not in found:
            raise RuleError(f"{where}.duration_ms", "is required")
        return cls(duration_ms=found["duration_ms"], chunks=found.get("chunks", 10))

    async def deliver(self, reply: Reply, exchange: Exchange) -> None:
        await exchange.respond_slowly(reply, self.duration_ms / 1000, self.chunks)
