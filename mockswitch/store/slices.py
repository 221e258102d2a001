"""Big copies and deletions a slice at a time, so that no tenant waits for another's.

The writer runs on the event loop's thread (`database.Writer`): a reset that copied the
generator's 100,000-campaign seed in one statement held every other tenant's calls for more
than a second. So a reset (or a creation) copies the seed into a new tenant id that nobody
reads yet, `SLICE_ROWS` rows at a time, each slice under the write lock and the loop free
between slices; then the tenant moves to its new id in one short transaction (`Store.reset`),
which is the barrier. The rows left behind under the old id, its journal and its dials with
them, are deleted in that same transaction up to `SLICE_ROWS` rows (the whole of a default
data set's tenant), and the rest by the `Sweeper`, a slice at a time, in the background.

An id being filled or swept is listed in `meta` (`GARBAGE`), in the transaction that takes it
and in the one that leaves it, so that after a crash the next start sweeps it: a half copy or
a half deletion is never a tenant's. Both walks are stateless (each slice starts from what
the file holds), so a slice rolled back with its batch leaves no gap.
"""

from __future__ import annotations

import asyncio
import json
import logging

from .database import Database, Writer
from .meta import write_meta
from .tenant_rows import DATA, LEFT_BEHIND

log = logging.getLogger("mockswitch.store")

# Rows per slice: a few milliseconds of SQLite on the project's machine, the longest that
# another tenant's call waits for a copy or a sweep.
SLICE_ROWS = 1000
GARBAGE = "garbage_tenants"  # the meta key: the ids whose rows are to be deleted


async def copy_some(writer: Writer, tenant: int, rows: int = SLICE_ROWS) -> bool:
    """Copy up to `rows` more of the seed's rows into `tenant` (the caller holds the lock);
    True once the copy is whole. Each table resumes after the last key `tenant` holds."""
    for walk in DATA:
        last = await writer.execute_fetchall(walk.last, (tenant,))
        if last:
            cursor = await writer.execute(walk.copy_after, (tenant, *last[0], rows))
        else:
            cursor = await writer.execute(walk.copy_first, (tenant, rows))
        rows -= cursor.rowcount
        if rows <= 0:
            return False
    return True


async def delete_some(writer: Writer, tenant: int, rows: int = SLICE_ROWS) -> bool:
    """Delete up to `rows` of `tenant`'s rows, data, journal and dials (the caller holds the
    lock); True once none is left."""
    for walk in LEFT_BEHIND:
        bound = await writer.execute_fetchall(walk.bound, (tenant, rows - 1))
        if bound:
            await writer.execute(walk.delete_upto, (tenant, *bound[0]))
            return False
        cursor = await writer.execute(walk.delete_whole, (tenant,))
        rows -= cursor.rowcount
        if rows <= 0:
            return False
    return True


async def read_garbage(writer: Writer) -> list[int]:
    rows = await writer.execute_fetchall("SELECT value FROM meta WHERE key = ?", (GARBAGE,))
    return json.loads(rows[0][0]) if rows else []


async def write_garbage(writer: Writer, ids: list[int]) -> None:
    """Store the list of ids to sweep (the caller holds the lock; the next commit keeps it).
    An empty one is no row at all: a database with nothing to sweep is as it always was."""
    if not ids:
        await writer.execute("DELETE FROM meta WHERE key = ?", (GARBAGE,))
        return
    await write_meta(writer, {GARBAGE: json.dumps(sorted(set(ids)))})


async def list_garbage(writer: Writer, tenant: int) -> None:
    await write_garbage(writer, [*await read_garbage(writer), tenant])


async def unlist_garbage(writer: Writer, tenant: int) -> None:
    await write_garbage(writer, [i for i in await read_garbage(writer) if i != tenant])


class Sweeper:
    """Deletes the rows of the ids listed as garbage, a slice at a time, in the background."""

    def __init__(self, db: Database, rows: int = SLICE_ROWS) -> None:
        self._db = db
        self._rows = rows
        self._more = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.busy: set[int] = set()  # ids being filled: listed, but not to be swept yet
        self.idle = asyncio.Event()  # set while nothing is listed that could be swept

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())
        self.wake()  # whatever a crash left listed

    def wake(self) -> None:
        self.idle.clear()
        self._more.set()

    async def stop(self) -> None:
        """Stop sweeping; what is still listed is swept after the next start."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while True:
            await self._more.wait()
            self._more.clear()
            try:
                await self.sweep()
            except Exception:
                log.exception("sweeping the rows of removed tenants failed; trying again soon")
                await asyncio.sleep(1)
                self._more.set()
                continue
            if not self._more.is_set():
                self.idle.set()

    async def sweep(self) -> None:
        """Delete the rows of every id listed as garbage and not being filled, now."""
        while True:
            async with self._db.lock:
                listed = await read_garbage(self._db.writer)
            pending = [i for i in listed if i not in self.busy]
            if not pending:
                return
            await self._sweep(pending[0])

    async def _sweep(self, tenant: int) -> None:
        while True:
            async with self._db.lock:
                done = await delete_some(self._db.writer, tenant, self._rows)
                if done:  # in the transaction of the last slice: listed while rows remain
                    await unlist_garbage(self._db.writer, tenant)
            # Between slices, the calls waiting for the lock go first, and so does the
            # commit they wait for.
            await self._db.commit()
            if done:
                return
