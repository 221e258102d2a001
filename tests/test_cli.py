"""The command line: `mockswitch serve | seed`, its settings, and a real server process."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from mockswitch.cli.main import build_parser, main
from mockswitch.config import DEFAULT_FIXTURES as FIXTURES
from mockswitch.config import OPTIONS, ConfigError, Settings, load_settings
from tests.cast import SEEDED
from tests.helpers import every_campaign

SEED_COUNTS = (
    "2 rateplans, 5 roles, 5 customers, 7 people, 4 phones, 2 queues, 2 timegroups, "
    "2 recordgroups, 6 dtypes, 6 campaigns, 18 destinations"
)


@pytest.fixture(autouse=True)
def no_settings_from_the_environment(monkeypatch):
    """A developer's own MOCKSWITCH_* variables must not leak into these tests."""
    for name in list(os.environ):
        if name.startswith("MOCKSWITCH_"):
            monkeypatch.delenv(name)


# -- main() ----------------------------------------------------------------------------------


def test_main_returns_an_int_for_help_and_usage_errors(capsys):
    assert main(["serve", "--help"]) == 0
    assert main(["serve", "--no-such-flag"]) == 2
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "unrecognized argument: --no-such-flag" in err
    assert "the following arguments are required: COMMAND" in err


# -- usage errors suggest, under the command's own usage --------------------------------------

CALLS_USAGE = """\
usage: mockswitch calls [-h] [--url URL] [--tenant TENANT]
                        [--function FUNCTION] [--method METHOD] [--code CODE]
                        [--username USERNAME] [--since ID|TIME]
                        [--until ID|TIME] [--param NAME=VALUE] [--limit N]
                        [--order {asc,desc}] [-f] [--json]
"""
TOP_USAGE = "usage: mockswitch [-h] [--version] COMMAND ...\n"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["serve", "--prot", "8081"],
            "usage: mockswitch serve [options]\n"
            "mockswitch serve: error: unrecognized argument: --prot (did you mean --port?)\n",
        ),
        (
            ["serve", "--port", "8081", "--hots=0.0.0.0"],
            "usage: mockswitch serve [options]\n"
            "mockswitch serve: error: unrecognized argument: --hots=0.0.0.0 (did you mean "
            "--host?)\n",
        ),
        (
            ["serve", "--flavour", "mint"],
            "usage: mockswitch serve [options]\n"
            "mockswitch serve: error: unrecognized argument: --flavour\n",
        ),
        (
            ["serve", "extra"],
            "usage: mockswitch serve [options]\n"
            "mockswitch serve: error: unrecognized argument: extra\n",
        ),
        (
            ["calls", "--limt", "3"],
            CALLS_USAGE
            + "mockswitch calls: error: unrecognized argument: --limt (did you mean --limit?)\n",
        ),
        (
            ["calls", "--order", "ascc"],
            CALLS_USAGE + "mockswitch calls: error: argument --order: invalid choice: 'ascc' "
            "(did you mean 'asc'? choose from 'asc', 'desc')\n",
        ),
        (
            ["seed", "--sed", "3"],
            "usage: mockswitch seed [-h] [--config FILE] [--db PATH] [--fixtures DIR]\n"
            "                       [--sync MODE] [--generate N] [--seed S]\n"
            "mockswitch seed: error: unrecognized argument: --sed (did you mean --seed?)\n",
        ),
        (
            ["serv", "--port", "8081"],
            TOP_USAGE + "mockswitch: error: argument COMMAND: invalid choice: 'serv' (did you "
            "mean 'serve'? choose from 'serve', 'seed', 'calls', 'verify')\n",
        ),
        (
            ["frobnicate"],
            TOP_USAGE + "mockswitch: error: argument COMMAND: invalid choice: 'frobnicate' "
            "(choose from 'serve', 'seed', 'calls', 'verify')\n",
        ),
    ],
)
def test_a_typo_gets_did_you_mean_under_the_commands_own_usage(monkeypatch, capsys, argv, expected):
    monkeypatch.setenv("COLUMNS", "80")  # argparse wraps the usage to the terminal's width
    assert main(argv) == 2
    assert capsys.readouterr() == ("", expected)


def test_an_unknown_flag_is_named_before_a_missing_required_one(capsys):
    assert main(["verify", "--swich", "https://switch.example.com", "--username", "a"]) == 2
    err = capsys.readouterr().err
    assert err.endswith(
        "\nmockswitch verify: error: unrecognized argument: --swich (did you mean --switch?)\n"
    ), err
    assert err.startswith("usage: mockswitch verify ")


def test_a_setting_with_choices_suggests_the_nearest(capsys):
    assert main(["serve", "--http-status", "mirorr"]) == 2
    assert capsys.readouterr().err == (
        "mockswitch: --http-status: 'mirorr' is not one of enswitch, mirror (did you mean "
        "mirror?)\n"
    )


