"""The Enswitch response envelope, byte for byte.

`{"responses":[{"code":"204","key":"","message":"OK"}]}`: a `responses` array of entries
whose code is a three-digit string, and, only for code 200, a `data` member after it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from mockswitch.errors import EnswitchError, Problem

CONTENT_TYPE = "application/json; charset=utf-8"

_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


@dataclass(frozen=True, slots=True)
class Success:
    """A successful outcome: 200 with data, 201 after validation, 204 without data."""

    code: str = "204"
    data: Any = None


VALIDATED = Success("201")
DONE = Success("204")


def success_body(outcome: Success) -> bytes:
    """The envelope of a success; `data` appears only when the outcome carries it."""
    document: dict[str, Any] = {"responses": [_entry(Problem(outcome.code, "", "OK"))]}
    if outcome.data is not None:
        document["data"] = outcome.data
    return _encode(document).encode()


def error_body(error: EnswitchError) -> bytes:
    """The envelope of an error: one entry per problem, in the order they were found."""
    return _encode({"responses": [_entry(p) for p in error.problems]}).encode()


def _entry(problem: Problem) -> dict[str, str]:
    return {"code": problem.code, "key": problem.key, "message": problem.message}
