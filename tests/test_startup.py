"""Starting up, through real processes and real files: one server per database file, any
path for it, and every refused start is one line, exit status 2, with nothing written."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from mockswitch.config import DEFAULT_FIXTURES
from mockswitch.store import Database, DatabaseInUse
from tests.process import free_port, serving

UPDATE = (
    "/api/json/bulk/campaigns/update/?auth_username=user;auth_password=password;id=123;name=example"
)
OK_204 = b'{"responses":[{"code":"204","key":"","message":"OK"}]}'


def run(
    *arguments: str, cwd: Path, command: str = "serve", port: int | None = None
) -> subprocess.CompletedProcess:
    """`python -m mockswitch COMMAND ...` to its end; serve gets `port`, else a free one."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MOCKSWITCH_")}
    if command == "serve":
        listen = ("--host", "127.0.0.1", "--port", str(port or free_port()))
    else:
        listen = ()
    return subprocess.run(
        [sys.executable, "-m", "mockswitch", command, *listen, *arguments],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def files_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# -- one database file, one server -----------------------------------------------------------


def test_a_second_server_on_a_held_file_is_refused_and_a_kill_9_frees_the_file(tmp_path):
    db = tmp_path / "switch.sqlite3"
    with serving(tmp_path, "--db", str(db)) as first:
        assert first.request("GET", UPDATE)[::2] == (200, OK_204)
        held = (
            f"mockswitch: --db {db}: in use by another mockswitch (pid {first.process.pid}); "
            "stop it, or give another --db\n"
        )
        # Another port, the same folder: the newcomer's retry the issue describes.
        for command in ("serve", "seed"):
            refused = run("--db", str(db), cwd=tmp_path, command=command)
            assert (refused.returncode, refused.stderr, refused.stdout) == (2, held, ""), command
        # The first server did not notice: it answers and its journal reads.
        assert first.request("GET", UPDATE)[::2] == (200, OK_204)
        assert [c["id"] for c in first.json("GET", "/_mock/calls")["calls"]] == [1, 2]

        first.process.send_signal(signal.SIGKILL)
        first.process.wait(10)

    # The kernel dropped the lock with the process: the file serves again, journal and all.
    with serving(tmp_path, "--db", str(db)) as second:
        assert [c["id"] for c in second.json("GET", "/_mock/calls")["calls"]] == [1, 2]
        assert second.request("GET", UPDATE)[::2] == (200, OK_204)
        assert second.json("GET", "/_mock/calls?since=2")["calls"][0]["id"] == 3
        assert second.stop()[0] == 0
    # A clean stop leaves the database and nothing beside it (the lock was on the file).
    assert files_in(tmp_path) == sorted(
        ["switch.sqlite3", *(p.name for p in tmp_path.glob("std*.txt"))]
    )


@pytest.mark.parametrize("kind", ["hard link", "symlink", "symlinked folder"])
def test_another_name_for_a_held_file_is_refused_like_its_own(tmp_path, kind):
    # The lock is the file's (its device and inode), not its name's: two servers writing one
    # file through two names corrupted it ("2nd reference to page" in integrity_check).
    db = tmp_path / "switch.sqlite3"
    other = tmp_path / "elsewhere"
    other.mkdir()
    with serving(tmp_path, "--db", str(db)) as first:
        assert first.request("GET", UPDATE)[::2] == (200, OK_204)
        if kind == "hard link":
            alias = other / "alias.sqlite3"
            os.link(db, alias)
        elif kind == "symlink":
            alias = other / "alias.sqlite3"
            alias.symlink_to(db)
        else:
            (other / "link").symlink_to(tmp_path, target_is_directory=True)
            alias = other / "link" / "switch.sqlite3"
        shown = alias if kind == "hard link" else db  # a symlink is named by its target
        held = (
            f"mockswitch: --db {shown}: in use by another mockswitch (pid "
            f"{first.process.pid}); stop it, or give another --db\n"
        )
        for command in ("serve", "seed"):
            refused = run("--db", str(alias), cwd=other, command=command)
            assert (refused.returncode, refused.stderr, refused.stdout) == (2, held, ""), command
        assert first.request("GET", UPDATE)[::2] == (200, OK_204)
        assert first.stop()[0] == 0
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("SELECT COUNT(*) FROM calls").fetchone() == (2,)
    connection.close()


async def test_two_opens_in_one_process_are_refused_too(tmp_path):
    db = tmp_path / "switch.sqlite3"
    first = await Database.open(str(db), "NORMAL")
    try:
        with pytest.raises(
            DatabaseInUse, match=rf"in use by another mockswitch \(pid {os.getpid()}\)"
        ):
            await Database.open(str(db), "NORMAL")
    finally:
        await first.close()
    second = await Database.open(str(db), "NORMAL")  # released on close
    await second.close()


# -- any --db path ---------------------------------------------------------------------------

ODD_NAMES = [
    "what?.sqlite3",  # a URI's query
    "a#b.sqlite3",  # a URI's fragment
    "100%.sqlite3",  # a bare percent
    "%41%2f.sqlite3",  # a percent escape that would decode to A/
    "with space.sqlite3",
    "naïve 日本.sqlite3",
]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_any_db_path_serves_and_its_journal_reads(tmp_path, name):
    folder = tmp_path / "odd ?#% folder"
    folder.mkdir()
    db = folder / name
    with serving(tmp_path, "--db", str(db)) as server:
        assert server.request("GET", UPDATE)[::2] == (200, OK_204)
        status, _, body = server.request("GET", "/_mock/calls")  # the read connection
        assert status == 200, body
        calls = json.loads(body)["calls"]
        assert [(c["function"], c["code"]) for c in calls] == [("bulk/campaigns/update", "204")]
        assert server.stop()[0] == 0
    assert files_in(folder) == [name]  # that file, and no other made from a cut-off name
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT COUNT(*) FROM calls").fetchone() == (1,)


# -- every unusable --db: one line, exit 2, nothing written ----------------------------------


def unwritable_folder(tmp_path: Path) -> tuple[Path, str]:
    """A folder that refuses a new file, and the system's reason, as mockswitch will print it."""
    if os.geteuid() != 0:
        folder = tmp_path / "read-only"
        folder.mkdir()
        folder.chmod(0o500)
        return folder, "Permission denied"
    # root writes anywhere permissions allow; sysfs refuses new files even to root, with
    # "Permission denied", or "Read-only file system" where a container mounts it so.
    folder = Path("/sys")
    try:
        (folder / "mockswitch-probe").open("x").close()
    except OSError as refused:
        return folder, refused.strerror
    pytest.skip("no folder here refuses root a new file")


@pytest.mark.parametrize("command", ["serve", "seed"])
@pytest.mark.parametrize("case", ["folder", "missing parent", "not sqlite", "unwritable"])
def test_an_unusable_db_is_one_line_and_exit_2_with_nothing_written(tmp_path, case, command):
    work = tmp_path / "work"
    work.mkdir()
    if case == "folder":
        db = work / "data"
        db.mkdir()
        expected = f"--db {db}: is a folder, not a database file"
    elif case == "missing parent":
        db = work / "missing" / "switch.sqlite3"
        expected = (
            f"--db {db}: the folder {db.parent} does not exist (mockswitch does not create it)"
        )
    elif case == "not sqlite":
        db = work / "notes.txt"
        db.write_text("these are my notes, not a database\n")
        expected = f"--db {db}: is not a SQLite database"
    else:
        folder, reason = unwritable_folder(tmp_path)
        db = folder / "switch.sqlite3"
        expected = f"--db {db}: cannot create files in {folder}: {reason}"
    before = files_in(work)
    finished = run("--db", str(db), cwd=work, command=command)
    assert (finished.returncode, finished.stderr) == (2, f"mockswitch: {expected}\n")
    assert files_in(work) == before
    if case == "not sqlite":
        assert db.read_text() == "these are my notes, not a database\n"


def test_a_busy_port_stops_the_start_before_any_database_file(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        finished = run("--db", "switch.sqlite3", cwd=tmp_path, port=port)
    assert (finished.returncode, finished.stderr) == (
        2,
        f"mockswitch: cannot listen on 127.0.0.1:{port}: Address already in use (another "
        "server on that port? --port 0 picks a free one)\n",
    )
    assert files_in(tmp_path) == []


# -- fixtures --------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["serve", "seed"])
def test_an_empty_fixtures_folder_is_refused(tmp_path, command):
    empty = tmp_path / "fixtures"
    empty.mkdir()
    (empty / "README.md").write_text("my fixtures go here\n")  # not a fixture file
    finished = run(
        "--db", "switch.sqlite3", "--fixtures", str(empty), cwd=tmp_path, command=command
    )
    assert (finished.returncode, finished.stderr) == (
        2,
        f"mockswitch: {empty}: the fixtures folder holds no fixture files (.json, .yaml, .yml)\n",
    )
    assert files_in(tmp_path) == ["fixtures", "fixtures/README.md"]  # no database


def test_fixtures_naming_a_file_says_so(tmp_path):
    file = DEFAULT_FIXTURES / "campaigns.json"
    finished = run("--db", "switch.sqlite3", "--fixtures", str(file), cwd=tmp_path)
    assert (finished.returncode, finished.stderr) == (
        2,
        f"mockswitch: {file}: is a file; --fixtures takes the folder that holds the files\n",
    )
    assert files_in(tmp_path) == []


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (("--api-version", "9.9"), "--api-version: '9.9' is not one of 3.13, 4.2, 4.4"),
        (
            ("--faults", '[{"action": {"type": "teleport"}}]'),
            "the faults given inline: rule 1: action.type: must be one of: ",
        ),
    ],
)
def test_bad_settings_stop_the_start_before_any_database_file(tmp_path, flags, message):
    finished = run("--db", "switch.sqlite3", *flags, cwd=tmp_path)
    assert finished.returncode == 2
    assert finished.stderr.startswith(f"mockswitch: {message}"), finished.stderr
    assert finished.stderr.count("\n") == 1, finished.stderr  # one line
    assert files_in(tmp_path) == []
