"""Outcome rules given at start (`--outcomes`): a JSON or YAML file, or the document itself."""

from __future__ import annotations

from pathlib import Path

import yaml

from .outcomes import OutcomeError, OutcomeRules


class OutcomeFileError(ValueError):
    """Start-up outcome rules that cannot be read or used; the message says where and why."""


def load_start_outcomes(source: str) -> OutcomeRules:
    """The rules from a path or an inline document, checked; none gives the default mix."""
    if not source.strip():
        return OutcomeRules()
    inline = source.lstrip().startswith(("[", "{"))
    where = "the outcomes given inline" if inline else source
    try:
        text = source if inline else Path(source).read_text(encoding="utf-8")
        document = yaml.safe_load(text)
    except OSError as error:
        raise OutcomeFileError(f"{where}: cannot be read: {error}") from None
    except yaml.YAMLError as error:
        raise OutcomeFileError(f"{where}: not valid JSON or YAML: {error}") from None
    try:
        return OutcomeRules.from_json(document)
    except OutcomeError as error:
        raise OutcomeFileError(f"{where}: {error.field}: {error.message}") from None
