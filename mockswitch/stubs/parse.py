"""Strict reading of a stub declaration: every mistake names its field.

{"function": "people/list", "data": [{"id": 100}]}                      200 with data
{"function": "people/get", "code": "404", "message": "No such person."}  one entry
{"function": "x/y", "responses": [{"code", "key", "message"}, ...]}      a whole envelope
... "match": {"params": {"id": "100"}, "username": "user"}                which calls
"""

from __future__ import annotations

import math
import re
from typing import Any

from mockswitch.enswitch.jsontext import NotJson, check_json, depth_of, not_finite
from mockswitch.enswitch.masking import is_secret
from mockswitch.errors import ENSWITCH_CODES, Problem

from .model import NO_DATA, Match, Stub, make_stub

FUNCTION_NAME = re.compile(r"\w+/\w+(/\w+)?", re.ASCII)
FUNCTION_RULE = "word/word or word/word/word (letters, digits, '_')"
FIELDS = frozenset({"function", "data", "code", "key", "message", "responses", "match"})
MATCH_FIELDS = frozenset({"params", "username"})
ENTRY_FIELDS = frozenset({"code", "key", "message"})
SUCCESS_MESSAGE = "OK"


class StubError(ValueError):
    """A declaration that cannot be used; `field` names the bad part (`match.params.id`)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def parse_stub(document: Any, stub_id: int = 0, *, max_depth: int) -> Stub:
    """A Stub from its declaration, or StubError naming the first bad field; `data` nested
    more than `max_depth` deep (the `max_stub_depth` setting) is one."""
    if not isinstance(document, dict):
        raise StubError("body", "a stub is a JSON object")
    unknown = _unknown(document, FIELDS)
    if unknown is not None:
        raise StubError(unknown, f"is not a stub field (known: {', '.join(sorted(FIELDS))})")
    function = document.get("function")
    if not isinstance(function, str) or not FUNCTION_NAME.fullmatch(function):
        raise StubError("function", f"must be a function name: {FUNCTION_RULE}")
    has_data = "data" in document
    responses = _responses(document, has_data)
    if has_data:
        if responses[0].code != "200":
            raise StubError("data", "only a code 200 envelope carries data")
        if depth_of(document["data"], max_depth) > max_depth:
            raise StubError("data", f"is nested more than {max_depth} deep (max_stub_depth)")
    data = document["data"] if has_data else NO_DATA
    match = _match(document.get("match"))
    try:
        return make_stub(stub_id, function, responses, data, match)
    except (ValueError, TypeError):  # NaN, Infinity, or what JSON has no word for (a date)
        try:  # the slow walk, once, to name the value at fault
            check_json(data, "data", max_depth, "max_stub_depth")
        except NotJson as error:
            raise StubError(error.where, error.message) from None
        raise StubError("data", "is not what JSON can carry") from None


def _responses(document: dict[str, Any], has_data: bool) -> tuple[Problem, ...]:
    single = [name for name in ("code", "key", "message") if name in document]
    if "responses" in document:
        if single:
            raise StubError(single[0], "give code, key and message, or responses, not both")
        entries = document["responses"]
        if not isinstance(entries, list) or not entries:
            raise StubError("responses", "must be a non-empty array of {code, key, message}")
        return tuple(_entry(entry, f"responses[{i}]") for i, entry in enumerate(entries))
    if single:
        entry = {n: document[n] for n in single}
        if has_data:
            entry.setdefault("code", "200")  # data alone says 200; so does data with a message
        return (_entry(entry, ""),)
    if has_data:
        return (Problem("200", "", SUCCESS_MESSAGE),)
    raise StubError("data", "a stub needs data, code (with message) or responses")


def _entry(entry: Any, where: str) -> Problem:
    def named(field: str) -> str:
        return f"{where}.{field}" if where else field

    if not isinstance(entry, dict):
        raise StubError(where, "must be an object {code, key, message}")
    unknown = _unknown(entry, ENTRY_FIELDS)
    if unknown is not None:
        raise StubError(named(unknown), "is not a field of a response (code, key, message)")
    code = entry.get("code")
    if isinstance(code, int) and not isinstance(code, bool):
        code = str(code)  # "code": 404 is meant as "404"
    if code not in ENSWITCH_CODES:
        raise StubError(named("code"), f"must be an Enswitch code: {', '.join(ENSWITCH_CODES)}")
    key = entry.get("key", "")
    if not isinstance(key, str):
        raise StubError(named("key"), "must be a string (a parameter name, or empty)")
    if "message" in entry:
        message = entry["message"]
        if not isinstance(message, str):
            raise StubError(named("message"), "must be a string")
    elif code.startswith("2"):
        message = SUCCESS_MESSAGE
    else:
        raise StubError(named("message"), f"an error (code {code}) needs a message")
    return Problem(code, key, message)


def _match(match: Any) -> Match:
    if match is None:
        return Match()
    if not isinstance(match, dict):
        raise StubError("match", "must be an object {params, username}")
    unknown = _unknown(match, MATCH_FIELDS)
    if unknown is not None:
        raise StubError(f"match.{unknown}", "is not a match field (params, username)")
    username = match.get("username")
    if username is not None and not isinstance(username, str):
        raise StubError("match.username", "must be a string")
    params = match.get("params", {})
    if not isinstance(params, dict):
        raise StubError("match.params", "must be an object of parameter names and values")
    pairs = []
    for name, value in params.items():
        if not isinstance(name, str):
            raise StubError(f"match.params.{name}", "a parameter's name is text")
        if is_secret(name):
            raise StubError(f"match.params.{name}", "a stub never matches on a secret")
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise StubError(f"match.params.{name}", "must be a string or a number")
        if isinstance(value, float) and not math.isfinite(value):
            raise StubError(f"match.params.{name}", not_finite(value))
        pairs.append((name, str(value)))
    return Match(tuple(pairs), username)


def _unknown(document: dict[Any, Any], known: frozenset[str]) -> str | None:
    """The first field of `document` (by name) that is not `known`, if any; a YAML file can
    give keys that are not text."""
    return min((str(name) for name in document if name not in known), default=None)
