"""The docs' reference tables, rendered from the declarations they describe.

docs/api.md's table of functions comes from the function registry (`endpoints.FUNCTIONS`),
docs/configuration.md's table of settings from the settings declaration (`config.Settings`,
rendered by `config.settings_table`).
Each sits between two marker comments; `python -m mockswitch.cli.reference` rewrites what lies
between them, and a test fails when the committed table differs from the rendered one.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from mockswitch.config import settings_table
from mockswitch.endpoints import FUNCTIONS, Function
from mockswitch.enswitch.params import CURRENT, Param

DOCS = Path(__file__).resolve().parents[2] / "docs"
END = "<!-- end of generated table -->"


def marker(name: str) -> str:
    return f"<!-- generated table: {name}; python -m mockswitch.cli.reference rewrites it -->"


def functions_table() -> str:
    """Every function served: privilege, parameters (required in bold, defaults), codes."""
    rows = [
        "| function | privilege | parameters (required in **bold**; default) | codes "
        "| data (code 200) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for function in FUNCTIONS.values():
        codes = " · ".join(function.answers)
        data = _cell(function.data_description)
        rows.append(
            f"| `{function.name}` | {function.privilege} | {_parameters(function)} | {codes} "
            f"| {data} |"
        )
    return "\n".join(rows) + "\n"


def _parameters(function: Function) -> str:
    required = [f"**{p.name}**" for p in function.parameters if p.required]
    optional = [_optional(p) for p in function.parameters if not p.required]
    return "; ".join(part for part in (", ".join(required), ", ".join(optional)) if part)


def _optional(param: Param) -> str:
    notes = []
    if param.default is not CURRENT:
        notes.append("empty" if param.default == "" else f"`{param.default}`")
    if param.instead_of:
        notes.append(f"1 instead of {param.instead_of}")
    if param.since != (3, 13):
        notes.append("from " + ".".join(map(str, param.since)))
    return f"{param.name} ({', '.join(notes)})" if notes else param.name


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


TABLES: dict[str, tuple[str, Callable[[], str]]] = {
    "functions": ("api.md", functions_table),
    "settings": ("configuration.md", settings_table),
}


def rendered(text: str, name: str) -> str:
    """`text` with the table `name` between its markers rendered afresh."""
    start = marker(name)
    if text.count(start) != 1 or END not in text.split(start, 1)[1]:
        raise ValueError(f"expected one {start!r} followed by {END!r}")
    before, rest = text.split(start, 1)
    after = rest.split(END, 1)[1]
    return f"{before}{start}\n{TABLES[name][1]()}{END}{after}"


def main() -> int:
    for name, (file, _) in TABLES.items():
        path = DOCS / file
        path.write_text(rendered(path.read_text(), name))
        print(f"{path}: table {name} rendered")
    return 0


if __name__ == "__main__":
    sys.exit(main())
