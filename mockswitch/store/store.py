"""`Store`: the database opened and seeded, its tenants, and the changes that span them
(reset, journal clear, drop) made as barriers under the write lock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from mockswitch.dataset.fixtures import Dataset

from .database import Database
from .journal import Journal
from .schema import DEFAULT_TENANT
from .seeding import copy_seed, delete_tenant_rows, write_seed
from .tenant import Tenant

log = logging.getLogger("mockswitch.store")


class Store:
    """The database, opened and seeded, with its tenants."""

    def __init__(self, db: Database, journal: Journal, dials_max: int = 0) -> None:
        self.db = db
        self.journal = journal
        self.dials_max = dials_max
        self._tenants: dict[str, Tenant] = {}
        self.meta: dict[str, str] = {}

    @classmethod
    async def open(
        cls,
        path: str,
        dataset: Dataset,
        *,
        reseed: bool = False,
        synchronous: str = "NORMAL",
        journal_max: int = 0,
        journal_body_cap: int = 65536,
        journal_field_cap: int = 16384,
        dials_max: int = 0,
    ) -> Store:
        """Open the database at `path` and make sure it holds a seeded data set.

        A new database is seeded from `dataset`. An existing one keeps its data (that is
        what makes it durable) unless `reseed` is set or its seed came from fixture files
        that have changed since: then every tenant is reset to `dataset`.
        """
        db = await Database.open(path, synchronous)
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
            if DEFAULT_TENANT not in store._tenants:
                await store.tenant(DEFAULT_TENANT)
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
        await self.db.close()

    async def _load(self) -> None:
        rows = await self.db.writer.execute_fetchall("SELECT id, name FROM tenants")
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
        """Each tenant's size: campaigns, destinations and journal entries, and its birth."""
        counts: dict[int, dict[str, int]] = {t.id: {} for t in self._tenants.values()}
        for table in ("campaigns", "destinations", "calls"):
            rows = await self.db.read(
                f"SELECT tenant, COUNT(*) FROM {table} GROUP BY tenant"
            )
            for tenant_id, count in rows:
                if tenant_id in counts:
                    counts[tenant_id][table] = count
        born = dict(await self.db.read("SELECT id, created_at FROM tenants"))
        return {
            tenant.name: {
                "campaigns": counts[tenant.id].get("campaigns", 0),
                "destinations": counts[tenant.id].get("destinations", 0),
                "calls": counts[tenant.id].get("calls", 0),
                "created_at": born.get(tenant.id, ""),
            }
            for tenant in sorted(self._tenants.values(), key=lambda t: t.id)
        }

    def find(self, name: str) -> Tenant | None:
        """The tenant called `name`, if it exists."""
        return self._tenants.get(name)

    async def tenant(self, name: str) -> Tenant:
        """The tenant called `name`, created as a copy of the seed on first use."""
        while True:
            tenant = self._tenants.get(name)
            if tenant is not None:
                return tenant
            async with self.changing():
                tenant = self._tenants.get(name)  # another call may have made it meanwhile
                if tenant is None:
                    tenant = await self._create(name)
            if not tenant.dropped:  # dropped while its creation was being committed
                return tenant

    async def _create(self, name: str) -> Tenant:
        rows = await self.db.writer.execute_fetchall(_NEXT_TENANT_ID)
        tenant_id = rows[0][0]
        created = datetime.now(UTC).isoformat(timespec="milliseconds")
        await self.db.writer.execute(
            "INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)",
            (tenant_id, name, created),
        )
        await self.db.writer.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (_LAST_TENANT_ID, str(tenant_id)),
        )
        await copy_seed(self.db.writer, tenant_id)
        tenant = Tenant(self.db, tenant_id, name, self.dials_max)
        self._tenants[name] = tenant
        return tenant

    # A reset, a clear and a drop are barriers: each holds the write lock, so no change is
    # half made, and takes the tenant's journal rows still waiting for the batched commit
    # with it (`Journal.clear`). A call whose change was made before is wiped with it, even
    # if its answer leaves after; a call that changes data after it is kept and journaled.
    # One that finds its tenant dropped is refused (see `Switch`).

    async def reset(self, tenant: Tenant) -> None:
        """Put the tenant's data back to the seed and clear its journal."""
        async with self.changing():
            if tenant.dropped:
                return  # gone already; a tenant made under its name starts from the seed
            await copy_seed(self.db.writer, tenant.id)
            await self.journal.clear(tenant.id)
            await tenant.dials.clear()
            tenant.forget()

    async def clear_journal(self, tenant: Tenant) -> None:
        async with self.changing():
            if not tenant.dropped:
                await self.journal.clear(tenant.id)

    async def drop(self, tenant: Tenant) -> bool:
        """Delete a tenant, its data and its journal; False if it was dropped already."""
        async with self.changing():
            if tenant.dropped:
                return False
            await delete_tenant_rows(self.db.writer, tenant.id)
            await self.journal.clear(tenant.id)
            await tenant.dials.clear()
            await self.db.writer.execute("DELETE FROM tenants WHERE id = ?", (tenant.id,))
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
