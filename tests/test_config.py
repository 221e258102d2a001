"""Settings: flags win over MOCKSWITCH_* variables, which win over a TOML file, which wins
over the defaults; a bad value stops the start with a message naming where it came from."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mockswitch.cli import main
from mockswitch.config import OPTIONS, ConfigError, Settings, load_settings, settings_table


@pytest.fixture(autouse=True)
def no_settings_from_the_environment(monkeypatch):
    """A developer's own MOCKSWITCH_* variables must not leak into these tests."""
    for name in list(os.environ):
        if name.startswith("MOCKSWITCH_"):
            monkeypatch.delenv(name)


def toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mockswitch.toml"
    path.write_text(text, encoding="utf-8")
    return path


# -- precedence ------------------------------------------------------------------------------

# One setting of each type: (name, flag value, env value, TOML text, and what each gives).
LAYERS = [
    ("port", "1001", "2002", "3003", (1001, 2002, 3003, 8080)),
    ("shutdown_timeout", "1.5", "2.5", "3.5", (1.5, 2.5, 3.5, 8.0)),
    ("metrics", "false", "no", "false", (False, False, False, True)),
    ("quiet", "true", "1", "true", (True, True, True, False)),
    ("log_format", "json", "json", '"json"', ("json", "json", "json", "human")),
    ("api_version", "3.13", "4.2", '"4.2"', ("3.13", "4.2", "4.2", "4.4")),
    ("prefix", "/flag", "/env", '"/file"', ("/flag", "/env", "/file", "")),
    (
        "allowed_hosts",
        "flag.example",
        "Env.Example., *.ci.example",
        '["file.example", "*.two.example"]',
        ("flag.example", "env.example,*.ci.example", "file.example,*.two.example", ""),
    ),
    (
        "cors_origins",
        "https://flag.example",
        "https://env.example, localhost",
        '["https://file.example", "https://two.example"]',
        (
            "https://flag.example",
            "https://env.example,localhost",
            "https://file.example,https://two.example",
            "localhost",
        ),
    ),
]


@pytest.mark.parametrize(
    ("name", "flag", "env", "file", "expected"), LAYERS, ids=[r[0] for r in LAYERS]
)
def test_a_flag_beats_the_environment_beats_the_file_beats_the_default(
    tmp_path, name, flag, env, file, expected
):
    by_flag, by_env, by_file, by_default = expected
    config = toml(tmp_path, f"[mockswitch]\n{name} = {file}\n")
    variable = "MOCKSWITCH_" + name.upper()
    environ = {"MOCKSWITCH_CONFIG": str(config), variable: env}
    assert getattr(load_settings({name: flag}, environ=environ), name) == by_flag
    assert getattr(load_settings({}, environ=environ), name) == by_env
    assert getattr(load_settings({}, environ={"MOCKSWITCH_CONFIG": str(config)}), name) == by_file
    assert getattr(load_settings({}, environ={}), name) == by_default


def test_each_layer_fills_in_what_the_layers_above_leave_out(tmp_path):
    config = toml(tmp_path, 'port = 3003\nhost = "127.0.0.3"\nwait-timeout-max = 5\n')
    environ = {"MOCKSWITCH_CONFIG": str(config), "MOCKSWITCH_HOST": "127.0.0.2"}
    settings = load_settings({"journal_max": "10"}, environ=environ)
    assert (settings.journal_max, settings.host, settings.port, settings.wait_timeout_max) == (
        10,  # flag
        "127.0.0.2",  # environment
        3003,  # file, a TOML integer
        5.0,  # file, with a dashed key
    )
    assert settings.db == Settings().db  # default


@pytest.mark.parametrize("table", ["", "[mockswitch]\n"])  # top-level keys, or a table
def test_the_config_flag_beats_the_config_variable(tmp_path, table):
    flagged, variable = tmp_path / "a.toml", tmp_path / "b.toml"
    flagged.write_text(f"{table}port = 1\n")
    variable.write_text(f"{table}port = 2\n")
    settings = load_settings({"config": str(flagged)}, environ={"MOCKSWITCH_CONFIG": str(variable)})
    assert settings.port == 1


def test_the_flags_reach_the_settings_through_main(tmp_path, monkeypatch, capsys):
    """`seed` reads the same settings as `serve`: the database it writes shows the winner."""
    monkeypatch.setenv("MOCKSWITCH_DB", str(tmp_path / "env.db"))
    assert main(["seed", "--db", str(tmp_path / "flag.db")]) == 0
    assert (tmp_path / "flag.db").is_file()
    assert not (tmp_path / "env.db").exists()


# -- bad values ------------------------------------------------------------------------------

BAD = [
    # (setting, value, message after "<source>: ")
    ("port", "abc", "'abc' is not an integer"),
    ("port", "70000", "70000 is not a TCP port"),
    ("journal_max", "-1", "-1 is less than 0"),
    ("shutdown_timeout", "soon", "'soon' is not a number"),
    ("api_version", "5.0", "'5.0' is not one of 3.13, 4.2, 4.4"),
    ("log_format", "xml", "'xml' is not one of human, json"),
    ("metrics", "maybe", "'maybe' is not a boolean (use true or false)"),
    ("prefix", "local/", "'local/' must look like /local (a leading slash, no trailing one)"),
    ("cors_origins", "localhost:5173", "'localhost:5173' is not an origin such as"),
    ("cors_origins", "http://app.example/", "'http://app.example/' is not an origin such as"),
    ("cors_origins", "*,https://a.example", "'*' stands alone, not in a list"),
    ("allowed_hosts", "mock.example:8080", "'mock.example:8080' is a host name with a port"),
    ("allowed_hosts", "*,mock.example", "'*' stands alone, not in a list"),
    ("allowed_hosts", "http://mock.example", "'http://mock.example' is a URL"),
    ("allowed_hosts", "mock example", "'mock example' is not a host name such as mock.example"),
]


