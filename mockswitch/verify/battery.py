"""The battery: calls that change nothing, each made the same way on both sides.

A probe's parameters may depend on the side (each side has its own campaign and user), so
a probe holds a function that builds them from the side's `Context`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mockswitch.endpoints import FUNCTIONS
from mockswitch.enswitch.params import (
    AUTH_PASSWORD,
    AUTH_USERNAME,
    Choice,
    Flag,
    Integer,
    Param,
    Text,
)

UPDATE = "bulk/campaigns/update"
NO_SUCH_ID = "2147483646"  # an id no switch is expected to hold
BAD_PASSWORD = "not-the-password-0"


@dataclass(frozen=True, slots=True)
class Context:
    """What a side's calls need: its user and its campaign (as its get answered it)."""

    username: str
    password: str
    campaign: dict[str, Any]

    def auth(self) -> dict[str, str]:
        return {AUTH_USERNAME: self.username, AUTH_PASSWORD: self.password}

    @property
    def campaign_id(self) -> str:
        return str(self.campaign["id"])


@dataclass(frozen=True, slots=True)
class Probe:
    name: str  # what the call tries, for the report
    function: str
    parameter: str  # the parameter the probe is about, or ""
    build: Callable[[Context], dict[str, str]]


def invalid_value(param: Param) -> str | None:
    """A value the parameter's table refuses, whatever the data set; None if there is none."""
    kind = param.kind
    if param.one_of is not None:
        return "no-such-value"
    if isinstance(kind, Integer):
        return "abc"
    if isinstance(kind, Flag):
        return "2"
    if isinstance(kind, Choice):
        return "no-such-choice"
    if isinstance(kind, Text):
        if kind.non_empty:
            return ""
        if kind.pattern is not None:
            return "not valid!"
        return "x" * (kind.max_length + 1)
    return None


def current_values(context: Context) -> dict[str, str]:
    """The campaign's fields that update takes, as they are: valid by construction."""
    values = {}
    for param in FUNCTIONS[UPDATE].parameters:
        if param.name in context.campaign and param.name not in ("id", "validation"):
            values[param.name] = _text(context.campaign[param.name])
    return values


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def battery(api_version: tuple[int, int] = (99, 0)) -> list[Probe]:
    """Every probe, in the order they are sent, for parameters the version knows."""

    def auth(c: Context) -> dict[str, str]:
        return c.auth()

    def update(c: Context, **changes: str) -> dict[str, str]:
        return {**c.auth(), "id": c.campaign_id, **current_values(c), **changes, "validation": "1"}

    probes = [
        Probe("get", "bulk/campaigns/get", "", lambda c: {**auth(c), "id": c.campaign_id}),
        Probe("list", "bulk/campaigns/list", "", auth),
        Probe("get without id", "bulk/campaigns/get", "id", auth),
        Probe("get with id=abc", "bulk/campaigns/get", "id", lambda c: {**auth(c), "id": "abc"}),
        Probe(
            f"get with id={NO_SUCH_ID}",
            "bulk/campaigns/get",
            "id",
            lambda c: {**auth(c), "id": NO_SUCH_ID},
        ),
        Probe(
            "get with a wrong password",
            "bulk/campaigns/get",
            AUTH_PASSWORD,
            lambda c: {AUTH_USERNAME: c.username, AUTH_PASSWORD: BAD_PASSWORD, "id": c.campaign_id},
        ),
        Probe("update with valid values", UPDATE, "", update),
        Probe(
            "update without id",
            UPDATE,
            "id",
            lambda c: {**auth(c), "name": "x", "validation": "1"},
        ),
        Probe(
            "update with id=abc",
            UPDATE,
            "id",
            lambda c: {**auth(c), "id": "abc", "validation": "1"},
        ),
        Probe(
            f"update with id={NO_SUCH_ID}",
            UPDATE,
            "id",
            lambda c: {**auth(c), "id": NO_SUCH_ID, "validation": "1"},
        ),
        Probe(
            "update with a wrong password",
            UPDATE,
            AUTH_PASSWORD,
            lambda c: {**update(c), AUTH_PASSWORD: BAD_PASSWORD},
        ),
    ]
    for param in FUNCTIONS[UPDATE].parameters:
        value = invalid_value(param)
        if param.name in ("id", "validation") or value is None or param.since > api_version:
            continue
        shown = value if len(value) <= 12 else f"{value[:3]}...({len(value)} characters)"

        def with_bad(c: Context, name: str = param.name, bad: str = value) -> dict[str, str]:
            return update(c, **{name: bad})

        probes.append(Probe(f"update with {param.name}={shown!r}", UPDATE, param.name, with_bad))
    probes.append(
        Probe(
            "destinations list",
            "bulk/destinations/list",
            "",
            lambda c: {**auth(c), "campaign": c.campaign_id},
        )
    )
    return probes
