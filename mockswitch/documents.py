"""A JSON or YAML document given at start (stubs, messages, faults, outcomes), from a file or
inline, or a one-line error naming it: the one reader, so every such document fails the same
way."""

from __future__ import annotations

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
    """The document in `path` (JSON is YAML too); raises `error` if it cannot be read.
    Without `aliases`, a YAML anchor or alias is such an error."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as failure:
        raise error(f"{path}: cannot be read: {failure}") from None
    except UnicodeDecodeError as failure:
        raise error(f"{path}: not valid JSON or YAML: {failure}") from None
    return _parse(text, path, error, yaml.SafeLoader if aliases else _WithoutAliases)


def read_source(source: str, inline_name: str, error: type[Exception]) -> tuple[Any, str]:
    """The document in `source`, a path or the document itself (one that starts with `[` or
    `{`, as an environment variable gives it), and how to name it in an error."""
    if not source.lstrip().startswith(("[", "{")):
        return read_document(source, error), source
    return _parse(source, inline_name, error, yaml.SafeLoader), inline_name


def _parse(text: str, where: str, error: type[Exception], loader: type[yaml.SafeLoader]) -> Any:
    try:
        return yaml.load(text, Loader=loader)  # a SafeLoader: plain data only
    except yaml.YAMLError as failure:
        # YAML's message spans several lines, with a caret: one line is enough here.
        raise error(f"{where}: not valid JSON or YAML: {' '.join(str(failure).split())}") from None
    except RecursionError:
        raise error(f"{where}: not valid JSON or YAML: nested too deeply to read") from None
