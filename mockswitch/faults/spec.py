"""Strict reading of rule documents: every field known, typed and in range, or an error
that names it by its path (`action.code`, `latency.uniform_ms`)."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Mapping
from typing import Any


class RuleError(ValueError):
    """A fault rule that cannot be used; `field` is the dotted path of the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def fields_of(
    document: Any, where: str, known: Mapping[str, Callable[[Any, str], Any]]
) -> dict[str, Any]:
    """Check that `document` is an object with only `known` fields; parse the ones present."""
    if not isinstance(document, dict):
        raise RuleError(where or "rule", "must be an object")
    for name in document:
        if name not in known:
            path = f"{where}.{name}" if where else name
            raise RuleError(path, f"unknown field (known: {', '.join(sorted(known))})")
    return {
        name: parse(document[name], f"{where}.{name}" if where else name)
        for name, parse in known.items()
        if name in document
    }


def number(minimum: float | None = None, maximum: float | None = None):
    def parse(value: Any, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise RuleError(where, "must be a number")
        # JSON and YAML readers accept NaN, Infinity and integers beyond any float; none of
        # them is a delay or a probability.
        beyond_floats = isinstance(value, int) and abs(value) > sys.float_info.max
        if beyond_floats or not math.isfinite(value):
            raise RuleError(where, "must be a finite number")
        if minimum is not None and value < minimum:
            raise RuleError(where, f"must be at least {minimum:g}")
        if maximum is not None and value > maximum:
            raise RuleError(where, f"must be at most {maximum:g}")
        return float(value)

    return parse


# The longest delay, hang or dribble a rule may ask for: an hour. Longer would only ever mean
# a typo, and a call held that long holds its connection until the server stops.
MAX_MS = 3_600_000.0


def milliseconds(value: Any, where: str) -> float:
    """A duration in milliseconds, from 0 to `MAX_MS`."""
    return number(minimum=0, maximum=MAX_MS)(value, where)


def integer(minimum: int | None = None, maximum: int | None = None):
    def parse(value: Any, where: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise RuleError(where, "must be an integer")
        if minimum is not None and value < minimum:
            raise RuleError(where, f"must be at least {minimum}")
        if maximum is not None and value > maximum:
            raise RuleError(where, f"must be at most {maximum}")
        return value

    return parse


def text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise RuleError(where, "must be a string")
    return _encodable(value, where)


def scalar_text(value: Any, where: str) -> str:
    """A string, or a number written as one (parameters travel as text)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RuleError(where, "must be a string or a number")
    return _encodable(str(value), where)


def _encodable(value: str, where: str) -> str:
    # JSON may carry a lone surrogate ("\ud800"); no answer could be encoded with one.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise RuleError(where, "must be valid Unicode text (a lone surrogate is not)") from None
    return value


def boolean(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise RuleError(where, "must be true or false")
    return value


def one_of(*allowed: str):
    def parse(value: Any, where: str) -> str:
        if value not in allowed:
            raise RuleError(where, f"must be one of: {', '.join(allowed)}")
        return value

    return parse
