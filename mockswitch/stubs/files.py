"""Stubs given at start (`--stubs FILE`, JSON or YAML).

A stub file is a list of declarations, or `{"stubs": [...]}`. YAML anchors and aliases are
refused: an alias can make data that holds itself, or a few bytes that stand for megabytes.
"""

from __future__ import annotations

from typing import Any

from mockswitch.documents import read_document

from .model import Stub
from .parse import StubError, parse_stub


class StubFileError(ValueError):
    """Start-up stubs that cannot be read or used; the message says where and why."""


def read_stub_file(path: str, *, max_depth: int, max_bytes: int) -> list[Stub]:
    """The stubs in `path`, numbered from 1, every one checked; an empty path gives none.
    More than `max_bytes` of stubs (`max_stub_bytes`, the bound of one tenant) is an error."""
    if not path.strip():
        return []
    document: Any = read_document(path, StubFileError, aliases=False)
    if document is None:
        return []
    if isinstance(document, dict) and set(document) == {"stubs"}:
        document = document["stubs"]
    if not isinstance(document, list):
        raise StubFileError(f'{path}: must be a list of stubs or {{"stubs": [...]}}')
    stubs = []
    for position, declaration in enumerate(document, 1):
        try:
            stubs.append(parse_stub(declaration, position, max_depth=max_depth))
        except StubError as error:
            raise StubFileError(f"{path}: stub {position}: {error}") from None
    size = sum(stub.size for stub in stubs)
    if size > max_bytes:
        raise StubFileError(
            f"{path}: its stubs hold {size} bytes, more than the max_stub_bytes setting "
            f"({max_bytes}) lets one tenant hold"
        )
    return stubs
