"""The Enswitch response envelope, byte for byte.

`{"responses":[{"code":"204","key":"","message":"OK"}]}`: a `responses` array of entries
whose code is a three-digit string, and, only for code 200, a `data` member after it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from mockswitch.errors import EnswitchError, Problem

from .codes import message
from .jsontext import ESCAPED, escaped, utf8

CONTENT_TYPE = "application/json; charset=utf-8"
# The headers of a body the switch did not write (an `http` fault's, an upstream page): a
# browser that opens it neither guesses another type nor runs its script as the mock's origin.
SANDBOXED = (("Content-Security-Policy", "sandbox"), ("X-Content-Type-Options", "nosniff"))

_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


@dataclass(frozen=True, slots=True)
class Success:
    """A successful outcome: 200 with data, 201 after validation, 204 without data."""

    code: str = "204"
    data: Any = None


VALIDATED = Success("201")
DONE = Success("204")


@dataclass(slots=True)  # per call: not frozen (docs/architecture.md, "Per-call records")
class Reply:
    """An answer ready to send: HTTP status, body bytes, and the envelope's code and key.

    Status 0 stands for no answer at all (a fault that drops the connection).
    """

    status: int
    body: bytes
    code: str
    key: str = ""
    content_type: str = CONTENT_TYPE
    headers: tuple[tuple[str, str], ...] = ()  # more headers, for bodies the switch did not write
    warnings: tuple[str, ...] = ()  # for the journal: what had to be changed to send it


NO_REPLY = Reply(0, b"", "", "")


def http_status(code: str, mode: str) -> int:
    """The HTTP status for an envelope code: always 200 like the real switch, or mirrored.

    A mirrored 204 stays 200, because an HTTP 204 may not carry the body clients parse.
    """
    if mode != "mirror" or code == "204":
        return 200
    return int(code)


def success_reply(outcome: Success, mode: str) -> Reply:
    if outcome.data is None:  # 204 and 201: the same bytes every time
        return Reply(http_status(outcome.code, mode), _plain_success(outcome.code), outcome.code)
    document = {
        "responses": [_entry(Problem(outcome.code, "", message(outcome.code)))],
        "data": outcome.data,
    }
    body, surrogates = utf8(_encode(document))
    warnings = (ESCAPED,) if surrogates else ()
    return Reply(http_status(outcome.code, mode), body, outcome.code, warnings=warnings)


def error_reply(error: EnswitchError, mode: str) -> Reply:
    status = error.status or http_status(error.code, mode)  # a refusal's status is fixed
    # A message may come from a file or a fault rule: it can hold what UTF-8 cannot carry.
    body, surrogates = utf8(_encode({"responses": [_entry(p) for p in error.problems]}))
    if not surrogates:
        return Reply(status, body, error.code, error.key)
    key = escaped(error.key)  # the journal's copy must be writable too
    return Reply(status, body, error.code, key, warnings=(ESCAPED,))


@cache
def _plain_success(code: str) -> bytes:
    return _encode({"responses": [_entry(Problem(code, "", message(code)))]}).encode()


def success_body(outcome: Success) -> bytes:
    """The envelope of a success; `data` appears only when the outcome carries it."""
    return success_reply(outcome, "enswitch").body


def error_body(error: EnswitchError) -> bytes:
    """The envelope of an error: one entry per problem, in the order they were found."""
    return error_reply(error, "enswitch").body


def _entry(problem: Problem) -> dict[str, str]:
    return {"code": problem.code, "key": problem.key, "message": problem.message}
