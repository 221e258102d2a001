"""The SQLite connections, and the batched commit that every change waits for.

One writer connection carries all changes, so their order is the order they were made; a
change's statements run on the event loop's thread (`Writer`), because they take less time
than a hand-off to a worker thread would. A change runs uncommitted, holding `lock`; `commit`
then queues its journal row, and a single flush per event-loop turn inserts every queued row
and commits them together. (On a thread of its own, the commit cost more than it saved:
the loop thread waited for the GIL at every hand-off, measured in docs/benchmarks.md.) A
caller awaits the flush that holds its row: nothing is answered before it is durable, and
under load a thousand calls share one commit instead of paying for a thousand.

A second, read-only connection serves the control API's queries, so a slow journal query
never holds up the calls being answered (WAL lets it read while the writer writes).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote

import aiosqlite

from . import schema
from .building import PRAGMAS as BUILDING_PRAGMAS
from .building import Building
from .checkpoints import LOG_BYTES, Checkpointer
from .dbfile import DatabaseFileError, Hold, check, discard

log = logging.getLogger("mockswitch.store")

MEMORY = ":memory:"


class SchemaMismatch(Exception):
    """The database file was made by an incompatible version of mockswitch."""


class Writer:
    """The writer connection, run on the event loop's own thread, awaited like aiosqlite's.

    Its statements are short (a point read or write, a batch of journal rows, a WAL commit
    without fsync): microseconds of SQLite, where a round trip to aiosqlite's worker thread
    costs a loop turn and a GIL hand-off, paid while holding the write lock (benchmarked in
    docs/benchmarks.md). Long work on it blocks the loop: seeding, and the default tenant's
    first copy at start (a reset or a new tenant is copied in slices: slices.py).
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.connection.execute(sql, parameters)

    async def execute_fetchall(self, sql: str, parameters: Sequence[Any] = ()) -> list[Any]:
        return self.connection.execute(sql, parameters).fetchall()

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> sqlite3.Cursor:
        return self.connection.executemany(sql, rows)

    async def commit(self) -> None:
        self.connection.commit()

    async def rollback(self) -> None:
        self.connection.rollback()

    async def close(self) -> None:
        self.connection.close()


