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

    def names(self, function: str) -> bool:
        """Whether this match is about `function` by name (exactly or by a glob)."""
        return self.function is not None and fnmatchcase(function, self.function)

    def miss(self, call: CallFacts) -> str | None:
        """Which field keeps `call` out, in words (`match.params.id wants '123', the call
        sent '124'`); None when every field but `function` holds."""
        if self.method is not None and call.method != self.method:
            return f"match.method wants {self.method}, the call was {call.method}"
        if self.username is not None and call.username != self.username:
            return f"match.username wants {self.username!r}, the call sent {call.username!r}"
        for name, wanted in self.params.items():
            sent = call.params.get(name)
            if sent is None:
                return f"match.params.{name} wants {wanted!r}, the call sent no {name}"
            if sent != wanted:
                return f"match.params.{name} wants {wanted!r}, the call sent {sent!r}"
        return None

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
