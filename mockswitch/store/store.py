"""`Store`: the database opened and seeded, its tenant ids, and the changes that span them
(create, reset, journal clear, drop) made as barriers under the write lock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from mockswitch.config import Settings
from mockswitch.dataset.fixtures import Dataset

from .database import Database
from .journal import Journal
from .meta import write_meta
from .retries import close_interrupted
from .schema import DEFAULT_TENANT
from .seeding import copy_seed, write_seed
from .slices import (
    Sweeper,
    copy_some,
    delete_some,
    list_garbage,
    unlist_garbage,
)
from .tenant import TenantData

log = logging.getLogger("mockswitch.store")
# The settings' documented defaults, declared once in config.py, for a caller that gives none.
_DEFAULT = Settings()


class Store:
    """The database, opened and seeded, and the rows of its tenants.

    Which tenants exist, by name, is the tenant registry's to know (`mockswitch.tenancy`); the
    store makes, resets and drops a tenant's rows, and in the same transaction (the barrier)
    runs what the registry gives it, so that everything a tenant holds changes at one instant.
    """

    def __init__(self, db: Database, journal: Journal, dials_max: int) -> None:
        self.db = db
        self.journal = journal
        self.dials_max = dials_max
        self.meta: dict[str, str] = {}
        self.sweeper = Sweeper(db)  # deletes the rows no tenant uses any more

    @classmethod
    async def open(
        cls,
        path: str,
        dataset: Dataset,
        *,
        reseed: bool = False,
        synchronous: str = _DEFAULT.sync.upper(),
        journal_max: int = _DEFAULT.journal_max,
        journal_body_cap: int = _DEFAULT.journal_body_cap,
        journal_field_cap: int = _DEFAULT.journal_field_cap,
        dials_max: int = _DEFAULT.dials_max,
        build: bool = False,
    ) -> Store:
        """Open the database at `path` and make sure it holds a seeded data set.

        A new database is seeded from `dataset`. An existing one keeps its data (that is
        what makes it durable) unless `reseed` is set or its seed came from fixture files
        that have changed since: then every tenant is reset to `dataset`. With `build`
        (`mockswitch seed`), a file that does not exist yet is built fast beside its name
        and moved into place at `close` (store/building.py). Dials left open by a server that
        stopped mid-call are closed (`retries.close_interrupted`).
        """
        db = await Database.open(path, synchronous, build)
        journal = Journal(
            db, body_cap=journal_body_cap, field_cap=journal_field_cap, max_entries=journal_max
        )
        store = cls(db, journal, dials_max)
        try:
            await store.journal.start()
            await store._read_meta()
            seeded_from = store.meta.get("seed_fingerprint")
            from_files = store.meta.get("seed_generated") == "0"
            if seeded_from is None or reseed:
                await store.seed(dataset)
            elif from_files and seeded_from != dataset.fingerprint and not dataset.generated:
                log.info("the fixtures changed since %s was seeded: seeding it again", path)
                await store.seed(dataset)
            async with store.changing():
                closed = await close_interrupted(store.db.writer)
            if closed:
                log.info("closed %d dials that a stop cut short (result: interrupted)", closed)
            store.sweeper.start()
            if DEFAULT_TENANT not in dict((name, i) for i, name in await store.tenant_rows()):
                await store._create_whole(DEFAULT_TENANT)
            await store.db.flush()
            store.db.complete = True
        except BaseException:
            await store.close()
            raise
        return store

    @property
    def lock(self) -> asyncio.Lock:
        """The write lock: every change holds it, so no two changes interleave, and a reader
        holding it sees a change whole or not at all."""
        return self.db.lock

    async def close(self) -> None:
        await self.sweeper.stop()  # what is still listed is swept after the next start
        await self.db.close()

    async def _read_meta(self) -> None:
        self.meta = dict(await self.db.writer.execute_fetchall("SELECT key, value FROM meta"))

    async def tenant_rows(self) -> list[tuple[int, str]]:
        """Every tenant's id and name, in the order they were made."""
        rows = await self.db.writer.execute_fetchall(
            "SELECT id, name FROM tenants ORDER BY created_at, id"
        )
        return [(tenant_id, name) for tenant_id, name in rows]

    def data(self, tenant_id: int, name: str) -> TenantData:
        """The rows of the tenant `name` under `tenant_id`."""
        return TenantData(self.db, tenant_id, name, self.dials_max)

    @asynccontextmanager
    async def changing(self) -> AsyncIterator[None]:
        """Make an all-or-nothing change under the write lock, and wait for its commit."""
        async with self.lock, self.db.savepoint():
            yield
        await self.db.commit()

    async def seed(self, dataset: Dataset) -> None:
        """Make `dataset` the seed, and reset every tenant's data to it, in one transaction
        (before anything is served: at start, or by `mockswitch seed`)."""
        async with self.changing():
            await write_seed(self.db.writer, dataset)
            for tenant_id, name in await self.tenant_rows():
                await copy_seed(self.db.writer, tenant_id)
                await self.data(tenant_id, name).dials.clear()
                await self.db.writer.execute("DELETE FROM retries WHERE tenant = ?", (tenant_id,))
        await self._read_meta()

    async def sizes(self, ids: Mapping[str, int]) -> dict[str, dict[str, int | str]]:
        """Each tenant's size (its id by name in `ids`): campaigns, destinations and journal
        entries, and its birth; in the order of `ids`."""
        counts: dict[int, dict[str, int]] = {tenant_id: {} for tenant_id in ids.values()}
        for table in ("campaigns", "destinations", "calls"):
            rows = await self.db.read(f"SELECT tenant, COUNT(*) FROM {table} GROUP BY tenant")
            for tenant_id, count in rows:
                if tenant_id in counts:
                    counts[tenant_id][table] = count
        born = dict(await self.db.read("SELECT name, created_at FROM tenants"))
        return {
            name: {
                "campaigns": counts[tenant_id].get("campaigns", 0),
                "destinations": counts[tenant_id].get("destinations", 0),
                "calls": counts[tenant_id].get("calls", 0),
                "created_at": born.get(name, ""),
            }
            for name, tenant_id in ids.items()
        }

    async def create(self, name: str, inside: Callable[[TenantData], None]) -> TenantData:
        """Make the rows of a new tenant `name`: a copy of the seed under a new id, filled a
        slice at a time; `inside` runs in the transaction that writes its row."""
        tenant_id = await self._fill_new_id()
        try:
            async with self.changing():
                created = datetime.now(UTC).isoformat(timespec="milliseconds")
                await self.db.writer.execute(
                    "INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)",
                    (tenant_id, name, created),
                )
                await unlist_garbage(self.db.writer, tenant_id)
                data = self.data(tenant_id, name)
                inside(data)
        finally:
            self.sweeper.busy.discard(tenant_id)  # swept, if no tenant took it
            self.sweeper.wake()
        return data

    async def _create_whole(self, name: str) -> None:
        """Create a tenant in one copy, before anything is served: `mockswitch seed` and a
        first start make the default tenant so, as fast as SQLite copies."""
        async with self.changing():
            tenant_id = await self._take_new_id()
            await self.db.writer.execute(
                "INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)",
                (tenant_id, name, datetime.now(UTC).isoformat(timespec="milliseconds")),
            )
            await copy_seed(self.db.writer, tenant_id)

    async def _take_new_id(self) -> int:
        """A tenant id never given before (the caller holds the lock)."""
        rows = await self.db.writer.execute_fetchall(_NEXT_TENANT_ID)
        tenant_id: int = rows[0][0]
        await write_meta(self.db.writer, {_LAST_TENANT_ID: str(tenant_id)})
        return tenant_id

    async def _fill_new_id(self) -> int:
        """A tenant id never given before, filled with a copy of the seed a slice at a time
        (slices.py): listed as garbage, and kept from the sweeper, until a tenant takes it."""
        async with self.lock:
            tenant_id = await self._take_new_id()
            await list_garbage(self.db.writer, tenant_id)
            self.sweeper.busy.add(tenant_id)
        try:
            while True:
                async with self.lock:
                    done = await copy_some(self.db.writer, tenant_id)
                # Between slices, the calls waiting for the lock go first, and so does the
                # commit they wait for: each waits for one slice at most.
                await self.db.commit()
                if done:
                    return tenant_id
        except BaseException:
            self.sweeper.busy.discard(tenant_id)
            self.sweeper.wake()
            raise

    async def _leave(self, data: TenantData) -> None:
        """No tenant uses `data`'s id any more (the caller holds the lock): it is ended, its
        calls still queued for the commit are taken out, and its rows deleted, at once up to
        a slice (a default data set's tenant, whole), else listed for the sweeper."""
        data.ended = True
        data.dials.watch(None)
        self.journal.abandon(data.id)
        if not await delete_some(self.db.writer, data.id):
            await list_garbage(self.db.writer, data.id)
            self.sweeper.wake()

    # A reset, a clear and a drop are barriers: each holds the write lock, so no change is
    # half made, and takes the tenant's journal rows still waiting for the batched commit
    # with it (`Journal.abandon`). A call whose change was made before is wiped with it, even
    # if its answer leaves after; a call that changes data after it is kept and journaled.
    # What still holds the old `TenantData` finds it `ended` (see `mockswitch.tenancy`).

    async def reset(
        self, current: Callable[[], TenantData | None], inside: Callable[[TenantData], None]
    ) -> TenantData | None:
        """Put the tenant's data back to the seed, with an empty journal and no dials: its
        next generation's rows, or None if it was dropped meanwhile. `current()` gives the
        tenant's rows of the moment (None once dropped): read under the lock, so that a reset
        or call that got in while the seed was copied is wiped too.

        The seed is copied to a new id first, a slice at a time, while every call (this
        tenant's too) goes on; then, in one short transaction (the barrier), the tenant's row
        moves to it, the old rows end and are left to be deleted (`_leave`), and `inside`
        runs with the new rows."""
        new_id = await self._fill_new_id()
        try:
            async with self.changing():
                data = current()
                if data is None:
                    return None  # dropped meanwhile: the copy is swept away
                await self.db.writer.execute(
                    "UPDATE tenants SET id = ?, evicted = 0, dials_evicted = 0 WHERE id = ?",
                    (new_id, data.id),
                )
                await unlist_garbage(self.db.writer, new_id)
                await self._leave(data)
                fresh = self.data(new_id, data.name)
                inside(fresh)
        finally:
            self.sweeper.busy.discard(new_id)
            self.sweeper.wake()
        return fresh

    async def clear_journal(self, current: Callable[[], TenantData | None]) -> None:
        """Empty the journal of the tenant's rows of the moment (`current()`, read under the
        lock; None once it is dropped)."""
        async with self.changing():
            data = current()
            if data is not None:
                await self.journal.clear(data.id)

    async def drop(
        self, current: Callable[[], TenantData | None], inside: Callable[[], None]
    ) -> bool:
        """Delete a tenant, its data, journal and dials; `inside` runs in the same
        transaction. `current()` gives its rows of the moment, read under the lock; False
        if it was dropped already (None)."""
        async with self.changing():
            data = current()
            if data is None:
                return False
            await self.db.writer.execute("DELETE FROM tenants WHERE id = ?", (data.id,))
            await self._leave(data)
            inside()
        return True


# A dropped tenant's id is never given again: a call still in flight for it, or a row left
# by an older version, must never land in a later tenant. `meta` keeps the last id given;
# the other two cover a database made before it did.
_LAST_TENANT_ID = "last_tenant_id"
_NEXT_TENANT_ID = f"""SELECT 1 + MAX(
  COALESCE((SELECT MAX(id) FROM tenants), 0),
  COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = '{_LAST_TENANT_ID}'), 0),
  COALESCE((SELECT MAX(tenant) FROM calls), 0))"""
