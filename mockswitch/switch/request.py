"""An Enswitch call as the web layer hands it to the switch."""

from __future__ import annotations

from dataclasses import dataclass

from mockswitch.errors import EnswitchError


@dataclass(slots=True)  # per call: not frozen (docs/architecture.md, "Per-call records")
class ApiRequest:
    """An Enswitch call as it arrived, before anything was made of it."""

    method: str
    path: str
    function: str
    query: bytes
    body: bytes = b""
    content_type: str = ""
    too_large: bool = False
    # Refused before the switch looked (a host it does not answer to, a body in a coding it
    # cannot decode): the call is journaled with this answer, and no fault rule, stub or
    # upstream switch sees it.
    refused: EnswitchError | None = None
