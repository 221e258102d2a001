"""Outcome rules given at start (`--outcomes`): a JSON or YAML file, or the document itself."""

from __future__ import annotations

from mockswitch.documents import read_source

from .outcomes import OutcomeError, OutcomeRules


class OutcomeFileError(ValueError):
    """Start-up outcome rules that cannot be read or used; the message says where and why."""


def load_start_outcomes(source: str) -> OutcomeRules:
    """The rules from a path or an inline document, checked; none gives the default mix."""
    if not source.strip():
        return OutcomeRules()
    document, where = read_source(source, "the outcomes given inline", OutcomeFileError)
    try:
        return OutcomeRules.from_json(document)
    except OutcomeError as error:
        raise OutcomeFileError(f"{where}: {error.field}: {error.message}") from None
