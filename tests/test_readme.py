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
