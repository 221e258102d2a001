"""Strict reading of rule documents: every field known, typed and in range, or an error
that names it by its path (`action.code`, `latency.uniform_ms`).

Each field is a small `Field` that both parses a value and describes what it accepts as a
JSON schema, as `enswitch/params.py`'s kinds do: the control API's OpenAPI document is built
from the same objects that parse, so the two cannot drift apart.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mockswitch.nearest import nearest

Schema = dict[str, Any]


class RuleError(ValueError):
    """A fault rule that cannot be used; `field` is the dotted path of the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def ref(name: str) -> Schema:
    """A reference to one of the OpenAPI document's schemas (`components.schemas`)."""
    return {"$ref": f"#/components/schemas/{name}"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Field:
    """One field of a rule document: `parse(value, where)`, and `schema()` of what it takes."""

    description: str = ""

    def __call__(self, value: Any, where: str) -> Any:
        return self.parse(value, where)

    def parse(self, value: Any, where: str) -> Any:
        raise NotImplementedError

    def base_schema(self) -> Schema:
        raise NotImplementedError

    def schema(self) -> Schema:
        schema = self.base_schema()
        if self.description:
            schema["description"] = self.description
        return schema


def fields_of(
    document: Any, where: str, known: Mapping[str, Callable[[Any, str], Any]]
) -> dict[str, Any]:
    """Check that `document` is an object with only `known` fields; parse the ones present."""
    if not isinstance(document, dict):
        raise RuleError(where or "rule", "must be an object")
    for name in document:
        if name not in known:
            path = f"{where}.{name}" if where else name
            near = nearest(name, known) if isinstance(name, str) else None
            guess = f"; did you mean `{near}`?" if near else ""
            raise RuleError(path, f"unknown field (known: {', '.join(sorted(known))}){guess}")
    return {
        name: parse(document[name], f"{where}.{name}" if where else name)
        for name, parse in known.items()
        if name in document
    }


def object_schema(
    fields: Mapping[str, Field], required: tuple[str, ...] = (), **more: Any
) -> Schema:
    """The closed JSON object whose fields are `fields` (what `fields_of` accepts)."""
    schema: Schema = {
        "type": "object",
        "properties": {name: field.schema() for name, field in fields.items()},
        **more,
    }
    if required:
        schema["required"] = list(required)
    schema["additionalProperties"] = False
    return schema


def _bounds(schema: Schema, minimum: float | None, maximum: float | None) -> Schema:
    if minimum is not None:
        schema["minimum"] = minimum
    if maximum is not None:
        schema["maximum"] = maximum
    return schema


@dataclass(frozen=True, slots=True)
class Number(Field):
    minimum: float | None = None
    maximum: float | None = None

    def parse(self, value: Any, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise RuleError(where, "must be a number")
        # JSON and YAML readers accept NaN, Infinity and integers beyond any float; none of
        # them is a delay or a probability.
        beyond_floats = isinstance(value, int) and abs(value) > sys.float_info.max
        if beyond_floats or not math.isfinite(value):
            raise RuleError(where, "must be a finite number")
        if self.minimum is not None and value < self.minimum:
            raise RuleError(where, f"must be at least {self.minimum:g}")
        if self.maximum is not None and value > self.maximum:
            raise RuleError(where, f"must be at most {self.maximum:g}")
        return float(value)

    def base_schema(self) -> Schema:
        return _bounds({"type": "number"}, self.minimum, self.maximum)


# The longest delay, hang or dribble a rule may ask for: an hour. Longer would only ever mean
# a typo, and a call held that long holds its connection until the server stops.
MAX_MS = 3_600_000.0


def milliseconds(description: str = "") -> Number:
    """A duration in milliseconds, from 0 to `MAX_MS`."""
    return Number(0, MAX_MS, description=description)


# The largest integer a rule may hold: SQLite's and most JSON readers' signed 64 bits. Larger
# ones (JSON has no bound: 10**400 parses) could not be shown back as they were given.
LARGEST_INTEGER = 2**63 - 1


@dataclass(frozen=True, slots=True)
class Integer(Field):
    minimum: int | None = None
    maximum: int | None = LARGEST_INTEGER

    def parse(self, value: Any, where: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise RuleError(where, "must be an integer")
        if self.minimum is not None and value < self.minimum:
            raise RuleError(where, f"must be at least {self.minimum}")
        if self.maximum is not None and value > self.maximum:
            raise RuleError(where, f"must be at most {self.maximum}")
        return value

    def base_schema(self) -> Schema:
        return _bounds({"type": "integer"}, self.minimum, self.maximum)


@dataclass(frozen=True, slots=True)
class Text(Field):
    """A string; with a `pattern`, one the whole of which matches it (else the error `rule`).
    The same regular expression checks and documents the value."""

    pattern: str | None = None
    rule: str = ""

    def parse(self, value: Any, where: str) -> str:
        if not isinstance(value, str):
            raise RuleError(where, "must be a string")
        value = _encodable(value, where)
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            raise RuleError(where, self.rule)
        return value

    def base_schema(self) -> Schema:
        schema: Schema = {"type": "string"}
        if self.pattern is not None:
            schema["pattern"] = f"^(?:{self.pattern})$"
        return schema


@dataclass(frozen=True, slots=True)
class ScalarText(Field):
    """A string, or a number written as one (parameters travel as text)."""

    def parse(self, value: Any, where: str) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise RuleError(where, "must be a string or a number")
        return _encodable(str(value), where)

    def base_schema(self) -> Schema:
        return {"type": ["string", "number"]}


def _encodable(value: str, where: str) -> str:
    # JSON may carry a lone surrogate ("\ud800"); no answer could be encoded with one.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise RuleError(where, "must be valid Unicode text (a lone surrogate is not)") from None
    return value


@dataclass(frozen=True, slots=True)
class Boolean(Field):
    def parse(self, value: Any, where: str) -> bool:
        if not isinstance(value, bool):
            raise RuleError(where, "must be true or false")
        return value

    def base_schema(self) -> Schema:
        return {"type": "boolean"}


@dataclass(frozen=True, slots=True)
class OneOf(Field):
    allowed: tuple[str, ...]

    def parse(self, value: Any, where: str) -> str:
        if value not in self.allowed:
            raise RuleError(where, f"must be one of: {', '.join(self.allowed)}")
        return value

    def base_schema(self) -> Schema:
        return {"type": "string", "enum": list(self.allowed)}


@dataclass(frozen=True, slots=True)
class Component(Field):
    """A field whose value is a whole part of the rule, described once as a named schema."""

    name: str
    parser: Callable[[Any, str], Any]

    def parse(self, value: Any, where: str) -> Any:
        return self.parser(value, where)

    def base_schema(self) -> Schema:
        return ref(self.name)


# The shared instances: a field with no bounds needs no copy of its own.
text = Text()
scalar_text = ScalarText()