def test_serve_help_lists_every_option_with_its_environment_variable(capsys):
    assert main(["serve", "--help"]) == 0
    # argparse wraps lines; compare with whitespace collapsed.
    shown = " ".join(capsys.readouterr().out.split())
    for option in OPTIONS:
        assert option.cli in shown, option.name
        assert f"env {option.env};" in shown, option.name
    assert "--config FILE" in shown


def test_seed_help_lists_only_the_options_seeding_uses(capsys):
    commands = next(a for a in build_parser()._actions if a.dest == "command")
    flags = {a.option_strings[-1] for a in commands.choices["seed"]._actions}
    assert flags == {"--help", "--config", "--db", "--fixtures", "--sync", "--generate", "--seed"}
    assert main(["seed", "--help"]) == 0
    shown = " ".join(capsys.readouterr().out.split())
    for name in ("db", "fixtures", "sync"):
        option = next(o for o in OPTIONS if o.name == name)
        assert f"{option.cli} {option.metavar} {option.help} (env {option.env};" in shown
    assert "--port" not in shown


def test_calls_help_describes_every_option(capsys):
    commands = next(a for a in build_parser()._actions if a.dest == "command")
    calls = commands.choices["calls"]
    undescribed = [a.option_strings for a in calls._actions if not a.help]
    assert undescribed == []
    assert main(["calls", "--help"]) == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert "--order {asc,desc} asc: oldest first (default); desc: newest first" in shown
    assert (
        "--since ID|TIME only later calls: a call id (the calls after it), or an ISO 8601 "
        "time such as 2026-01-31T12:00:00Z, UTC unless it gives an offset (the calls at or "
        "after it)"
    ) in shown
    assert (
        "--until ID|TIME only earlier calls: a call id (the calls up to it, it included), or "
        "an ISO 8601 time such as 2026-01-31T12:05:00Z (the calls at or before it)"
    ) in shown


def test_seed_writes_a_database_file(tmp_path, capsys):
    db = tmp_path / "switch.sqlite3"
    assert main(["seed", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"mockswitch: seeded {db} from {Settings().fixtures_path()}"), out
    assert out.endswith(f": {SEED_COUNTS}\n"), out
    assert db.is_file()


async def test_a_seeded_file_serves_the_seed(serve, tmp_path):
    db = tmp_path / "switch.sqlite3"
    # `main` runs its own event loop: run it in a thread, away from the test's loop.
    assert (
        await asyncio.to_thread(main, ["seed", "--db", str(db), "--fixtures", str(FIXTURES)]) == 0
    )
    client = await serve(db=str(db))
    assert await every_campaign(client) == SEEDED


def test_seed_does_without_aiohttp(tmp_path):
    """`seed` is the web server's work without the web server: it never pays aiohttp's
    import time (about 160 ms)."""
    db = tmp_path / "switch.sqlite3"
    script = (
        "import sys\n"
        "from mockswitch.cli.main import main\n"
        f"assert main(['seed', '--db', {str(db)!r}]) == 0\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'aiohttp'))\n"
    )
    finished = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.splitlines()[-1] == "[]"


def test_seed_into_memory_works(capsys):
    assert main(["seed", "--db", ":memory:"]) == 0
    assert capsys.readouterr().out.startswith("mockswitch: seeded :memory: from ")


def test_seed_from_a_missing_folder_exits_2(tmp_path, capsys):
    missing = tmp_path / "nowhere"
    assert main(["seed", "--db", ":memory:", "--fixtures", str(missing)]) == 2
    assert capsys.readouterr().err == (
        f"mockswitch: {missing}: the fixtures folder does not exist\n"
    )


# -- bad values name their source ------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--port", "abc"], "--port: 'abc' is not an integer"),
        (["--port", "70000"], "--port: 70000 is not a TCP port"),
        (["--api-version", "5.0"], "--api-version: '5.0' is not one of 3.13, 4.2, 4.4"),
        (["--prefix", "local/"], "--prefix: 'local/' must look like /local"),
        (["--max-request-bytes", "10"], "--max-request-bytes: 10 is less than 1024"),
    ],
)
def test_a_bad_flag_exits_2_naming_the_flag(capsys, flags, message):
    assert main(["serve", *flags]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"mockswitch: {message}"), err


def test_a_bad_environment_variable_exits_2_naming_the_variable(monkeypatch, capsys):
    monkeypatch.setenv("MOCKSWITCH_PORT", "abc")
    assert main(["serve"]) == 2
    assert capsys.readouterr().err == "mockswitch: MOCKSWITCH_PORT: 'abc' is not an integer\n"


