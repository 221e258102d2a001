"""A stub: a canned Enswitch answer for one function, and which calls it answers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mockswitch.errors import Problem

_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


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
    """One declared answer: the envelope's `responses`, its `data`, and its match."""

    id: int
    function: str
    responses: tuple[Problem, ...]
    data: Any = NO_DATA
    match: Match = Match()

    @property
    def first(self) -> Problem:
        """The envelope's first entry: its code and key are the call's, in the journal."""
        return self.responses[0]

    def body(self) -> bytes:
        """The envelope, in the switch's bytes: `responses`, then `data` if any."""
        document: dict[str, Any] = {"responses": self._entries()}
        if self.data is not NO_DATA:
            document["data"] = self.data
        return _encode(document).encode()

    def _entries(self) -> list[dict[str, str]]:
        return [{"code": p.code, "key": p.key, "message": p.message} for p in self.responses]

    def declaration(self) -> dict[str, Any]:
        """The stub as `POST /_mock/stubs` takes it (without its id)."""
        shown: dict[str, Any] = {"function": self.function}
        shown["responses"] = self._entries()
        if self.data is not NO_DATA:
            shown["data"] = self.data
        if not self.match.is_fallback:
            shown["match"] = self.match.as_json()
        return shown

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, **self.declaration()}
