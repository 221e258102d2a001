"""WAL checkpoints on a thread of their own, never on the event loop's.

By default SQLite copies the write-ahead log back into the database file (a checkpoint) in
the commit that finds the log past 1,000 pages. The writer commits on the event loop's thread
(`database.Writer`), so that checkpoint ran there, between two batches of calls, and held
every call up while it wrote and synced the file: on a busy disk, rounds with a p99 ten times
the usual (docs/benchmarks.md). So the writer turns automatic checkpoints off, and this thread
runs them, on a connection of its own: PASSIVE ones, which neither wait for the writer nor
make it wait, soon after commits have added to the log.

A PASSIVE checkpoint copies the log but never lets SQLite start it again from the beginning
while the writer keeps writing: under steady writes (a reset in a loop) the log would grow
without end, and every read with it. So once the log is past `RESTART_PAGES` and a PASSIVE
checkpoint has copied all of it, a RESTART checkpoint has the next commit start the log
afresh. It takes the write lock for a moment only, with nothing left to copy (a writer that
wants the lock meanwhile waits for it; this side waits at most `RESTART_WAIT_MS`). Only a log
past `LIMIT_PAGES` that the PASSIVE ones never caught up with is copied under the lock.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

log = logging.getLogger("mockswitch.store")

# At most this often (seconds): a checkpoint copies what the commits of the pause added.
PAUSE = 0.1
RESTART_PAGES = 1000  # SQLite's own threshold for its automatic checkpoints (4 MB)
RESTART_WAIT_MS = 20  # how long the RESTART waits for the writer, else it tries later
CATCH_UP_TRIES = 5  # PASSIVE checkpoints in a row while commits keep adding to the log
LIMIT_PAGES = 4 * RESTART_PAGES  # a log this long is restarted even if not caught up


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
            connection.execute(f"PRAGMA busy_timeout = {RESTART_WAIT_MS}")
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
        for _ in range(CATCH_UP_TRIES):
            _, pages, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            if pages < RESTART_PAGES:
                return
            # All copied, or never catching up with the writes: then the rest is copied
            # holding the write lock, so that the log stops growing.
            if copied == pages or pages >= LIMIT_PAGES:
                busy, _, _ = connection.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
                if busy:
                    log.debug("the log is in use (%d pages); restarting it later", pages)
                return
