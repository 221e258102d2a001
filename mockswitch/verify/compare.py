"""What differs between the switch's answer and mockswitch's: the HTTP status, each entry
of `responses` (code, key, message), and the names and JSON types of the `data` fields."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .client import Answer


@dataclass(frozen=True, slots=True)
class Difference:
    aspect: str  # "http status", "responses[0].message", "data.id type", ...
    switch: Any
    mock: Any
    code: str = ""  # for a message: the code and key both sides agree on
    key: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def compare(switch: Answer, mock: Answer) -> list[Difference]:
    found = []
    if switch.status != mock.status:
        found.append(Difference("http status", switch.status, mock.status))
    theirs, ours = switch.responses, mock.responses
    if len(theirs) != len(ours):
        found.append(Difference("responses count", len(theirs), len(ours)))
    for index, (a, b) in enumerate(zip(theirs, ours, strict=False)):
        for part in ("code", "key", "message"):
            if str(a.get(part, "")) != str(b.get(part, "")):
                same = part == "message" and a.get("code") == b.get("code")
                found.append(
                    Difference(
                        f"responses[{index}].{part}",
                        a.get(part),
                        b.get(part),
                        code=str(a.get("code", "")) if same else "",
                        key=str(a.get("key", "")) if same and a.get("key") == b.get("key") else "",
                    )
                )
    found.extend(_data_differences(switch.document, mock.document))
    return found


def _data_differences(switch: dict[str, Any], mock: dict[str, Any]) -> list[Difference]:
    if ("data" in switch) != ("data" in mock):
        return [
            Difference(
                "data",
                "present" if "data" in switch else "absent",
                "present" if "data" in mock else "absent",
            )
        ]
    if "data" not in switch:
        return []
    theirs, ours = shape(switch["data"]), shape(mock["data"])
    if theirs is None or ours is None:  # an empty list on either side: nothing to compare
        return []
    if isinstance(theirs, str) or isinstance(ours, str):
        return [] if theirs == ours else [Difference("data type", theirs, ours)]
    found = []
    for name in sorted(set(theirs) | set(ours)):
        if name not in ours:
            found.append(Difference(f"data.{name}", theirs[name], "missing"))
        elif name not in theirs:
            found.append(Difference(f"data.{name}", "missing", ours[name]))
        elif theirs[name] != ours[name]:
            found.append(Difference(f"data.{name} type", theirs[name], ours[name]))
    return found


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def shape(data: Any) -> dict[str, str] | str | None:
    """Field names and types of an object, or of the rows of an array (merged); the type
    itself for anything else; None for an empty array."""
    rows = data if isinstance(data, list) else [data]
    if not rows:
        return None
    if not all(isinstance(row, dict) for row in rows):
        return json_type(data)
    fields: dict[str, set[str]] = {}
    for row in rows:
        for name, value in row.items():
            fields.setdefault(name, set()).add(json_type(value))
    return {name: "|".join(sorted(types)) for name, types in fields.items()}
