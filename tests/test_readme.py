"""The README is where users look: it must name every setting and every function served."""

import re
import shlex
import urllib.request
from pathlib import Path

from mockswitch.cli import build_parser
from mockswitch.config import OPTIONS
from mockswitch.switch.messages import load_messages
from mockswitch.testing import ServerThread

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_the_settings_table_lists_every_setting_with_its_variable_and_default():
    rows = {
        line.split("|")[1].strip(" `"): line
        for line in README.splitlines()
        if line.startswith("| `--")
    }
    missing = [o.cli for o in OPTIONS if o.cli not in rows]
    assert missing == [], "add these to the README's settings table"
    for option in OPTIONS:
        assert f"`{option.env}`" in rows[option.cli]


def test_the_readmes_pytest_examples_are_the_example_tests_that_run():
    examples = Path(__file__).resolve().parent / "examples"
    for name in (
        "test_journal_example.py",
        "test_retry_example.py",
        "test_stub_example.py",
        "test_dialler_example.py",
    ):
        text = (examples / name).read_text()
        code = text[text.index('"""', 3) + 3 :].strip("\n")  # without the module docstring
        assert code in README, f"the README's copy of tests/examples/{name} has drifted"


def _real_switch_section() -> str:
    start = README.index("## Using mockswitch with a real switch")
    return README[start : README.index("\n## ", start + 1)]


def _blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.DOTALL)


def test_the_real_switch_sections_commands_parse_and_its_files_load(tmp_path):
    section = _real_switch_section()
    commands = [
        shlex.split(line)[1:]
        for block in _blocks(section, "sh")
        for line in block.splitlines()
        if line.startswith("mockswitch ")
    ]
    assert [c[0] for c in commands] == ["serve", "serve", "verify"]
    for argv in commands:
        build_parser().parse_args(argv)  # exits (a failure) on a flag that does not exist
    (messages,) = _blocks(section, "json")
    path = tmp_path / "messages.json"
    path.write_text(messages)
    assert len(load_messages(str(path)).overrides) == 1


def test_the_real_switch_sections_curl_examples_answer_as_shown():
    section = _real_switch_section()
    (block,) = _blocks(section, "sh")[:1]
    lines = block.splitlines()
    with ServerThread() as server:
        for line in lines:
            if line.startswith("curl"):
                argv = shlex.split(line)
                url = argv[2].replace("localhost:8080", server.url.removeprefix("http://"))
                data = argv[4].encode() if "-d" in argv else None
                with urllib.request.urlopen(f"http://{url.removeprefix('http://')}", data) as r:
                    answer = r.read().decode()
            elif line.startswith("# {"):
                assert answer == line.removeprefix("# ")
