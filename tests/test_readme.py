"""The README and docs/ are where users look: they must name every setting and every function
served, their tables must be the ones rendered from the declarations, their examples must be
the ones the suite runs, and their links must lead somewhere."""

import re
import shlex
from pathlib import Path

import pytest

from mockswitch.cli import build_parser, reference
from mockswitch.config import OPTIONS
from mockswitch.endpoints import FUNCTIONS
from mockswitch.switch.messages import load_messages

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
DOCS = {path.name: path.read_text() for path in sorted((ROOT / "docs").glob("*.md"))}
EVERY_DOC = {"README.md": README, **{f"docs/{name}": text for name, text in DOCS.items()}}


def test_the_readme_is_short_enough_to_finish():
    assert len(README.splitlines()) <= 300


@pytest.mark.parametrize("name", sorted(reference.TABLES))
def test_the_generated_tables_are_the_committed_ones(name):
    file, _ = reference.TABLES[name]
    text = DOCS[file]
    assert reference.rendered(text, name) == text, (
        f"docs/{file}'s {name} table has drifted: run python -m mockswitch.cli.reference"
    )


def test_the_settings_table_lists_every_setting_with_its_variable_and_default():
    rows = {
        line.split("|")[1].strip(" `").split(" ")[0]: line
        for line in DOCS["configuration.md"].splitlines()
        if line.startswith("| `--")
    }
    missing = [o.cli for o in OPTIONS if o.cli not in rows]
    assert missing == [], "add these to docs/configuration.md's settings table"
    for option in OPTIONS:
        assert f"`{option.env}`" in rows[option.cli]


def test_the_function_table_lists_every_function_served():
    listed = re.findall(r"^\| `([a-z/]+)` \|", DOCS["api.md"], re.M)
    assert listed == list(FUNCTIONS)


def example_code(path: Path) -> str:
    text = path.read_text()
    return text[text.index('"""', 3) + 3 :].strip("\n")  # without the module docstring


@pytest.mark.parametrize(
    "path", sorted((ROOT / "tests" / "examples").glob("test_*.py")), ids=lambda p: p.name
)
def test_the_docs_pytest_examples_are_the_example_tests_that_run(path):
    """Each example test is shown whole in exactly one doc, and the doc's copy is that file."""
    code = example_code(path)
    shown_in = [name for name, text in EVERY_DOC.items() if code in text]
    assert len(shown_in) == 1, f"the docs' copy of tests/examples/{path.name} has drifted"
    assert f"tests/examples/{path.name}" in EVERY_DOC[shown_in[0]]


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.DOTALL)


def test_the_real_switch_docs_commands_parse_and_its_files_load(tmp_path):
    """Its curl examples run in tests/test_doc_examples.py; here its mockswitch commands."""
    text = DOCS["real-switch.md"]
    commands = [
        shlex.split(line)[1:]
        for block in blocks(text, "sh")
        for line in block.splitlines()
        if line.startswith("mockswitch ")
    ]
    assert [c[0] for c in commands] == ["serve", "serve", "verify"]
    for argv in commands:
        build_parser().parse_args(argv)  # exits (a failure) on a flag that does not exist
    (messages,) = blocks(text, "json")
    path = tmp_path / "messages.json"
    path.write_text(messages)
    assert len(load_messages(str(path)).overrides) == 1


VENV = "python3 -m venv .venv && . .venv/bin/activate"


def test_the_set_up_commands_make_the_virtual_environment_first():
    """Pasted as they are, they never install into the system's Python (which may refuse)."""
    section = README.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    assert blocks(section, "") == [
        f"{VENV} && pip install . && mockswitch serve\n",
        f"{VENV} && pip install -e '.[test]' && pytest\n",
    ]
    tests = README.split("## Running the tests", 1)[1]
    assert f"```\n{VENV} && pip install -e '.[test]' && pytest\n```" in tests


def test_the_readme_runs_the_test_command_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert "pip install -e '.[test]'" in ci
    assert "pytest" in ci
    assert "pip install -e '.[test]' && pytest" in README.split("## Running the tests", 1)[1]


def test_contributing_maps_every_test_file_to_modules_that_exist():
    """A newcomer can place a test: every test file has its row, every file and module named
    exists, and nothing states a count or a time, which would go stale."""
    text = DOCS["contributing.md"]
    rows = [
        line.split("|")[1:3]
        for line in text.split("## Where a test goes", 1)[1].splitlines()
        if line.startswith("| ") and not line.startswith("| package module")
    ]
    named = {name for _, tests in rows for name in re.findall(r"`(test_\w+\.py)`", tests)}
    assert named == {path.name for path in (ROOT / "tests").glob("test_*.py")}
    modules = [m for modules, _ in rows for m in re.findall(r"`([\w/]+(?:\.py|/))`", modules)]
    assert len(modules) > 50
    assert [m for m in modules if not (ROOT / "mockswitch" / m).exists()] == []
    assert not re.search(r"\d[\d,]* (tests|seconds|minutes)|\d+(\.\d+)? ?(s|min)\b", text)


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation gone, spaces to dashes."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(text: str) -> set[str]:
    text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)  # a # in code is no heading
    return {anchor(h) for h in re.findall(r"^#+ (.*)$", text, re.M)}


@pytest.mark.parametrize("name", sorted(EVERY_DOC))
def test_every_link_between_the_docs_leads_somewhere(name):
    base = (ROOT / name).parent
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", EVERY_DOC[name]):
        if re.match(r"[a-z]+:", target):
            continue  # a web address
        file, _, fragment = target.partition("#")
        path = (base / file).resolve() if file else ROOT / name
        if not path.exists() or (fragment and fragment not in anchors(path.read_text())):
            broken.append(target)
    assert broken == []
