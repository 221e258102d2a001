"""One tenant's rows under one id: its directory (cached), campaigns, destinations, dials."""

from __future__ import annotations

import json

from mockswitch.domain.directory import Directory, index_features
from mockswitch.domain.records import Customer, DestinationType, Person, RatePlan, Role

from .campaigns import Campaigns
from .changes import Changes
from .database import Database
from .destinations import Destinations
from .dials import Dials


class TenantData:
    """One tenant's rows, under one tenant id: its data set, journal and dials.

    A reset does not change these rows: it fills a new id with the seed and gives the tenant a
    new `TenantData` for it, in one transaction (`Store.reset`). So this object stands for one
    generation of the tenant. `ended` (set under the write lock, in the transaction of the
    reset or drop that ended it) tells whatever still holds it that nothing may be written
    through it any more: its id's rows are being deleted, and no one will read them again.
    """

    def __init__(self, db: Database, tenant_id: int, name: str, dials_max: int) -> None:
        self.id = tenant_id
        self.name = name
        self.ended = False
        self._db = db
        self.changes = Changes()  # the API's changes reach the tenant's dialler through it
        self.campaigns = Campaigns(db, tenant_id, self.changes)
        self.destinations = Destinations(db, tenant_id, self.changes)
        self.dials = Dials(
            db, tenant_id, self.changes, self.campaigns, dials_max, lambda: self.ended
        )
        self._directory: Directory | None = None

    async def directory(self) -> Directory:
        """People, roles, customers and features, loaded once and kept until a reset."""
        if self._directory is None:
            self._directory = await load_directory(self._db, self.id)
        return self._directory

    def forget(self) -> None:
        """Drop what is cached, after the tenant's data was replaced in place (a reseed)."""
        self._directory = None
        self.campaigns.forget()


async def load_directory(db: Database, tenant: int) -> Directory:
    async def rows(sql: str) -> list:
        return list(await db.writer.execute_fetchall(sql, (tenant,)))

    rateplans = {
        r[0]: RatePlan(r[0], r[1], frozenset(json.loads(r[2])))
        for r in await rows("SELECT id, name, features FROM rateplans WHERE tenant = ?")
    }
    roles = {
        r[0]: Role(r[0], r[1], frozenset(json.loads(r[2])), r[3])
        for r in await rows("SELECT id, name, privileges, reach FROM roles WHERE tenant = ?")
    }
    customers = {
        r[0]: Customer(*r)
        for r in await rows("SELECT id, name, parent, rateplan FROM customers WHERE tenant = ?")
    }
    people = {
        r[0]: Person(*r)
        for r in await rows(
            "SELECT id, username, password, customer, role, name FROM people WHERE tenant = ?"
        )
    }
    dtypes = {
        r[0]: DestinationType(*r)
        for r in await rows("SELECT name, description, dnumber FROM dtypes WHERE tenant = ?")
    }
    features = index_features(
        await rows(
            "SELECT 'phone', id, customer FROM phones WHERE tenant = ?1 "
            "UNION ALL SELECT 'queue', id, customer FROM queues WHERE tenant = ?1 "
            "UNION ALL SELECT 'timegroup', id, customer FROM timegroups WHERE tenant = ?1 "
            "UNION ALL SELECT 'recordgroup', id, customer FROM recordgroups WHERE tenant = ?1"
        )
    )
    return Directory(rateplans, roles, customers, people, dtypes, features)
