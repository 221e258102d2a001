"""Which calls a rule is about: function (exact or glob), method, parameters, username."""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from .spec import Field, RuleError, Schema, Text, fields_of, object_schema, scalar_text, text


@dataclass(slots=True)  # per call: not frozen (docs/architecture.md, "Per-call records")
class CallFacts:
    """What a rule can see of a call."""

    function: str
    method: str
    params: dict[str, str]

    @property
    def username(self) -> str:
        return self.params.get("auth_username", "")


@dataclass(frozen=True, slots=True)
class Match:
    """Empty fields match everything; every field given must hold."""

    function: str | None = None  # exact, or a glob such as bulk/* (fnmatch, case-sensitive)
    method: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    username: str | None = None

    def matches(self, call: CallFacts) -> bool:
        return (
            (self.function is None or fnmatchcase(call.function, self.function))
            and (self.method is None or call.method == self.method)
            and (self.username is None or call.username == self.username)
            and all(call.params.get(k) == v for k, v in self.params.items())
        )

    def as_json(self) -> dict[str, Any]:
        shown: dict[str, Any] = {
            name: value
            for name, value in (
                ("function", self.function),
                ("method", self.method),
                ("username", self.username),
            )
            if value is not None
        }
        if self.params:
            shown["params"] = dict(self.params)
        return shown


@dataclass(frozen=True, slots=True)
class Params(Field):
    def parse(self, value: Any, where: str) -> dict[str, str]:
        if not isinstance(value, dict):
            raise RuleError(where, "must be an object of parameter names and values")
        return {str(name): scalar_text(v, f"{where}.{name}") for name, v in value.items()}

    def base_schema(self) -> Schema:
        return {"type": "object", "additionalProperties": scalar_text.base_schema()}


@dataclass(frozen=True, slots=True)
class Method(Field):
    def parse(self, value: Any, where: str) -> str:
        method = text(value, where).upper()
        if method not in ("GET", "POST"):
            raise RuleError(where, "must be GET or POST")
        return method

    def base_schema(self) -> Schema:
        return {"type": "string"}


MATCH_FIELDS: dict[str, Field] = {
    "function": Text(
        # Not empty, no slash or space at either end (as a function's path never has).
        pattern=r"[^/ ](?:[\s\S]*[^/ ])?",
        rule="must be a function name or glob, without slashes at the ends",
        description="A function name, or a glob such as bulk/* (case-sensitive).",
    ),
    "method": Method(description="GET or POST (any case)."),
    "params": Params(description="Parameters the call must have sent, with these values."),
    "username": Text(),
}


def parse_match(document: Any, where: str = "match") -> Match:
    return Match(**fields_of(document, where, MATCH_FIELDS))


def match_schema() -> Schema:
    """What `match` accepts, as the OpenAPI document's `Match`."""
    return object_schema(MATCH_FIELDS)
