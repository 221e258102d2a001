"""WAL checkpoints run off the event loop's thread, and keep the log from growing for ever.

The writer never checkpoints (`wal_autocheckpoint = 0`, so never in a commit on the loop's
thread); `store/checkpoints.py` does, from its own thread and connection. The step is
driven directly on real files where its outcome is checked, and the thread through a real
store, watched until it has done its work.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading

import pytest

from mockswitch.config import Settings
from mockswitch.dataset.fixtures import load_dataset
from mockswitch.store import Store
from mockswitch.store.checkpoints import Checkpointer

LONG = 1000  # pages: a log SQLite itself would checkpoint (its default threshold)


def log_pages(path: str) -> int:
    """How many pages the write-ahead log holds now (a PASSIVE checkpoint reports it)."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]
    finally:
        conn.close()


@pytest.fixture
def writer(tmp_path):
    path = str(tmp_path / "db.sqlite3")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")  # as the store's writer
    conn.execute("CREATE TABLE t (x TEXT)")
    conn.commit()
    try:
        yield path, conn
    finally:
        conn.close()


def fill(conn: sqlite3.Connection, pages: int) -> None:
    conn.executemany("INSERT INTO t VALUES (?)", [("x" * 4000,)] * pages)
    conn.commit()


def checkpoint_once(path: str) -> None:
    checkpoints = sqlite3.connect(path)
    try:
        Checkpointer._checkpoint(checkpoints)
    finally:
        checkpoints.close()


async def test_the_store_writer_leaves_checkpoints_to_their_thread(tmp_path):
    store = await Store.open(str(tmp_path / "db.sqlite3"), load_dataset(Settings().fixtures_path()))
    try:
        assert await store.db.writer.execute_fetchall("PRAGMA wal_autocheckpoint") == [(0,)]
        names = {thread.name for thread in threading.enumerate()}
        assert "mockswitch-checkpoints" in names
    finally:
        await store.close()
    assert "mockswitch-checkpoints" not in {thread.name for thread in threading.enumerate()}


def test_a_long_log_is_copied_and_started_afresh(writer):
    path, conn = writer
    fill(conn, LONG + 100)
    assert log_pages(path) > LONG
    checkpoint_once(path)
    fill(conn, 3)  # the next commit writes from the start of the log
    assert log_pages(path) < 10


def test_a_log_held_by_a_reader_is_restarted_once_free(writer):
    # A reader in the middle of a read keeps the log from being restarted (it may need its
    # pages); the checkpoint neither waits for it nor stalls the writer, and once the reader
    # is done, the next checkpoint lets the writer's next commit start the log afresh.
    path, conn = writer
    fill(conn, 10)
    reader = sqlite3.connect(path)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM t").fetchone()  # holds its snapshot
    fill(conn, 4 * LONG + 100)
    checkpoint_once(path)
    fill(conn, 3)
    assert log_pages(path) > 4 * LONG  # not restarted under the reader
    reader.execute("COMMIT")
    reader.close()
    checkpoint_once(path)
    fill(conn, 3)
    assert log_pages(path) < 10


class CheckpointsWatched:
    """Counts the checkpoint thread's checkpoints, so that a test can wait for one that
    started after a given moment: an event to wait on, not a sleep that a loaded machine
    can outlast."""

    def __init__(self, monkeypatch) -> None:
        self._changed = threading.Condition()
        self._started = self._finished = 0
        step = Checkpointer._checkpoint

        def counted(connection: sqlite3.Connection) -> None:
            with self._changed:
                self._started += 1
                mine = self._started
            step(connection)
            with self._changed:
                self._finished = mine
                self._changed.notify_all()

        monkeypatch.setattr(Checkpointer, "_checkpoint", staticmethod(counted))

    def started(self) -> int:
        with self._changed:
            return self._started

    def one_after(self, mark: int, within: float = 30) -> None:
        """Wait for a checkpoint that started after `started()` gave `mark` to finish."""
        with self._changed:
            assert self._changed.wait_for(lambda: self._finished > mark, within)


async def test_steady_writes_through_the_store_keep_the_log_bounded(tmp_path, monkeypatch):
    # Each round writes about a thousand pages and commits; the checkpoint thread, woken by
    # the commit, copies the log, and the next round's commit starts it again from the
    # beginning: it never holds much more than one round's pages.
    checkpoints = CheckpointsWatched(monkeypatch)
    db = tmp_path / "steady.sqlite3"
    store = await Store.open(str(db), load_dataset(Settings().fixtures_path()))
    try:
        await store.db.writer.execute("CREATE TABLE filler (x TEXT)")
        wal = f"{db}-wal"
        largest = 0
        for _ in range(30):
            async with store.lock:
                await store.db.writer.executemany(
                    "INSERT INTO filler VALUES (?)", [("y" * 4000,)] * 1000
                )
                await store.db.writer.execute("DELETE FROM filler")
            # Counted before the commit: the thread, idle since the last round's checkpoint,
            # may start this one as soon as the commit wakes it.
            mark = checkpoints.started()
            await store.db.commit()
            await asyncio.to_thread(checkpoints.one_after, mark)  # the thread's turn
            largest = max(largest, await asyncio.to_thread(os.path.getsize, wal))
        # Without restarts the log would hold every round's pages (120 MB and more); with
        # them, one round's (measured: 4.5 MB). (The bound was a quarter of all rounds'
        # pages, 30 MB, when a 50 ms sleep stood for the thread's turn.)
        assert largest < 3 * 1000 * 4096, largest
    finally:
        await store.close()


def test_a_checkpoint_never_asks_for_the_write_lock(writer):
    # RESTART, FULL and TRUNCATE checkpoints take the write lock: the writer, on the event
    # loop's thread, then got "database is locked" in the dialler's large batches (the
    # benchmark's (g)). Even a long log, all of it copyable, gets PASSIVE ones only.
    path, conn = writer
    fill(conn, 4 * LONG + 100)
    checkpoints = sqlite3.connect(path)
    statements: list[str] = []
    checkpoints.set_trace_callback(statements.append)
    try:
        for _ in range(3):
            Checkpointer._checkpoint(checkpoints)
    finally:
        checkpoints.close()
    assert statements == ["PRAGMA wal_checkpoint(PASSIVE)"] * 3
    fill(conn, 3)  # and the log starts again from the beginning
    assert log_pages(path) < 10
