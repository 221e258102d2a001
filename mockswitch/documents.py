"""A JSON or YAML document read from a file given at start (stubs, messages), or a one-line
error naming the file: the one reader, so every such file fails the same way."""

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
