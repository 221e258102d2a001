"""WAL checkpoints on a thread of their own, never on the event loop's.

By default SQLite copies the write-ahead log back into the database file (a checkpoint) in
the commit that finds the log past 1,000 pages. The writer commits on the event loop's thread
(`database.Writer`), so that checkpoint ran there, between two batches of calls, and held
every call up while it wrote and synced the file: on a busy disk, rounds with a p99 ten times
the usual (docs/benchmarks.md). So the writer turns automatic checkpoints off, and this thread
runs them, on a connection of its own: PASSIVE ones, which neither wait for the writer nor
make it wait, soon after commits have added to the log.

A checkpoint of another kind (RESTART, FULL, TRUNCATE) would take the write lock, and the
writer, which must never wait on the loop's thread, got "database is locked" behind it (the
dialler's large batches, docs/benchmarks.md (g)). PASSIVE ones suffice: once one has copied
the whole log and no reader still needs it, the writer's next commit starts the log again
from the beginning (SQLite does so itself), and `journal_size_limit` then cuts the file back
to `LOG_BYTES`, so a burst of writes does not leave a large log behind.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

log = logging.getLogger("mockswitch.store")

# At most this often (seconds): a checkpoint copies what the commits of the pause added.
PAUSE = 0.1
# What the log file is cut back to when the writer starts it again (the writer's
# `journal_size_limit`): a burst of writes does not leave a large file behind.
LOG_BYTES = 64 * 1024 * 1024


class Checkpointer:
    """A daemon thread that checkpoints the database at `path` after commits."""

    def __init__(self, path: str, synchronous: str, pause: float = PAUSE) -> None:
        self._path = path
        self._synchronous = synchronous
        self._pause = pause
        self._committed = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="mockswitch-checkpoints", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def committed(self) -> None:
        """Called after every commit: there is something to copy."""
        self._committed.set()

    def stop(self) -> None:
        """End the thread (the writer's close then checkpoints what is left)."""
        self._stopping.set()
        self._committed.set()
        self._thread.join()

    def _run(self) -> None:
        connection = sqlite3.connect(self._path)
        try:
            connection.execute(f"PRAGMA synchronous = {self._synchronous}")
            while True:
                self._committed.wait()
                if self._stopping.is_set():
                    return
                self._committed.clear()
                try:
                    self._checkpoint(connection)
                except sqlite3.Error:
                    log.exception("checkpoint failed; the next commit tries again")
                if self._stopping.wait(self._pause):
                    return
        finally:
            connection.close()

    @staticmethod
    def _checkpoint(connection: sqlite3.Connection) -> None:
        # PASSIVE: copies what no reader still needs, and never takes the write lock.
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
