"""The Enswitch envelope codes: what each means and the message the switch sends with it.

One table for the errors raised (`mockswitch.errors`), the `envelope` fault action's default
message, and the OpenAPI document's descriptions.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    message: str  # the envelope's `message` when nothing more particular is said
    meaning: str  # what the code means, for people (the OpenAPI document)


CODES: dict[str, Code] = {
    code.code: code
    for code in (
        Code("200", "OK", "Success, with `data`."),
        Code("201", "OK", "Validated (`validation=1`): the input is good and nothing was changed."),
        Code("204", "OK", "Success, no data."),
        Code(
            "400",
            "Invalid input parameters specified.",
            "Invalid parameters: one entry per bad parameter, `key` names it.",
        ),
        Code(
            "401",
            "The authentication details provided are invalid.",
            "The authentication details are invalid (or missing).",
        ),
        Code(
            "402",
            "Your role does not allow this.",
            "The caller's role does not allow this function.",
        ),
        Code(
            "403",
            "Your rate plan does not allow this.",
            "The caller's rate plan does not allow this function.",
        ),
        Code(
            "404",
            "The object does not exist, or you do not have permission to access it.",
            "No such object (or not yours to reach), no such function, or the tenant was dropped "
            "while the call was in flight.",
        ),
        Code("413", "The request is too large.", "The request is larger than `max_request_bytes`."),
        Code(
            "415",
            "The request body's content coding is not supported.",
            "The body's `Content-Encoding` is one mockswitch does not decode (it decodes gzip, "
            "deflate and identity).",
        ),
        Code(
            "421",
            "This server does not answer to that host name.",
            "The request's `Host` is not one the server answers to (`allowed_hosts`); the HTTP "
            "status is 421 whatever `http_status` says.",
        ),
        Code("500", "Internal error", "Internal error."),
    )
}


def message(code: str) -> str:
    """The usual message of `code`; "Error" for a code the switch has no words for."""
    known = CODES.get(code)
    return known.message if known is not None else "Error"
