"""A messages file: the real switch's wording, answered instead of mockswitch's own.

`mockswitch verify --learn FILE` writes one, `mockswitch serve --messages FILE` reads it:

    {"messages": [{"function": "bulk/campaigns/update", "code": "400", "key": "retry",
                   "instead_of": "must be an integer", "message": "Invalid retry."}]}

An entry replaces the message of each envelope entry with its `code`, and, when the entry
gives them, its `key`, its `function` and the message mockswitch would have said
(`instead_of`). The first entry that fits wins. Every Enswitch error mockswitch answers is
rendered through `Messages.rewrite`, so this is the one place where wording is overridden.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mockswitch.documents import read_document
from mockswitch.enswitch.jsontext import escaped
from mockswitch.errors import ENSWITCH_CODES, EnswitchError, Problem

FIELDS = ("function", "code", "key", "instead_of", "message")


class MessagesFileError(ValueError):
    """A messages file that cannot be read or used; the message says where and why."""


@dataclass(frozen=True, slots=True)
class Override:
    code: str
    message: str
    key: str | None = None
    function: str | None = None
    instead_of: str | None = None

    def fits(self, problem: Problem, function: str) -> bool:
        return (
            problem.code == self.code
            and self.key in (None, problem.key)
            and self.function in (None, function)
            and self.instead_of in (None, problem.message)
        )

    def as_json(self) -> dict[str, str]:
        return {f: getattr(self, f) for f in FIELDS if getattr(self, f) is not None}


class Messages:
    """The overrides in force (none by default: mockswitch's own wording)."""

    def __init__(self, overrides: tuple[Override, ...] = ()) -> None:
        self.overrides = overrides

    def rewrite(self, error: EnswitchError, function: str) -> EnswitchError:
        """The error with each entry's message replaced by the first override that fits."""
        if not self.overrides:
            return error
        problems = tuple(self._reworded(p, function) for p in error.problems)
        if problems == error.problems:
            return error
        return EnswitchError(*problems, status=error.status)

    def _reworded(self, problem: Problem, function: str) -> Problem:
        for override in self.overrides:
            if override.fits(problem, function):
                return Problem(problem.code, problem.key, override.message)
        return problem


def parse_override(entry: Any, where: str) -> Override:
    if not isinstance(entry, dict):
        raise MessagesFileError(f"{where}: must be an object with code and message")
    unknown = sorted(set(entry) - set(FIELDS))
    if unknown:
        raise MessagesFileError(f"{where}.{unknown[0]}: is not a field ({', '.join(FIELDS)})")
    for name in FIELDS:
        if name in entry and not isinstance(entry[name], str):
            raise MessagesFileError(f"{where}.{name}: must be a string")
    if entry.get("code") not in ENSWITCH_CODES:
        raise MessagesFileError(
            f"{where}.code: must be an Enswitch code: {', '.join(ENSWITCH_CODES)}"
        )
    if "message" not in entry:
        raise MessagesFileError(f"{where}.message: is required")
    return Override(**entry)


def load_messages(path: str) -> Messages:
    """The overrides in `path` (JSON or YAML); an empty path gives none."""
    if not path.strip():
        return Messages()
    document = read_document(path, MessagesFileError)
    if isinstance(document, dict) and set(document) == {"messages"}:
        document = document["messages"]
    if not isinstance(document, list):
        raise MessagesFileError(f'{path}: must be {{"messages": [...]}} or a list of messages')
    return Messages(
        tuple(parse_override(e, f"{path}: messages[{i}]") for i, e in enumerate(document))
    )


def write_messages(path: str, overrides: list[Override]) -> None:
    text = json.dumps({"messages": [o.as_json() for o in overrides]}, indent=2, ensure_ascii=False)
    # A switch's message may hold a lone surrogate: written as its escape, as JSON reads it.
    Path(path).write_text(escaped(text) + "\n", encoding="utf-8")
