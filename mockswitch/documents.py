"""A JSON or YAML document given at start (stubs, messages, faults, outcomes), from a file or
inline, or a one-line error naming it: the one reader, so every such document fails the same
way."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml


class _WithoutAliases(yaml.SafeLoader):
    """YAML without anchors and aliases (`&x`, `*x`): an alias can make a document that
    refers to itself (`data: &x [1, *x]`), or a few hundred bytes that stand for megabytes."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise yaml.composer.ComposerError(
                None,
                None,
                "YAML anchors and aliases (&name, *name) are not allowed here",
                event.start_mark,
            )
        return super().compose_node(parent, index)


def read_document(path: str, error: type[Exception], *, aliases: bool = True) -> Any:
    """The document in `path`, JSON or YAML; raises `error` if it cannot be read. Without
    `aliases`, a YAML anchor or alias is such an error."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as failure:
        raise error(f"{path}: cannot be read: {failure}") from None
    except UnicodeDecodeError as failure:
        raise error(f"{path}: not valid JSON or YAML: {_one_line(failure)}") from None
    return _parsed(text, path, error, yaml.SafeLoader if aliases else _WithoutAliases)


def read_source(source: str, inline_name: str, error: type[Exception]) -> tuple[Any, str]:
    """The document in `source`, a path or the document itself (one that starts with `[` or
    `{`, as an environment variable gives it), and how to name it in an error."""
    if not source.lstrip().startswith(("[", "{")):
        return read_document(source, error), source
    return _parsed(source, inline_name, error, yaml.SafeLoader), inline_name


def _parsed(text: str, name: str, error: type[Exception], loader: type[yaml.SafeLoader]) -> Any:
    # JSON first: YAML 1.1 reads a JSON number such as 1e+308 (no dot) as a string.
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass  # YAML, then (or neither: YAML's error says where)
    except (ValueError, RecursionError) as failure:
        raise error(f"{name}: not valid JSON or YAML: {_one_line(failure)}") from None
    try:
        return yaml.load(text, Loader=loader)  # a SafeLoader: plain data only
    except (yaml.YAMLError, ValueError, RecursionError) as failure:
        raise error(f"{name}: not valid JSON or YAML: {_one_line(failure)}") from None


def _one_line(failure: BaseException) -> str:
    """The reader's complaint on one line. YAML's spans several, with a caret; an integer of
    more digits than Python reads (ValueError) and nesting deeper than it recurses
    (RecursionError) are the document's fault all the same."""
    if isinstance(failure, RecursionError):
        return "nested too deeply"
    return " ".join(str(failure).split())
