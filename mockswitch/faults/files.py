"""Rules given at start: a JSON or YAML file, or the document itself (for an env variable).

Either a list of rules, or `{"rules": [...], "default_latency": {...}}`.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from mockswitch.documents import read_source

from .engine import FaultEngine
from .known import check_function
from .spec import RuleError


class FaultFileError(ValueError):
    """Start-up rules that cannot be read or used; the message says where and why."""


def load_start_rules(
    source: str,
    seed: int | str = 0,
    most: int | None = None,
    known: Collection[str] | None = None,
    any_function: bool = False,
) -> tuple[list[Any], Any]:
    """The rules and default latency from a path or an inline document, checked; at most
    `most` rules (the max_fault_rules setting). With `known` (the functions served and
    stubbed), a rule for another function is refused (`known.check_function`)."""
    if not source.strip():
        return [], None
    document, where = read_source(source, "the faults given inline", FaultFileError)
    if document is None:
        return [], None
    if isinstance(document, list):
        rules, latency = document, None
    elif isinstance(document, dict) and set(document) <= {"rules", "default_latency"}:
        rules, latency = document.get("rules", []), document.get("default_latency")
    else:
        raise FaultFileError(f"{where}: must be a list of rules or {{rules, default_latency}}")
    if not isinstance(rules, list):
        raise FaultFileError(f"{where}: rules must be a list")
    if most is not None and len(rules) > most:
        raise FaultFileError(
            f"{where}: {len(rules)} rules, more than the max_fault_rules setting ({most})"
        )
    engine = FaultEngine(seed=seed)  # every rule must parse, or none is used
    for position, rule in enumerate(rules, 1):
        try:
            added = engine.add(rule)
            if known is not None:
                check_function(added, known, any_function=any_function)
        except RuleError as error:
            raise FaultFileError(f"{where}: rule {position}: {error}") from None
    try:
        engine.set_default_latency(latency)
    except RuleError as error:
        raise FaultFileError(f"{where}: default_{error}") from None
    return rules, latency
