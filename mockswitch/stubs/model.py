"""A stub: a canned Enswitch answer for one function, and which calls it answers.

A stub keeps its envelope as the bytes it answers with, made once when it is declared, not
as the Python objects of its `data` (which took about twenty times the bytes): what a stub
costs is its envelope's length (`size`), which the tenants' byte bounds count.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mockswitch.enswitch.jsontext import ESCAPED, escaped, utf8
from mockswitch.errors import Problem

# allow_nan=False: NaN and Infinity are not JSON (ValueError); nor is a date (TypeError).
_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode
# What a stub holds beside its envelope's bytes (the object, its entries, its match),
# counted once per stub so that many tiny stubs are bounded too.
STUB_OVERHEAD_BYTES = 1024


@dataclass(frozen=True, slots=True)
class Match:
    """Which calls a stub answers; an empty match answers every call (the fallback)."""

    params: tuple[tuple[str, str], ...] = ()
    username: str | None = None

    @property
    def is_fallback(self) -> bool:
        return not self.params and self.username is None

    def selects(self, params: Mapping[str, str], username: str) -> bool:
        if self.username is not None and self.username != username:
            return False
        return all(params.get(name) == value for name, value in self.params)

    def as_json(self) -> dict[str, Any]:
        shown: dict[str, Any] = {}
        if self.params:
            shown["params"] = dict(self.params)
        if self.username is not None:
            shown["username"] = self.username
        return shown


NO_DATA = object()  # a stub whose envelope has no `data` member (201, 204, errors)


@dataclass(frozen=True, slots=True)
class Stub:
    """One declared answer: the envelope's `responses`, its bytes, and its match."""

    id: int
    function: str
    responses: tuple[Problem, ...]
    body: bytes  # the envelope, in the switch's bytes: `responses`, then `data` if any
    match: Match = Match()
    # For the journal of each call it answers: what had to be changed to send it.
    warnings: tuple[str, ...] = ()

    @property
    def code(self) -> str:
        """The envelope's first code: the call's, in the journal."""
        return self.responses[0].code

    @property
    def key(self) -> str:
        """The envelope's first key, as the journal can store it."""
        return escaped(self.responses[0].key)

    @property
    def size(self) -> int:
        """What the stub counts for against the byte bounds."""
        return len(self.body) + STUB_OVERHEAD_BYTES

    def declaration(self) -> bytes:
        """The stub as `POST /_mock/stubs` takes it, in JSON bytes."""
        return self._json(b"{")

    def listing(self) -> bytes:
        """The stub as `GET /_mock/stubs/{id}` shows it, in JSON bytes: its id, then its
        declaration."""
        return self._json(b'{"id":%d,' % self.id)

    def _json(self, head: bytes) -> bytes:
        # Its function, its envelope's members, its match: made from the envelope's bytes
        # (one copy of them), not by parsing them again.
        tail = b"}" if self.match.is_fallback else b',"match":%s}' % _json(self.match.as_json())
        function = b'"function":%s,' % _json(self.function)
        return b"".join((head, function, memoryview(self.body)[1:-1], tail))

    def as_json(self) -> dict[str, Any]:
        return json.loads(self.listing())


def make_stub(
    stub_id: int, function: str, responses: tuple[Problem, ...], data: Any, match: Match
) -> Stub:
    """A stub whose envelope is `responses` and `data` (NO_DATA for none)."""
    document: dict[str, Any] = {
        "responses": [{"code": p.code, "key": p.key, "message": p.message} for p in responses]
    }
    if data is not NO_DATA:
        document["data"] = data
    body, surrogates = utf8(_encode(document))
    warnings = (ESCAPED,) if surrogates else ()
    return Stub(stub_id, function, responses, body, match, warnings)


def _json(document: Any) -> bytes:
    return utf8(_encode(document))[0]
