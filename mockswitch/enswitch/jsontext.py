"""Text from outside made writable, and JSON read strictly.

A Python string read from JSON can hold a lone surrogate (`"\\ud800"` is valid JSON syntax,
and any switch user can type one into a name), which UTF-8 cannot carry: encoding it raises.
Whatever mockswitch writes (an envelope, a journal field, a stub file, a report) goes through
`utf8` or `escaped`, which write such a character as the JSON escape it came as (`\\ud800`),
so the text stays valid and says what was there. Inside a JSON string that escape is the
same character again; elsewhere it is readable text.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")
ESCAPED = (
    "the answer held text that is not valid Unicode (a lone surrogate such as \\ud800): "
    "it was sent as a JSON escape"
)


def escaped(text: str) -> str:
    """`text` with every lone surrogate written as its escape (`\\udc80`)."""
    return _SURROGATE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def utf8(text: str) -> tuple[bytes, bool]:
    """`text` in UTF-8, lone surrogates escaped; and whether there were any to escape."""
    try:
        return text.encode(), False
    except UnicodeEncodeError:
        return escaped(text).encode(), True


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def strict_loads(data: str | bytes) -> Any:
    """JSON as RFC 8259 reads it: NaN, Infinity and -Infinity (which Python's reader takes,
    and no other JSON reader does) raise ValueError, as nesting too deep raises
    RecursionError."""
    return json.loads(data, parse_constant=_refuse_constant)


def not_finite(value: float) -> str:
    """What is wrong with a number JSON has no word for (what 1e400 reads as, NaN)."""
    return (
        f"is {value}, which JSON cannot carry (only finite numbers: 1e400, NaN and Infinity "
        "are not JSON)"
    )


class NotJson(ValueError):
    """A value JSON cannot carry, or nested too deep; `where` names it (`data[3].price`)."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


def depth_of(value: Any, most: int) -> int:
    """How deep `value`'s arrays and objects nest (0 for a scalar), counted up to `most + 1`:
    a level at a time, without recursion, whatever the depth."""
    depth = 0
    level = [value] if isinstance(value, dict | list) else []
    while level and depth <= most:
        depth += 1
        level = [
            child
            for container in level
            for child in (container.values() if isinstance(container, dict) else container)
            if isinstance(child, dict | list)
        ]
    return depth


def check_json(value: Any, where: str, max_depth: int, setting: str) -> None:
    """NotJson unless `value` is what JSON carries (objects, arrays, text, finite numbers,
    true, false, null) within `max_depth` levels of arrays and objects (the limit `setting`
    names); the error names the first value at fault (`data[3].price`).

    Walked with a stack, not recursion: the depth is bounded here, not by Python's stack."""
    stack: list[tuple[Any, str, int]] = [(value, where, 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth == max_depth:
                raise NotJson(where, f"is nested more than {max_depth} deep ({setting})")
            members = item.items() if isinstance(item, dict) else enumerate(item)
            step = ".{}" if isinstance(item, dict) else "[{}]"
            stack.extend((v, path + step.format(k), depth + 1) for k, v in members)
        elif isinstance(item, float) and not math.isfinite(item):
            raise NotJson(path, not_finite(item))
        elif item is not None and not isinstance(item, str | int | float | bool):
            raise NotJson(path, f"is a {type(item).__name__}, which JSON cannot carry")
