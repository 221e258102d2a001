"""Forwarding to a real switch (`--proxy-to`): what is sent, what comes back, what is kept.

The HTTP itself is the web layer's (`web/proxy.py`, aiohttp's client); here is what does not
depend on it: the upstream's address, the envelope for an upstream that fails, reading the
code of an answer, and turning answers into stub declarations (`--record-stubs`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from mockswitch.enswitch.params import AUTH_PASSWORD, AUTH_USERNAME
from mockswitch.errors import EnswitchError, Problem
from mockswitch.stubs import StubError, parse_stub, read_stub_file, write_stub_file

log = logging.getLogger("mockswitch.proxy")

API_ROOT = "/api/json/"


@dataclass(frozen=True, slots=True)
class Forwarded:
    """The switch's answer, as it came: HTTP status, body bytes, content type."""

    status: int
    body: bytes
    content_type: str


class UpstreamError(Exception):
    """The switch did not answer usably: `reason` says how (timed out, refused, too large)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Forwarder(Protocol):
    """Sends one call on to the switch; raises UpstreamError when it cannot."""

    upstream: str

    async def forward(
        self, method: str, function: str, query: bytes, body: bytes, content_type: str
    ) -> Forwarded: ...


def api_url(upstream: str, function: str) -> str:
    """Where a function lives on the switch: `<upstream>/api/json/<function>/`."""
    base = upstream.rstrip("/").removesuffix(API_ROOT.rstrip("/"))
    return f"{base}{API_ROOT}{function}/"


def upstream_failed(upstream: str, reason: str) -> EnswitchError:
    """The envelope for a switch that did not answer: Enswitch's 500, naming the switch."""
    return EnswitchError(Problem("500", "", f"The switch at {upstream} did not answer: {reason}."))


def envelope_outcome(body: bytes) -> tuple[str, str]:
    """The code and key of an answer's first response, or ("", "") if it is no envelope."""
    try:
        document = json.loads(body)
        first = document["responses"][0]
        return str(first["code"]), str(first.get("key", ""))
    except (ValueError, KeyError, IndexError, TypeError):
        return "", ""


class StubRecorder:
    """Writes each proxied answer to a stub file, without passwords, so that the same calls
    can be answered offline later (`--stubs FILE`).

    A call is identified by its function, its parameters but the password, and its user;
    capturing the same call again replaces the earlier answer. A file that already exists
    is kept and added to.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._declarations: dict[str, dict[str, Any]] = {}
        if Path(path).exists():
            for declaration in read_stub_file(path):
                self._declarations[_identity(declaration)] = declaration

    def capture(self, function: str, given: Mapping[str, str], body: bytes) -> bool:
        """Record the answer `body` to the call (`given`: its parameters, each name's last
        value); False (and nothing written) if it is no envelope a stub could give."""
        params = {n: v for n, v in given.items() if n not in (AUTH_USERNAME, AUTH_PASSWORD)}
        match: dict[str, Any] = {}
        if params:
            match["params"] = params
        if AUTH_USERNAME in given:
            match["username"] = given[AUTH_USERNAME]
        try:
            document = json.loads(body)
            declaration = {"function": function, "responses": document["responses"]}
            if "data" in document:
                declaration["data"] = document["data"]
            if match:
                declaration["match"] = match
            parse_stub(declaration)  # what cannot be replayed is not written
        except (ValueError, KeyError, TypeError, StubError) as error:
            log.warning("not recording %s: the answer is no stub envelope (%s)", function, error)
            return False
        self._declarations[_identity(declaration)] = declaration
        write_stub_file(self.path, list(self._declarations.values()))
        return True


def _identity(declaration: dict[str, Any]) -> str:
    return json.dumps([declaration.get("function"), declaration.get("match")], sort_keys=True)
