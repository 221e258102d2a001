"""`Store`: the database opened and seeded, its tenants, and the changes that span them
(reset, journal clear, drop) made as barriers under the write lock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from functools import partial

from mockswitch.config import Settings
from mockswitch.dataset.fixtures import Dataset

from .database import Database
from .journal import Journal
from .meta import write_meta
from .schema import DEFAULT_TENANT
from .seeding import copy_seed, write_seed
from .slices import (
    Sweeper,
    copy_some,
    delete_some,
    list_garbage,
    unlist_garbage,
)
from .tenant import Tenant

log = logging.getLogger("mockswitch.store")
# The settings' documented defaults, declared once in config.py, for a caller that gives none.
_DEFAULT = Settings()


class Store:
    """The database, opened and seeded, with its tenants."""

    def __init__(self, db: Database, journal: Journal, dials_max: int) -> None:
        self.db = db
        self.journal = journal
        self.dials_max = dials_max
        self._tenants: dict[str, Tenant] = {}
        self._creating: dict[str, asyncio.Future[Tenant]] = {}  # by name: being made
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
        and moved into place at `close` (store/building.py).
        """
        db = await Database.open(path, synchronous, build)
        journal = Journal(
            db, body_cap=journal_body_cap, field_cap=journal_field_cap, max_entries=journal_max
        )
        store = cls(db, journal, dials_max)
        try:
            await store.journal.start()
            await store._load()
            seeded_from = store.meta.get("seed_fingerprint")
            from_files = store.meta.get("seed_generated") == "0"
            if seeded_from is None or reseed:
                await store.seed(dataset)
            elif from_files and seeded_from != dataset.fingerprint and not dataset.generated:
                log.info("the fixtures changed since %s was seeded: seeding it again", path)
                await store.seed(dataset)
            store.sweeper.start()
            if DEFAULT_TENANT not in store._tenants:
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

    async def _load(self) -> None:
        rows = await self.db.writer.execute_fetchall(
            "SELECT id, name FROM tenants ORDER BY created_at, id"  # the order they were made
        )
        self._tenants = {
            name: Tenant(self.db, tenant_id, name, self.dials_max) for tenant_id, name in rows
        }
        self.meta = dict(await self.db.writer.execute_fetchall("SELECT key, value FROM meta"))

    @asynccontextmanager
    async def changing(self) -> AsyncIterator[None]:
        """Make an all-or-nothing change under the write lock, and wait for its commit."""
        async with self.lock, self.db.savepoint():
            yield
        await self.db.commit()

    async def seed(self, dataset: Dataset) -> None:
        """Make `dataset` the seed, and reset every tenant to it, in one transaction."""
        async with self.changing():
            await write_seed(self.db.writer, dataset)
            for tenant in self._tenants.values():
                await copy_seed(self.db.writer, tenant.id)
                await tenant.dials.clear()
                tenant.forget()
        self.meta = dict(await self.db.writer.execute_fetchall("SELECT key, value FROM meta"))

    def names(self) -> list[str]:
        return sorted(self._tenants)

    async def sizes(self) -> dict[str, dict[str, int | str]]:
        """Each tenant's size: campaigns, destinations and journal entries, and its birth;
        in the order they were made (a reset moves a tenant to a new id, not in the list)."""
        ids = {name: tenant.id for name, tenant in self._tenants.items()}  # as they are now
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

    def find(self, name: str) -> Tenant | None:
        """The tenant called `name`, if it exists."""
        return self._tenants.get(name)

    async def tenant(self, name: str) -> Tenant:
        """The tenant called `name`, created as a copy of the seed on first use."""
        while True:
            tenant = self._tenants.get(name)
            if tenant is None:
                # The calls that arrive while it is being made wait for the same creation;
                # shielded, so that a client giving up does not stop it for the others.
                creating = self._creating.get(name)
                if creating is None:
                    creating = self._creating[name] = asyncio.ensure_future(self._create(name))
                    creating.add_done_callback(partial(self._created, name))
                tenant = await asyncio.shield(creating)
            if not tenant.dropped:  # dropped while its creation was being committed
                return tenant

    def _created(self, name: str, creating: asyncio.Future[Tenant]) -> None:
        if self._creating.get(name) is creating:
            del self._creating[name]
        if not creating.cancelled():
            creating.exception()  # retrieved: each waiter got it, if any was left

    def count(self) -> int:
        """How many tenants there are, those being made included (for max_tenants)."""
        return len(self._tenants.keys() | self._creating.keys())

    async def _create(self, name: str) -> Tenant:
        tenant_id = await self._fill_new_id()
        try:
            async with self.changing():
                created = datetime.now(UTC).isoformat(timespec="milliseconds")
                await self.db.writer.execute(
                    "INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)",
                    (tenant_id, name, created),
                )
                await unlist_garbage(self.db.writer, tenant_id)
                tenant = Tenant(self.db, tenant_id, name, self.dials_max)
                self._tenants[name] = tenant
        finally:
            self.sweeper.busy.discard(tenant_id)  # swept, if no tenant took it
            self.sweeper.wake()
        return tenant

    async def _create_whole(self, name: str) -> Tenant:
        """Create a tenant in one copy, before anything is served: `mockswitch seed` and a
        first start make the default tenant so, as fast as SQLite copies."""
        async with self.changing():
            tenant_id = await self._take_new_id()
            await self.db.writer.execute(
                "INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)",
                (tenant_id, name, datetime.now(UTC).isoformat(timespec="milliseconds")),
            )
            await copy_seed(self.db.writer, tenant_id)
            tenant = self._tenants[name] = Tenant(self.db, tenant_id, name, self.dials_max)
        return tenant

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

    async def _leave(self, tenant_id: int) -> None:
        """No tenant uses `tenant_id` any more (the caller holds the lock): its calls still
        queued for the commit are taken out, and its rows deleted, at once up to a slice
        (a default data set's tenant, whole), else listed for the sweeper."""
        self.journal.abandon(tenant_id)
        if not await delete_some(self.db.writer, tenant_id):
            await list_garbage(self.db.writer, tenant_id)
            self.sweeper.wake()

    # A reset, a clear and a drop are barriers: each holds the write lock, so no change is
    # half made, and takes the tenant's journal rows still waiting for the batched commit
    # with it (`Journal.abandon`). A call whose change was made before is wiped with it, even
    # if its answer leaves after; a call that changes data after it is kept and journaled.
    # One that finds its tenant dropped is refused (see `Switch`).

    async def reset(self, tenant: Tenant) -> None:
        """Put the tenant's data back to the seed, and clear its journal and dials.

        The seed is copied to a new id first, a slice at a time, while every call (this
        tenant's too) goes on; then, in one short transaction (the barrier), the tenant moves
        to it, and its old id's rows are left to be deleted (`_leave`)."""
        new_id = await self._fill_new_id()
        try:
            async with self.changing():
                if tenant.dropped:
                    return  # gone already: the copy is swept away
                old_id = tenant.id
                await self.db.writer.execute(
                    "UPDATE tenants SET id = ?, evicted = 0, dials_evicted = 0 WHERE id = ?",
                    (new_id, old_id),
                )
                await unlist_garbage(self.db.writer, new_id)
                await self._leave(old_id)
                tenant.move_to(new_id)
        finally:
            self.sweeper.busy.discard(new_id)
            self.sweeper.wake()

    async def clear_journal(self, tenant: Tenant) -> None:
        async with self.changing():
            if not tenant.dropped:
                await self.journal.clear(tenant.id)

    async def drop(self, tenant: Tenant) -> bool:
        """Delete a tenant, its data, journal and dials; False if it was dropped already."""
        async with self.changing():
            if tenant.dropped:
                return False
            await self.db.writer.execute("DELETE FROM tenants WHERE id = ?", (tenant.id,))
            await self._leave(tenant.id)
            self._tenants.pop(tenant.name, None)
            tenant.dropped = True
        return True


# A dropped tenant's id is never given again: a call still in flight for it, or a row left
# by an older version, must never land in a later tenant. `meta` keeps the last id given;
# the other two cover a database made before it did.
_LAST_TENANT_ID = "last_tenant_id"
_NEXT_TENANT_ID = f"""SELECT 1 + MAX(
  COALESCE((SELECT MAX(id) FROM tenants), 0),
  COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = '{_LAST_TENANT_ID}'), 0),
  COALESCE((SELECT MAX(tenant) FROM calls), 0))"""
