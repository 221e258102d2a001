"""Errors that carry their own rendering: Enswitch outcomes and control-API failures.

Raise in one place, render in one place: code anywhere below the web layer raises these, and
the web layer turns them into an envelope (EnswitchError) or a JSON error (ControlError).
"""

from __future__ import annotations

from dataclasses import dataclass

from mockswitch.enswitch.codes import CODES, message


@dataclass(frozen=True, slots=True)
class Problem:
    """One entry of an Enswitch envelope's `responses` array."""

    code: str
    key: str
    message: str


class EnswitchError(Exception):
    """An API-level outcome other than success; its problems become the envelope."""

    def __init__(self, *problems: Problem) -> None:
        if not problems:
            raise ValueError("an EnswitchError needs at least one problem")
        super().__init__("; ".join(f"{p.code} {p.key}: {p.message}" for p in problems))
        self.problems = problems

    @property
    def code(self) -> str:
        return self.problems[0].code

    @property
    def key(self) -> str:
        return self.problems[0].key


# Every code an Enswitch envelope carries: the documented ones, and the two mockswitch adds
# for a request over its size limit (413) and for a failure of its own (500).
ENSWITCH_CODES = tuple(CODES)


def invalid(key: str, message: str) -> Problem:
    """A 400 problem about one parameter."""
    return Problem("400", key, message)


def not_authenticated() -> EnswitchError:
    return EnswitchError(Problem("401", "", message("401")))


def role_forbids() -> EnswitchError:
    return EnswitchError(Problem("402", "", message("402")))


def rateplan_forbids() -> EnswitchError:
    return EnswitchError(Problem("403", "", message("403")))


def not_found(message: str) -> EnswitchError:
    return EnswitchError(Problem("404", "", message))


def no_such_function() -> EnswitchError:
    return not_found("No such function.")


def request_too_large(limit: int) -> EnswitchError:
    return EnswitchError(
        Problem("413", "", f"The request is larger than the limit of {limit} bytes.")
    )


def undecodable_body(encoding: str) -> EnswitchError:
    """A body that its Content-Encoding cannot decode (`gzip`, and not gzip data)."""
    return EnswitchError(
        Problem(
            "400", "", f"The request body is not {encoding} data, as its Content-Encoding says."
        )
    )


def tenant_dropped() -> EnswitchError:
    return not_found("The tenant was dropped while this call was in flight.")


def internal_error() -> EnswitchError:
    return EnswitchError(Problem("500", "", message("500")))


class ControlError(Exception):
    """A failure of the control API (`/_mock/...`), answered as JSON with an HTTP status."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field

    def as_json(self) -> dict:
        error: dict = {"status": self.status, "message": self.message}
        if self.field is not None:
            error["field"] = self.field
        return {"error": error}


class ListenError(Exception):
    """The server's address cannot be bound; the message (one line) says which and why."""


class FixtureError(Exception):
    """A data set that cannot be loaded; the message names the file, record and field."""
