"""One tenant's stubs, in the order they were declared; the choice for each call, and the
near miss when no stub of the function selects it."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from .budget import StubBudget
from .model import Stub
from .parse import parse_stub

SHOWN_VALUE_CHARS = 40  # of a value quoted in a near miss


class StubBook:
    """The stubs of one tenant. Among a function's stubs the first whose match selects the
    call answers it; a stub without a match answers only when no matching stub does.

    Its bytes count against `budget`, which every tenant's book shares; it starts with the
    stubs given at start (`start`, numbered from 1), shared with every other book."""

    def __init__(self, budget: StubBudget, start: Sequence[Stub] = ()) -> None:
        self.budget = budget
        self._stubs: list[Stub] = list(start)
        self._start_ids = frozenset(stub.id for stub in start)
        self._next_id = max(self._start_ids, default=0) + 1
        self.bytes = sum(stub.size for stub in start)  # every stub it holds
        self.own_bytes = 0  # the stubs added to it, not shared with other books
        budget.join(self)

    def parse(self, document: Any) -> Stub:
        """A stub from its declaration, not added yet; StubError if it cannot be used."""
        return parse_stub(document, max_depth=self.budget.max_depth)

    def add(self, document: Any) -> Stub:
        """Parse and append a stub: StubError (a bad declaration) or StubsFull (the bytes
        bounds) add nothing."""
        return self.add_stubs([self.parse(document)])[0]

    def add_stubs(self, stubs: Sequence[Stub]) -> list[Stub]:
        """Append parsed stubs, numbered in order, all or none (StubsFull if they do not fit)."""
        size = sum(stub.size for stub in stubs)
        self.budget.check(self, size)
        numbered = [replace(stub, id=self._next_id + i) for i, stub in enumerate(stubs)]
        self._next_id += len(numbered)
        self._stubs.extend(numbered)
        self.bytes += size
        self.own_bytes += size
        return numbered

    def __len__(self) -> int:
        return len(self._stubs)

    def all(self) -> list[Stub]:
        return list(self._stubs)

    def listings(self) -> Iterator[bytes]:
        """Each stub as the control API shows it, in JSON bytes, in order."""
        for stub in list(self._stubs):
            yield stub.listing()

    def get(self, stub_id: int) -> Stub | None:
        return next((s for s in self._stubs if s.id == stub_id), None)

    def remove(self, stub_id: int) -> bool:
        index = next((i for i, s in enumerate(self._stubs) if s.id == stub_id), None)
        if index is None:
            return False
        stub = self._stubs.pop(index)
        self.bytes -= stub.size
        if stub_id not in self._start_ids:
            self.own_bytes -= stub.size
        return True

    def clear(self) -> None:
        self._stubs = []
        self.bytes = self.own_bytes = 0

    def functions(self) -> list[str]:
        """The stubbed functions, each once, in the order first declared."""
        return list(dict.fromkeys(s.function for s in self._stubs))

    def stubs(self, function: str) -> bool:
        """Whether any stub answers `function`."""
        return any(s.function == function for s in self._stubs)

    def choose(self, function: str, params: Mapping[str, str], username: str) -> Stub | None:
        """The stub that answers this call, or None when none of the function's does."""
        fallback = None
        for stub in self._stubs:
            if stub.function != function:
                continue
            if stub.match.is_fallback:
                fallback = fallback or stub
            elif stub.match.selects(params, username):
                return stub
        return fallback

    def near_miss(self, function: str, params: Mapping[str, str], username: str) -> str | None:
        """When no stub of `function` selects the call, a sentence naming the stub that came
        closest (the fewest fields differing, then the most fields alike, then the first
        declared) and each field that differed, with both values; None if the function has
        no stub."""
        best: tuple[tuple[int, int], Stub, list[str]] | None = None
        for stub in self._stubs:
            if stub.function != function:
                continue
            differing = _differences(stub, params, username)
            alike = len(stub.match.params) + (stub.match.username is not None) - len(differing)
            distance = (len(differing), -alike)
            if best is None or distance < best[0]:
                best = (distance, stub, differing)
        if best is None:
            return None
        _, stub, differing = best
        return f"no stub of {function} matched: the closest, stub {stub.id}, wants " + "; ".join(
            differing
        )


def _differences(stub: Stub, params: Mapping[str, str], username: str) -> list[str]:
    """What the call would need to change for `stub` to select it, one phrase per field."""
    differing = []
    match = stub.match
    if match.username is not None and match.username != username:
        differing.append(f"username {_quoted(match.username)} (the call: {_quoted(username)})")
    for name, wanted in match.params:
        sent = params.get(name)
        if sent != wanted:
            shown = "absent" if sent is None else _quoted(sent)
            differing.append(f"params.{name} {_quoted(wanted)} (the call: {shown})")
    return differing


def _quoted(value: str) -> str:
    if len(value) > SHOWN_VALUE_CHARS:
        value = f"{value[:SHOWN_VALUE_CHARS]}...({len(value)} chars)"
    return json.dumps(value)