@pytest.mark.parametrize(("name", "value", "message"), BAD)
def test_a_bad_flag_is_refused_naming_the_flag(name, value, message):
    flag = "--" + name.replace("_", "-")
    with pytest.raises(ConfigError) as refused:
        load_settings({name: value}, environ={})
    assert str(refused.value).startswith(f"{flag}: {message}")


@pytest.mark.parametrize(("name", "value", "message"), BAD)
def test_a_bad_variable_is_refused_naming_the_variable(name, value, message):
    variable = "MOCKSWITCH_" + name.upper()
    with pytest.raises(ConfigError) as refused:
        load_settings({}, environ={variable: value})
    assert str(refused.value).startswith(f"{variable}: {message}")


@pytest.mark.parametrize(("name", "value", "message"), BAD)
def test_a_bad_file_value_is_refused_naming_the_file_and_key(tmp_path, name, value, message):
    config = toml(tmp_path, f"{name} = {value!r}\n".replace("'", '"'))
    with pytest.raises(ConfigError) as refused:
        load_settings({"config": str(config)}, environ={})
    assert str(refused.value).startswith(f"{config}: {name}: {message}")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("prot = 8081\n", "unknown settings: prot"),
        ("[mockswitch]\nport = 1\ncolour = 'red'\nsize = 2\n", "unknown settings: colour, size"),
        ("port = \n", "not valid TOML: "),
        ("port = [1, 2\n", "not valid TOML: "),
        ("port = true\n", "port: 'true' is not an integer"),
        ("port = 1.5\n", "port: '1.5' is not an integer"),
        ("[mockswitch.port]\nvalue = 1\n", "port: is a table, not a value"),
    ],
)
def test_a_bad_file_is_refused_naming_the_file(tmp_path, text, message):
    config = toml(tmp_path, text)
    with pytest.raises(ConfigError) as refused:
        load_settings({}, environ={"MOCKSWITCH_CONFIG": str(config)})
    assert str(refused.value).startswith(f"{config}: {message}")


def test_a_missing_or_unreadable_file_is_refused(tmp_path):
    for path in (tmp_path / "absent.toml", tmp_path):  # nothing there; a folder
        with pytest.raises(ConfigError) as refused:
            load_settings({"config": str(path)}, environ={})
        assert str(refused.value).startswith(f"{path}: cannot be read: ")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"port = \xff\xfe\n")
    with pytest.raises(ConfigError, match=r"binary\.toml: not valid TOML: not UTF-8 text"):
        load_settings({"config": str(binary)}, environ={})


def test_a_bad_value_stops_the_start_with_status_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MOCKSWITCH_SHUTDOWN_TIMEOUT", "-3")
    assert main(["serve", "--db", str(tmp_path / "never.db")]) == 2
    assert capsys.readouterr().err == (
        "mockswitch: MOCKSWITCH_SHUTDOWN_TIMEOUT: -3.0 is less than 0\n"
    )
    assert not (tmp_path / "never.db").exists()


# -- documented ------------------------------------------------------------------------------


def test_serve_help_documents_every_option_with_its_variable():
    shown = subprocess.run(
        [sys.executable, "-m", "mockswitch", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("MOCKSWITCH_")},
    ).stdout
    flat = " ".join(shown.split())  # argparse wraps lines
    assert "--config FILE TOML file of settings (env MOCKSWITCH_CONFIG)" in flat
    for option in OPTIONS:
        words = " ".join(option.help.split()[:4])
        assert option.cli in flat, option.name
        assert f"(env {option.env}; default " in flat, option.name
        assert words in flat, option.name
    assert "(env MOCKSWITCH_CORS_ORIGINS; default localhost)" in flat
    assert "(env MOCKSWITCH_SHUTDOWN_TIMEOUT; default 8.0)" in flat
    assert "--metrics BOOL" in flat


def test_every_setting_is_declared_once_and_its_defaults_are_the_settings_defaults():
    assert [option.name for option in OPTIONS] == list(Settings.__dataclass_fields__)
    assert {option.name: option.default for option in OPTIONS} == {
        name: getattr(Settings(), name) for name in Settings.__dataclass_fields__
    }
    assert "admin_token" not in repr(Settings(admin_token="s3cret"))


def test_the_settings_table_for_the_docs_has_a_row_per_setting():
    rows = settings_table().splitlines()
    assert rows[:2] == [
        "| flag | environment | file key | default | meaning |",
        "| --- | --- | --- | --- | --- |",
    ]
    assert len(rows) == 2 + len(OPTIONS)
    assert rows[2] == (
        "| `--host ADDR` | `MOCKSWITCH_HOST` | `host` | `127.0.0.1` | address to listen on; "
        "0.0.0.0 exposes the mock to the network |"
    )
    assert "| `--reseed` | `MOCKSWITCH_RESEED` | `reseed` | `false` |" in settings_table()
    assert "| `--admin-token TOKEN` | `MOCKSWITCH_ADMIN_TOKEN` | `admin_token` | (none) |" in (
        settings_table()
    )