def test_a_bad_boolean_in_the_environment_is_refused(monkeypatch, capsys):
    monkeypatch.setenv("MOCKSWITCH_QUIET", "maybe")
    assert main(["seed", "--db", ":memory:"]) == 2
    assert capsys.readouterr().err == (
        "mockswitch: MOCKSWITCH_QUIET: 'maybe' is not a boolean (use true or false)\n"
    )


def test_a_bad_value_in_the_file_exits_2_naming_the_file_and_key(tmp_path, capsys):
    config = tmp_path / "mockswitch.toml"
    config.write_text('port = "abc"\n')
    assert main(["serve", "--config", str(config)]) == 2
    assert capsys.readouterr().err == f"mockswitch: {config}: port: 'abc' is not an integer\n"


def test_an_unknown_key_in_the_file_is_refused(tmp_path, capsys):
    config = tmp_path / "mockswitch.toml"
    config.write_text("[mockswitch]\nport = 8081\nprot = 8082\nflavour = 1\n")
    assert main(["serve", "--config", str(config)]) == 2
    assert capsys.readouterr().err == (
        f"mockswitch: {config}: unknown settings: flavour, prot (did you mean port?)\n"
    )


def test_a_file_that_is_not_toml_is_refused(tmp_path):
    config = tmp_path / "mockswitch.toml"
    config.write_text("port = \n")
    with pytest.raises(ConfigError, match=r"mockswitch\.toml: not valid TOML: "):
        load_settings({"config": str(config)}, environ={})


def test_a_missing_file_is_refused(tmp_path):
    config = tmp_path / "absent.toml"
    with pytest.raises(ConfigError, match=r"absent\.toml: cannot be read: "):
        load_settings({}, environ={"MOCKSWITCH_CONFIG": str(config)})


# -- precedence: flag > environment > file > default -----------------------------------------


def test_precedence_flag_then_environment_then_file_then_default(tmp_path):
    config = tmp_path / "mockswitch.toml"
    config.write_text('port = 3003\nhost = "127.0.0.3"\nprefix = "/file"\nquiet = true\n')
    environ = {
        "MOCKSWITCH_CONFIG": str(config),
        "MOCKSWITCH_PORT": "2002",
        "MOCKSWITCH_HOST": "127.0.0.2",
    }
    settings = load_settings({"port": "1001"}, environ=environ)
    assert (settings.port, settings.host, settings.prefix, settings.quiet) == (
        1001,  # the flag
        "127.0.0.2",  # the environment
        "/file",  # the file
        True,  # the file, a TOML boolean
    )
    assert settings.db == Settings().db == "mockswitch.sqlite3"  # the default
    assert load_settings({}, environ=environ).port == 2002
    assert load_settings({}, environ={"MOCKSWITCH_CONFIG": str(config)}).port == 3003
    assert load_settings({}, environ={}) == Settings()


def test_precedence_holds_through_main(tmp_path, monkeypatch, capsys):
    from_file, from_env, from_flag = (tmp_path / n for n in ("file.db", "env.db", "flag.db"))
    config = tmp_path / "mockswitch.toml"
    config.write_text(f'db = "{from_file}"\n')
    monkeypatch.setenv("MOCKSWITCH_CONFIG", str(config))
    assert main(["seed"]) == 0
    monkeypatch.setenv("MOCKSWITCH_DB", str(from_env))
    assert main(["seed"]) == 0
    assert main(["seed", "--db", str(from_flag)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split(" from ")[0] for line in out] == [
        f"mockswitch: seeded {from_file}",
        f"mockswitch: seeded {from_env}",
        f"mockswitch: seeded {from_flag}",
    ]
    assert all(path.is_file() for path in (from_file, from_env, from_flag))


# -- a real process --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get_json(url: str) -> tuple[int, dict]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, json.loads(response.read())


def test_python_m_mockswitch_serve_answers_and_stops_on_ctrl_c(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MOCKSWITCH_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "mockswitch", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,  # the default database file lands here
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, health = get_json(f"{base}/_mock/health")
                break
            except OSError:  # not listening yet, or slow to answer on a loaded machine
                assert process.poll() is None, process.communicate(timeout=5)
                assert time.monotonic() < deadline, "the server did not answer in time"
                time.sleep(0.05)
        assert (status, health["status"]) == (200, "ok")

        # The vendor page's example, verbatim.
        url = (
            f"{base}/api/json/bulk/campaigns/update/?auth_username=user;auth_password=password;"
            "id=123;name=example"
        )
        assert get_json(url) == (200, {"responses": [{"code": "204", "key": "", "message": "OK"}]})

        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
        assert process.returncode == 0, err
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=10)
    assert f"serving http://127.0.0.1:{port}/api/json/ (database mockswitch.sqlite3" in (
        out.decode()
    )
    assert b"Traceback" not in err, err.decode()
    assert (tmp_path / "mockswitch.sqlite3").is_file()
