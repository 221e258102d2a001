"""An Enswitch call as the web layer hands it to the switch."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ApiRequest:
    """An Enswitch call as it arrived, before anything was made of it."""

    method: str
    path: str
    function: str
    query: bytes
    body: bytes = b""
    content_type: str = ""
    too_large: bool = False
