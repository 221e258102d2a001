"""Parameter tables and the one validator that reads them.

Every Enswitch function declares its parameters once, as a tuple of `Param`; `validate`
checks a request against that table and reports every bad parameter at once, one 400 entry
each, in the table's order. Checks that need stored data (does time group 5 exist for this
customer?) belong to the function, not here: this module knows only the wire format.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from mockswitch.errors import EnswitchError, Problem, invalid

from .request import Pairs
from .versions import OLDEST

AUTH_USERNAME = "auth_username"
AUTH_PASSWORD = "auth_password"
AUTH_PARAMETERS = (AUTH_USERNAME, AUTH_PASSWORD)

_INTEGER = re.compile(r"-?[0-9]+", re.ASCII)
# SQLite stores integers as signed 64-bit; anything wider could not be kept as sent.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


class Invalid(ValueError):
    """Raised by a kind when a value does not fit it; the message is shown to the client."""


_INT64_DIGITS = len(str(INT64_MAX))


def _int64(text: str) -> int:
    """`text` as a signed 64-bit integer: an optional minus sign and digits."""
    if not _INTEGER.fullmatch(text):
        raise Invalid("must be an integer")
    # int() refuses more than 4300 digits (leading zeros count): shorten, or refuse.
    digits = text.lstrip("-").lstrip("0") or "0"
    if len(digits) > _INT64_DIGITS:
        raise Invalid("is out of range")
    value = -int(digits) if text.startswith("-") else int(digits)
    if not INT64_MIN <= value <= INT64_MAX:
        raise Invalid("is out of range")
    return value


class Kind(Protocol):
    """How one parameter's text becomes a value."""

    def convert(self, text: str) -> Any: ...

    def describe(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Integer:
    """An optional minus sign and digits, within bounds."""

    minimum: int = INT64_MIN
    maximum: int = INT64_MAX

    def convert(self, text: str) -> int:
        # The usual value, plain digits shorter than INT64_MAX, needs no further reading.
        if text.isascii() and text.isdigit() and len(text) < _INT64_DIGITS:
            value = int(text)
        else:
            value = _int64(text)
        if value < self.minimum:
            raise Invalid(
                "must not be negative" if self.minimum == 0 else f"must be at least {self.minimum}"
            )
        if value > self.maximum:
            raise Invalid(f"must be at most {self.maximum}")
        return value

    def describe(self) -> str:
        if self.minimum == INT64_MIN:
            return "integer"
        return f"integer, at least {self.minimum}"


@dataclass(frozen=True, slots=True)
class Flag:
    """An integer that is 0 or 1."""

    def convert(self, text: str) -> int:
        if text not in ("0", "1"):
            Integer().convert(text)  # says "must be an integer" when it is not one
            raise Invalid("must be 0 or 1")
        return int(text)

    def describe(self) -> str:
        return "0 or 1"


@dataclass(frozen=True, slots=True)
class Text:
    """Free text, optionally required to be non-empty or to match a pattern."""

    max_length: int = 255
    non_empty: bool = False
    pattern: re.Pattern[str] | None = None
    pattern_message: str = ""

    def convert(self, text: str) -> str:
        if self.non_empty and not text:
            raise Invalid("must not be empty")
        if len(text) > self.max_length:
            raise Invalid(f"must be at most {self.max_length} characters")
        if self.pattern is not None and not self.pattern.fullmatch(text):
            raise Invalid(self.pattern_message)
        return text

    def describe(self) -> str:
        return "non-empty text" if self.non_empty else "text"


@dataclass(frozen=True, slots=True)
class Choice:
    """One of a fixed set of strings (the empty string may be one of them)."""

    choices: tuple[str, ...]

    def convert(self, text: str) -> str:
        if text not in self.choices:
            raise Invalid(self.describe_error())
        return text

    def describe_error(self) -> str:
        shown = [c for c in self.choices if c]
        prefix = "must be empty or one of: " if "" in self.choices else "must be one of: "
        return prefix + ", ".join(shown)

    def describe(self) -> str:
        return " | ".join(repr(c) for c in self.choices)


@dataclass(frozen=True, slots=True)
class CommaList:
    """A comma-separated list, each entry of the `item` kind; an empty entry is an entry.

    A bad entry is named by its position and text, so a client uploading a thousand numbers
    learns which one to fix: one problem for the parameter, however many entries are bad.
    """

    item: Kind

    def convert(self, text: str) -> list[Any]:
        if not text:
            raise Invalid("must list at least one entry")
        entries = text.split(",")
        values, bad = [], []
        for position, entry in enumerate(entries, 1):
            try:
                values.append(self.item.convert(entry))
            except Invalid as error:
                bad.append(f"entry {position} ({entry!r}) {error}")
        if bad:
            more = f"; {len(bad) - 1} more entries are invalid" if len(bad) > 1 else ""
            raise Invalid(bad[0] + more)
        return values

    def describe(self) -> str:
        return f"comma-separated list, each {self.item.describe()}"


CURRENT = object()
"""Default of an update parameter that, when omitted, keeps the stored value."""


@dataclass(frozen=True, slots=True)
class Param:
    """One row of a function's parameter table, as the vendor documents it."""

    name: str
    kind: Kind
    description: str
    required: bool = False
    default: Any = field(default=CURRENT)
    since: tuple[int, int] = OLDEST
    one_of: str | None = None  # the name of a set of values that the data set defines
    # For a 0-or-1 flag: set to 1, it stands instead of the parameter named here (`all=1`
    # instead of a list of `dnumbers`); exactly one of the two must then be given.
    instead_of: str | None = None


@dataclass(slots=True)  # per call: not frozen (docs/architecture.md, "Per-call records")
class Arguments:
    """A request's parameters after validation."""

    values: dict[str, Any]

    def __contains__(self, name: str) -> bool:
        return name in self.values

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


def validate(
    table: Sequence[Param],
    given: Mapping[str, str],
    api_version: tuple[int, int] = (99, 0),
    choices: Mapping[str, Collection[str]] | None = None,
) -> Arguments:
    """Check the `given` parameters (each name's last value) against `table`; raise one 400
    problem per bad or missing parameter.

    `choices` gives the values of each `one_of` set (the destination types of the data set).
    Parameters the table does not know, and those added after `api_version`, are ignored as
    the real switch ignores them (`unknown_parameters` lists them for the journal).
    """
    known = _known(table, api_version)
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for param in known.params:
        text = given.get(param.name)
        if text is None:
            if param.required:
                problems.append(invalid(param.name, "is required"))
            elif param.default is not CURRENT:
                values[param.name] = param.default
            continue
        try:
            value = param.kind.convert(text)
            if param.one_of is not None:
                Choice(tuple(sorted((choices or {}).get(param.one_of, ())))).convert(value)
            values[param.name] = value
        except Invalid as error:
            problems.append(invalid(param.name, str(error)))
    if known.flags:
        problems += _alternative_problems(known.flags, given, values, problems)
    if problems:
        order = {p.name: i for i, p in enumerate(table)}
        raise EnswitchError(*sorted(problems, key=lambda p: order.get(p.key, len(order))))
    return Arguments(values)


def _alternative_problems(
    flags: Sequence[Param],
    given: Mapping[str, str],
    values: Mapping[str, Any],
    found: Sequence[Problem],
) -> list[Problem]:
    """Where a flag and the parameter it stands instead of are both given, or neither is."""
    already = {p.key for p in found}
    problems = []
    for flag in flags:
        other = flag.instead_of
        assert other is not None  # `_Known.flags` holds only such rows
        if {flag.name, other} & already:
            continue
        if values.get(flag.name) == 1 and other in given:
            problems.append(invalid(flag.name, f"must not be 1 when {other} is given"))
        elif values.get(flag.name) != 1 and other not in given:
            problems.append(invalid(other, f"is required unless {flag.name}=1"))
    return problems


def unknown_parameters(
    table: Sequence[Param], pairs: Pairs, api_version: tuple[int, int] = (99, 0)
) -> tuple[str, ...]:
    """The names in `pairs` that `table` does not know (for the journal, even on errors)."""
    expected = _known(table, api_version).expected
    return tuple(n for n, _ in pairs if n not in expected)


@dataclass(frozen=True, slots=True)
class _Known:
    """What a table knows in one API version: worked out once, read on every call."""

    params: tuple[Param, ...]  # the rows of that version, in the table's order
    flags: tuple[Param, ...]  # those of them that stand `instead_of` another
    expected: frozenset[str]  # their names and the credentials: nothing `unknown`


# By the table's identity, not its value: hashing a table hashes every Param in it, which
# cost more than the rest of the validation (measured: 34 hashes per update).
_KNOWN: dict[tuple[int, tuple[int, int]], tuple[Sequence[Param], _Known]] = {}


def _known(table: Sequence[Param], api_version: tuple[int, int]) -> _Known:
    key = (id(table), api_version)
    found = _KNOWN.get(key)
    if found is None:  # the table is kept beside its plan, so its id is never reused
        params = tuple(p for p in table if p.since <= api_version)
        flags = tuple(p for p in params if p.instead_of is not None)
        expected = frozenset((*(p.name for p in params), *AUTH_PARAMETERS))
        found = _KNOWN[key] = (table, _Known(params, flags, expected))
    return found[1]
