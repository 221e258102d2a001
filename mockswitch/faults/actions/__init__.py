"""Every kind of fault action, one module each; adding a kind is a module and a line here."""

from __future__ import annotations

from typing import Any

from ..spec import RuleError, Schema
from .base import Action, Exchange
from .empty import EmptyFault
from .envelope import EnvelopeFault
from .hang import HangFault
from .http import HttpFault
from .malformed import MalformedFault
from .reset import ResetFault
from .slow_body import SlowBodyFault

# The registry: each kind's class by its `type`.
KINDS: dict[str, type[Action]] = {
    kind.type: kind
    for kind in (
        EnvelopeFault,
        HttpFault,
        ResetFault,
        HangFault,
        EmptyFault,
        MalformedFault,
        SlowBodyFault,
    )
}


def parse_action(document: Any, where: str = "action") -> Action:
    if not isinstance(document, dict):
        raise RuleError(where, "must be an object with a type")
    kind_name = document.get("type")
    kind = KINDS.get(kind_name) if isinstance(kind_name, str) else None  # [] is unhashable
    if kind is None:
        raise RuleError(f"{where}.type", f"must be one of: {', '.join(KINDS)}")
    return kind.parse(document, where)


def action_schema() -> Schema:
    """Every kind's document, as the OpenAPI document's `Action`."""
    return {"oneOf": [kind.schema() for kind in KINDS.values()]}


__all__ = ["KINDS", "Action", "Exchange", "action_schema", "parse_action"]
