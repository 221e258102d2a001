"""A JSON or YAML document given at start (stubs, messages, faults, outcomes), from a file or
inline, or a one-line error naming it: the one reader, so every such document fails the same
way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def read_document(path: str, error: type[Exception]) -> Any:
    """The document in `path` (JSON is YAML too); raises `error` if it cannot be read."""
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as failure:
        raise error(f"{path}: cannot be read: {failure}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as failure:
        # YAML's message spans several lines, with a caret: one line is enough here.
        raise error(f"{path}: not valid JSON or YAML: {' '.join(str(failure).split())}") from None


def read_source(source: str, inline_name: str, error: type[Exception]) -> tuple[Any, str]:
    """The document in `source`, a path or the document itself (one that starts with `[` or
    `{`, as an environment variable gives it), and how to name it in an error."""
    if not source.lstrip().startswith(("[", "{")):
        return read_document(source, error), source
    try:
        return yaml.safe_load(source), inline_name
    except yaml.YAMLError as failure:
        raise error(
            f"{inline_name}: not valid JSON or YAML: {' '.join(str(failure).split())}"
        ) from None
