"""The layering of docs/architecture.md and the package's types, checked on every run.

`pip install -e '.[test]' && pytest` runs these, and `.ci/run` runs the same two tools by
name, so a change that imports upward, lets aiohttp or SQL out of their rooms, or breaks a
type fails the suite. The contracts are in pyproject.toml ([tool.importlinter]).
"""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *command], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def test_the_import_contracts_are_kept():
    done = _run("-c", LINT_IMPORTS)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_contracts_name_the_layers_and_the_rooms_aiohttp_and_sql_may_not_leave():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    contracts = {c["name"]: c for c in config["contracts"]}
    layers = next(c for c in contracts.values() if c["type"] == "layers")["layers"]
    level = {room.strip(): n for n, layer in enumerate(layers) for room in layer.split("|")}
    # docs/architecture.md's order: the commands over the test helpers over the server over
    # the call path over the functions and faults over the store over the data set, with
    # the wire protocol and the errors at the bottom.
    order = ["cli", "testing", "web", "switch", "endpoints", "store", "dataset", "enswitch"]
    assert [level[f"mockswitch.{room}"] for room in order] == sorted(
        level[f"mockswitch.{room}"] for room in order
    )
    assert len(set(level[f"mockswitch.{room}"] for room in order)) == len(order)
    assert layers[0] == "mockswitch.cli | mockswitch.pytest_plugin"
    assert "mockswitch.errors" in layers[-1].split(" | ")
    assert level["mockswitch.faults"] == level["mockswitch.endpoints"]
    packages = {
        ".".join(p.relative_to(ROOT).with_suffix("").parts[:2])
        for p in (ROOT / "mockswitch").glob("*")
        if (p.suffix == ".py" or (p / "__init__.py").exists())
        and p.name not in ("__init__.py", "__main__.py", "healthcheck.py")
    }
    in_layers = {room.strip() for layer in layers for room in layer.split("|")}
    assert packages == in_layers, "every room of the package must have its place in a layer"
    aiohttp = contracts["Only web/ knows aiohttp"]
    assert set(aiohttp["source_modules"]) == in_layers - {"mockswitch.web"}
    sql = contracts["Only store/ knows SQL"]
    assert set(sql["source_modules"]) == in_layers - {"mockswitch.store"}


def test_the_package_type_checks():
    done = _run("-m", "mypy")  # [tool.mypy] in pyproject.toml names the files
    assert done.returncode == 0, done.stdout + done.stderr
