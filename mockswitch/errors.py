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
    """An API-level outcome other than success; its problems become the envelope.

    `reasons` are sentences for the person reading the journal and the log (why a login
    failed, say), never sent: the envelope stays the switch's, byte for byte. `status` fixes
    the HTTP status whatever `http_status` says, for an answer that is not the switch's
    outcome but the server's refusal to be this switch (a host it does not answer to: 421);
    None for every outcome of the API, HTTP 200 or mirrored."""

    def __init__(
        self, *problems: Problem, reasons: tuple[str, ...] = (), status: int | None = None
    ) -> None:
        if not problems:
            raise ValueError("an EnswitchError needs at least one problem")
        super().__init__("; ".join(f"{p.code} {p.key}: {p.message}" for p in problems))
        self.problems = problems
        self.reasons = reasons
        self.status = status

    @property
    def code(self) -> str:
        return self.problems[0].code

    @property
    def key(self) -> str:
        return self.problems[0].key


# Every code an Enswitch envelope carries: the documented ones, and those mockswitch adds for
# a request over its size limit (413), a body in a coding it does not decode (415), a host
# it does not answer to (421) and a failure of its own (500).
ENSWITCH_CODES = tuple(CODES)


def invalid(key: str, message: str) -> Problem:
    """A 400 problem about one parameter."""
    return Problem("400", key, message)


def not_authenticated(reason: str = "") -> EnswitchError:
    return EnswitchError(Problem("401", "", message("401")), reasons=(reason,) if reason else ())


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


def body_not_decoded(status: int, message: str) -> EnswitchError:
    """A body whose `Content-Encoding` mockswitch does not decode (415), or whose gzip or
    deflate data does not decode (400); `message` in the control API's lower case, which an
    envelope's message begins with a capital and ends with a full stop."""
    return EnswitchError(Problem(str(status), "", f"{message[:1].upper()}{message[1:]}."))


def misdirected(message: str) -> EnswitchError:
    """A request whose Host the server does not answer to: code 421, HTTP 421 in every mode
    (a client must not read it as the switch's answer); `message` as the control API's."""
    return EnswitchError(Problem("421", "", f"{message[:1].upper()}{message[1:]}."), status=421)


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
