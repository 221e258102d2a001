"""Stubs given at start (`--stubs FILE`, JSON or YAML), and stubs recorded to a file.

A stub file is a list of declarations, or `{"stubs": [...]}`.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from mockswitch.documents import read_document

from .book import StubBook
from .parse import StubError


class StubFileError(ValueError):
    """Start-up stubs that cannot be read or used; the message says where and why."""


def read_stub_file(path: str) -> list[Any]:
    """The declarations in `path`, every one checked; an empty path gives none."""
    if not path.strip():
        return []
    document = read_document(path, StubFileError)
    if document is None:
        return []
    if isinstance(document, dict) and set(document) == {"stubs"}:
        document = document["stubs"]
    if not isinstance(document, list):
        raise StubFileError(f'{path}: must be a list of stubs or {{"stubs": [...]}}')
    book = StubBook()
    for position, declaration in enumerate(document, 1):
        try:
            book.add(declaration)
        except StubError as error:
            raise StubFileError(f"{path}: stub {position}: {error}") from None
    return document


def write_stub_file(path: str, declarations: list[dict[str, Any]]) -> None:
    """Replace `path` with `declarations` as a JSON stub file, atomically."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"stubs": declarations}, indent=2, ensure_ascii=False) + "\n"
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
