"""The README is where users look: it must name every setting and every function served."""

from pathlib import Path

from mockswitch.config import OPTIONS

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
    for name in ("test_journal_example.py", "test_retry_example.py", "test_dialler_example.py"):
        text = (examples / name).read_text()
        code = text[text.index('"""', 3) + 3 :].strip("\n")  # without the module docstring
        assert code in README, f"the README's copy of tests/examples/{name} has drifted"