class Database:
    """The connections, the write lock and the commit batcher."""

    def __init__(
        self,
        writer: Writer,
        reader: aiosqlite.Connection | Writer,
        path: str,
        hold: Hold | None = None,
        checkpointer: Checkpointer | None = None,
        building: Building | None = None,
    ) -> None:
        self.writer = writer
        self.reader = reader
        self.path = path
        self.hold = hold  # the lock on the file; None in memory
        self.lock = asyncio.Lock()
        self._batch: list[Sequence[Any]] = []
        self._waiters: list[asyncio.Future[None]] = []
        self._flush_scheduled = False
        self._flushing: asyncio.Task[None] | None = None
        self._write_batch: Callable[[list[Sequence[Any]]], None] | None = None
        self._after_commit: list[Callable[[], None]] = []
        # Counts the rollbacks: what memory keeps of rows (campaigns.py) is stale after one.
        self.undone = 0
        self._building = building  # a new file built beside its name (building.py)
        self.complete = building is None  # a build is moved into place only once complete
        self._checkpointer = checkpointer  # None in memory
        if checkpointer is not None:
            self._after_commit.append(checkpointer.committed)

    @classmethod
    async def open(cls, path: str, synchronous: str, build: bool = False) -> Database:
        """Open (creating if needed) the database at `path`, or a private one in memory.

        A file is checked before anything is written and locked before it is opened: an
        unusable path or a file another process holds raises `DatabaseFileError` (one line),
        leaving the disk as it was. With `build`, a file that does not exist yet is built
        beside its name and moved into place at `close`, once `complete` (building.py).
        """
        if path == MEMORY:
            memory = Writer(sqlite3.connect(MEMORY))
            try:
                await cls._prepare_schema(memory, synchronous)
            except BaseException:
                await memory.close()
                raise
            return cls(memory, memory, path)
        location = check(path)
        existed = location.exists()
        hold = Hold.take(location)
        building = Building(location) if build and Building.wanted(location) else None
        file = location if building is None else building.path
        writer: Writer | None = None
        reader: aiosqlite.Connection | None = None
        try:
            writer = Writer(sqlite3.connect(file))
            await cls._prepare_schema(writer, synchronous, building is not None)
            # The read connection opens a URI: the path is percent-encoded, or a `?`, `#` or
            # `%` in it would be read as the URI's query, fragment or an escape.
            reader = await aiosqlite.connect(f"file:{quote(str(file))}?mode=ro", uri=True)
            await reader.execute("PRAGMA busy_timeout = 5000")
            # The writer never checkpoints: a checkpoint in a commit would run on the event
            # loop's thread, between two batches, holding every call up (checkpoints.py).
            await writer.execute("PRAGMA wal_autocheckpoint = 0")
            await writer.execute(f"PRAGMA journal_size_limit = {LOG_BYTES}")
        except BaseException as error:
            for connection in (reader, writer):
                if connection is not None:
                    await connection.close()
            if not existed:  # leave no half-made file behind
                discard(location)
            if building is not None:
                building.abandon()
            hold.release()
            if isinstance(error, SchemaMismatch):
                raise SchemaMismatch(f"--db {location}: {error}") from None
            if isinstance(error, sqlite3.Error):
                raise DatabaseFileError(f"--db {location}: {error}") from None
            raise
        if building is not None:  # no log to checkpoint until it is whole
            return cls(writer, reader, path, hold, building=building)
        checkpointer = Checkpointer(str(location), synchronous)
        checkpointer.start()
        return cls(writer, reader, path, hold, checkpointer)

    @classmethod
    async def _prepare_schema(
        cls, writer: Writer, synchronous: str, building: bool = False
    ) -> None:
        for pragma in BUILDING_PRAGMAS if building else schema.PRAGMAS:
            await writer.execute(pragma.format(synchronous=synchronous))
        await cls._check_version(writer)
        for statement in schema.TABLE_STATEMENTS if building else schema.STATEMENTS:
            await writer.execute(statement)
        await writer.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
            (schema.SCHEMA_VERSION,),
        )
        await writer.commit()

    @staticmethod
    async def _check_version(writer: Writer) -> None:
        rows = await writer.execute_fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
        )
        if not rows:
            return
        found = await writer.execute_fetchall("SELECT value FROM meta WHERE key = 'schema_version'")
        version = found[0][0] if found else schema.SCHEMA_VERSION
        # An older file is brought up to date in place, one version at a time, in one
        # transaction: a start cut short leaves it as it was.
        if version in schema.MIGRATIONS:
            while version in schema.MIGRATIONS:
                for statement in schema.MIGRATIONS[version]:
                    await writer.execute(statement)
                version = str(int(version) + 1)
            await writer.execute(
                "UPDATE meta SET value = ? WHERE key = 'schema_version'", (version,)
            )
            await writer.commit()
        if version != schema.SCHEMA_VERSION:
            raise SchemaMismatch(
                f"the database was made by another version of mockswitch (schema "
                f"{version}, this one needs {schema.SCHEMA_VERSION}): delete it, or "
                f"give another --db"
            )

    async def read(self, sql: str, parameters: Sequence[Any] = ()) -> list[Any]:
        """The rows of a query run on the read-only connection, off the event loop's thread."""
        return list(await self.reader.execute_fetchall(sql, parameters))

    async def close(self) -> None:
        """Finish the pending commit, then close both connections."""
        try:
            await self.flush()
        finally:
            if self._checkpointer is not None:
                self._checkpointer.stop()  # the writer's close checkpoints what is left
            try:
                if self.reader is not self.writer:
                    await self.reader.close()
                if self._building is not None and self.complete:
                    self._building.finish(self.writer.connection)
                await self.writer.close()
                if self._building is not None and self.complete:
                    self._building.move_into_place()
            finally:  # whatever failed above, the file is free for the next start
                if self._building is not None and self._building.path.exists():
                    self._building.abandon()  # not complete, or failed on the way
                    self._building.leave_no_placeholder()
                if self.hold is not None:
                    self.hold.release()

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """Make the writes inside all-or-nothing; hold `lock` around it."""
        # Outside a transaction, SAVEPOINT would start one that its RELEASE commits at once,
        # ahead of the batched commit and of the call's journal row: open one to join it.
        if not self.writer.connection.in_transaction:
            await self.writer.execute("BEGIN")
        await self.writer.execute("SAVEPOINT change")
        try:
            yield
        except BaseException:
            self.undone += 1
            await self.writer.execute("ROLLBACK TO change")
            await self.writer.execute("RELEASE change")
            raise
        await self.writer.execute("RELEASE change")

    def set_batch_writer(self, write: Callable[[list[Sequence[Any]]], None]) -> None:
        """What writes the queued journal rows, in the commit's transaction (the journal)."""
        self._write_batch = write

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Call `callback` after every commit (the journal wakes its waiters with it)."""
        self._after_commit.append(callback)

    def commit(self, journal_row: Sequence[Any] | None = None) -> asyncio.Future[None]:
        """Queue `journal_row` (if any) and return a future done once it is committed.

        The commit also covers every change made before this call on the writer.
        """
        future = asyncio.get_running_loop().create_future()
        if journal_row is not None:
            self._batch.append(journal_row)
        self._waiters.append(future)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            # call_soon, not a task now: the calls handled in this same loop turn join the batch.
            asyncio.get_running_loop().call_soon(self._start_flush)
        return future

    def discard_queued(self, unwanted: Callable[[Sequence[Any]], bool]) -> None:
        """Take the queued journal rows that `unwanted` picks out of the next commit (the
        caller holds `lock`). A reset, a clear or a drop does this: its change must not be
        followed by the rows of calls made before it. Their callers still wait for the
        next commit, which also commits the barrier."""
        self._batch = [row for row in self._batch if not unwanted(row)]

    def _start_flush(self) -> None:
        self._flushing = asyncio.ensure_future(self._flush())

    async def _flush(self) -> None:
        async with self.lock:
            self._flush_scheduled = False
            rows, self._batch = self._batch, []
            waiters, self._waiters = self._waiters, []
            try:
                if rows and self._write_batch is not None:
                    self._write_batch(rows)
                await self.writer.commit()
            except Exception as error:  # disk full, I/O error: every waiter learns of it
                log.exception(
                    "commit failed; %d calls answered with an internal error", len(waiters)
                )
                await self._rollback_quietly()
                for waiter in waiters:
                    if not waiter.done():
                        waiter.set_exception(error)
                return
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)
        for callback in self._after_commit:
            callback()

    async def _rollback_quietly(self) -> None:
        self.undone += 1
        try:
            await self.writer.rollback()
        except Exception:
            log.exception("rollback failed")

    async def flush(self) -> None:
        """Commit whatever is queued now (used at shutdown and before maintenance)."""
        if self._flush_scheduled or self._batch or self._waiters:
            await self.commit()
        if self._flushing is not None:
            await asyncio.shield(self._flushing)
