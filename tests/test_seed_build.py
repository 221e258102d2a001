"""`mockswitch seed` into a new file builds it beside its name and renames it when whole.

The build runs with SQLite's journal and syncs off (store/building.py): what a crash leaves
must never be taken for a seeded database. These tests kill a real `mockswitch seed` process
in the middle of its build, and make a build fail, and look at the files left.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from mockswitch.cli.main import main
from mockswitch.store import seeding

ROOT = Path(__file__).resolve().parent.parent


def files(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir()}


def test_kill_9_during_a_build_leaves_no_database_and_the_next_seed_builds_it(tmp_path):
    db = tmp_path / "new.sqlite3"
    building = tmp_path / "new.sqlite3.seeding"
    command = [sys.executable, "-m", "mockswitch", "seed", "--db", str(db), "--generate", "20000"]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while not (building.exists() and building.stat().st_size > 1_000_000):
            assert process.poll() is None, "the seed ended before it was seen building"
            assert time.monotonic() < deadline, "never saw the build under way"
            time.sleep(0.002)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(10)
    # Nothing under the name but the empty file the lock was taken on: a start takes it for
    # a new database.
    assert db.stat().st_size == 0

    assert main(["seed", "--db", str(db), "--generate", "10"]) == 0
    assert files(tmp_path) == {"new.sqlite3"}


def test_a_build_that_fails_leaves_nothing(tmp_path, monkeypatch, capsys):
    def broken(*_: object) -> None:
        raise OSError("disk full, say")

    monkeypatch.setattr(seeding, "copy_seed", broken)
    monkeypatch.setattr("mockswitch.store.store.copy_seed", broken)
    assert main(["seed", "--db", str(tmp_path / "new.sqlite3")]) == 1
    assert "disk full, say" in capsys.readouterr().err
    assert files(tmp_path) == set()
