"""The outcome of a verify run: a table of differences for people, a JSON report, and the
switch's wording for the messages that differ (`--learn`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mockswitch.enswitch.request import masked_parameters
from mockswitch.switch.messages import Override, write_messages

from .battery import Probe
from .client import Answer, dumps
from .compare import Difference


@dataclass
class Checked:
    """One probe, both answers, and what differs."""

    probe: Probe
    switch_params: dict[str, str]
    mock_params: dict[str, str]
    switch: Answer
    mock: Answer
    differences: list[Difference] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.probe.name,
            "function": self.probe.function,
            "parameter": self.probe.parameter,
            "switch": {
                "params": masked_parameters(tuple(self.switch_params.items())),
                "http_status": self.switch.status,
                "body": self.switch.document,
            },
            "mockswitch": {
                "params": masked_parameters(tuple(self.mock_params.items())),
                "http_status": self.mock.status,
                "body": self.mock.document,
            },
            "differences": [d.as_json() for d in self.differences],
        }


def table(checked: list[Checked]) -> str:
    """One row per difference: function, parameter, what differs, the switch, mockswitch."""
    rows = [("function", "parameter", "call", "what", "switch", "mockswitch")]
    for item in checked:
        for difference in item.differences:
            rows.append(
                (
                    item.probe.function,
                    item.probe.parameter or "-",
                    item.probe.name,
                    difference.aspect,
                    dumps(difference.switch),
                    dumps(difference.mock),
                )
            )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines)


def write_report(path: str, summary: dict[str, Any], checked: list[Checked]) -> None:
    document = {
        **summary,
        "calls": [item.as_json() for item in checked],
        "differences": sum(len(item.differences) for item in checked),
    }
    Path(path).write_text(dumps(document, indent=2) + "\n", "utf-8")


def learned(checked: list[Checked]) -> list[Override]:
    """The switch's message for each entry where only the message differs, once each."""
    found: dict[tuple, Override] = {}
    for item in checked:
        for difference in item.differences:
            if not difference.code or not difference.aspect.endswith(".message"):
                continue
            override = Override(
                code=difference.code,
                message=str(difference.switch),
                key=difference.key,
                function=item.probe.function,
                instead_of=str(difference.mock),
            )
            found.setdefault(
                (override.function, override.code, override.key, override.instead_of), override
            )
    return list(found.values())


def write_learned(path: str, checked: list[Checked]) -> int:
    overrides = learned(checked)
    write_messages(path, overrides)
    return len(overrides)
