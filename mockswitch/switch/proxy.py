"""Forwarding to a real switch (`--proxy-to`): what is sent, what comes back, what is kept.

The HTTP itself is the web layer's (`web/proxy.py`, aiohttp's client); here is what does not
depend on it: the upstream's address, the envelope for an upstream that fails, reading the
code of an answer, and the answer as the client gets it (recording it, `--record-stubs`, is
recording.py's).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Protocol

from mockswitch.enswitch.envelope import SANDBOXED, Reply
from mockswitch.enswitch.jsontext import escaped, strict_loads
from mockswitch.errors import EnswitchError, Problem

API_ROOT = "/api/json/"
MAX_CODE_CHARS = 16  # of an upstream's code, as the journal and the log keep it
FIRST_ENTRY_WINDOW = 65536  # bytes read for an envelope's first entry
_ENVELOPE_HEAD = re.compile(rb'\s*\{\s*"responses"\s*:\s*\[\s*')
_DECODER = json.JSONDecoder()
_PRINTABLE = re.compile("[ -~]{1,200}")
_JSON_TYPE = re.compile(r"\s*application/([\w.+-]+\+)?json\s*(;|$)", re.IGNORECASE)


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
    """The code and key of an answer's first response, or ("", "") if it is no envelope;
    as the journal can store them (a code of at most `MAX_CODE_CHARS`, surrogates escaped).

    The usual envelope starts with its `responses`: only its first entry is read, so a 5 MB
    answer costs microseconds here, whatever its `data` holds (nested 50,000 deep, say)."""
    first = _first_response(body)
    if not isinstance(first, dict):
        return "", ""
    code, key = first.get("code"), first.get("key", "")
    if isinstance(code, int) and not isinstance(code, bool):
        code = str(code)
    if not isinstance(code, str) or not code:
        return "", ""
    return escaped(code[:MAX_CODE_CHARS]), escaped(key) if isinstance(key, str) else ""


def _first_response(body: bytes) -> Any:
    head = _ENVELOPE_HEAD.match(body)
    try:
        if head is not None:
            window = body[head.end() : head.end() + FIRST_ENTRY_WINDOW].decode("utf-8", "replace")
            try:
                return _DECODER.raw_decode(window)[0]
            except ValueError:
                pass  # an entry longer than the window: read the whole answer
        return strict_loads(body)["responses"][0]
    except (ValueError, RecursionError, KeyError, IndexError, TypeError):
        return None


def proxied_reply(answer: Forwarded, code: str, key: str) -> Reply:
    """The switch's answer as the client gets it: its status and bytes. A body that is not
    JSON (an HTML error page, say) is sandboxed, as an `http` fault's is: served from the
    mock's origin, its script must not run there."""
    content_type = answer.content_type
    if not _PRINTABLE.fullmatch(content_type):  # it becomes a header again
        content_type = "application/octet-stream"
    headers = () if _JSON_TYPE.match(content_type) else SANDBOXED
    return Reply(answer.status, answer.body, code, key, content_type, headers)
