"""Helpers shared by the actions that drop the connection: reset, empty, hang."""

from __future__ import annotations

from typing import Any

from ..spec import boolean, fields_of, text


def read_processed(document: Any, where: str, extra: dict | None = None) -> dict[str, Any]:
    """The fields of a dropping action: `processed` (handle the call first?) and `extra`."""
    return fields_of(document, where, {"type": text, "processed": boolean, **(extra or {})})
