"""An Enswitch call as the web layer hands it to the switch."""

from __future__ import annotations

from dataclasses import dataclass


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
    undecodable: str = ""  # the body's Content-Encoding, when the body is not what it says
