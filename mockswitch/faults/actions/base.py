"""What every fault action is: a tiny class that may replace the answer and may deliver it
in its own broken way. The web layer supplies the `Exchange` it acts on."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, ClassVar, Protocol

from mockswitch.enswitch.envelope import NO_REPLY, Reply


class Exchange(Protocol):
    """The connection a faulted call is answered on (implemented by the web layer)."""

    async def respond(self, reply: Reply) -> None: ...

    async def respond_slowly(self, reply: Reply, seconds: float, chunks: int) -> None: ...

    def reset(self) -> None: ...

    def close(self) -> None: ...

    async def hang(self, seconds: float) -> None:
        """Return when the client has gone, or after `seconds`."""
        ...


@dataclass(frozen=True, slots=True)
class Action:
    """The default behaviour: keep the switch's own answer and send it normally."""

    type: ClassVar[str]
    # Whether the call is handled (and may change data) before the fault strikes.
    processed: bool = False

    def answer(self, handled: Reply | None, http_mode: str) -> Reply:
        """What the client is meant to receive (and the journal records)."""
        return handled if handled is not None else NO_REPLY

    async def deliver(self, reply: Reply, exchange: Exchange) -> None:
        await exchange.respond(reply)

    def as_json(self) -> dict[str, Any]:
        return {"type": self.type, **asdict(self)}
