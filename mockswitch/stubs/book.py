"""One tenant's stubs, in the order they were declared, and the choice for each call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .model import Stub
from .parse import parse_stub


class StubBook:
    """The stubs of one tenant. Among a function's stubs the first whose match selects the
    call answers it; a stub without a match answers only when no matching stub does."""

    def __init__(self, documents: Sequence[Any] = ()) -> None:
        self._stubs: list[Stub] = []
        self._next_id = 1
        for document in documents:
            self.add(document)

    def add(self, document: Any) -> Stub:
        """Parse and append a stub; a bad document raises StubError and adds nothing."""
        stub = parse_stub(document, self._next_id)
        self._next_id += 1
        self._stubs.append(stub)
        return stub

    def __len__(self) -> int:
        return len(self._stubs)

    def all(self) -> list[Stub]:
        return list(self._stubs)

    def get(self, stub_id: int) -> Stub | None:
        return next((s for s in self._stubs if s.id == stub_id), None)

    def remove(self, stub_id: int) -> bool:
        before = len(self._stubs)
        self._stubs = [s for s in self._stubs if s.id != stub_id]
        return len(self._stubs) < before

    def clear(self) -> None:
        self._stubs = []

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
