"""Queries on one tenant's bulk campaigns, with the rows that calls read kept in memory.

Every update and get reads one campaign by id: that row comes from memory after its first
read, and the writer keeps it in step (write-through). An update applies its changes to the
kept row when each value already has its column's type (else SQLite may convert it, so the
row is read again); a delete drops it; anything that replaces the tenant's rows wholesale (a
seed, a reset) or undoes writes (a rollback) drops them all. SQL stays the source of truth:
a row that is not kept is read again.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from mockswitch.dataset.tables import BY_NAME, REQUIRED
from mockswitch.domain.records import CAMPAIGN_FIELDS, Campaign

from . import retries
from .changes import Changes
from .database import Database

_COLUMNS = ", ".join(CAMPAIGN_FIELDS)
_EDITABLE = frozenset(CAMPAIGN_FIELDS) - {"id", "customer"}
_CREATABLE = frozenset(CAMPAIGN_FIELDS) - {"id"}
# What a field left out of `create` holds: the campaigns table's defaults, declared once.
DEFAULTS: dict[str, Any] = {
    c.name: c.default
    for c in BY_NAME["campaigns"].columns
    if c.name in _CREATABLE and c.default is not REQUIRED
}
_TYPES = {c.name: c.type for c in BY_NAME["campaigns"].columns}


def _all_stored_as_given(changes: Mapping[str, Any]) -> bool:
    """Whether SQLite keeps each value unchanged in its column: an int in an INTEGER column,
    a str in a TEXT one (a bool, or an int for a TEXT column, would come back otherwise)."""
    return all(type(value) is _TYPES[name] for name, value in changes.items())


class Campaigns:
    """The campaigns of one tenant. Changes must run while holding the database's lock."""

    def __init__(self, db: Database, tenant: int, changes: Changes | None = None) -> None:
        self._db = db
        self._tenant = tenant
        self._changes = changes or Changes()
        self._kept: dict[int, Campaign] = {}  # rows read, as the database holds them now
        self._undone = db.undone  # a rollback since then makes them stale

    def forget(self) -> None:
        """Drop every row kept in memory (the tenant's rows were replaced)."""
        self._kept.clear()

    def _fresh(self) -> dict[int, Campaign]:
        if self._undone != self._db.undone:
            self._kept.clear()
            self._undone = self._db.undone
        return self._kept

    async def get(self, campaign_id: int) -> Campaign | None:
        kept = self._fresh().get(campaign_id)
        if kept is not None:
            return kept
        rows = self._db.writer.connection.execute(
            f"SELECT {_COLUMNS} FROM campaigns WHERE tenant = ? AND id = ?",
            (self._tenant, campaign_id),
        ).fetchall()
        if not rows:
            return None  # nothing kept: a create may add it
        campaign = self._kept[campaign_id] = Campaign(*rows[0])
        return campaign

    async def of_customers(self, customers: Collection[int]) -> list[Campaign]:
        """The campaigns of these customers, by id."""
        if not customers:
            return []
        marks = ", ".join("?" * len(customers))
        rows = await self._db.writer.execute_fetchall(
            f"SELECT {_COLUMNS} FROM campaigns WHERE tenant = ? AND customer IN ({marks}) "
            "ORDER BY id",
            (self._tenant, *customers),
        )
        return [Campaign(*row) for row in rows]

    async def create(self, fields: Mapping[str, Any]) -> int:
        """Add a campaign with the next id of the tenant (its highest plus one); the new id.

        `fields` are campaign fields (not the id); one left out takes the campaigns table's
        default, and the fields the table requires must be there.
        """
        unknown = set(fields) - _CREATABLE
        if unknown:
            raise ValueError(f"not campaign fields: {sorted(unknown)}")
        rows = await self._db.writer.execute_fetchall(
            "SELECT COALESCE(MAX(id), 0) + 1 FROM campaigns WHERE tenant = ?", (self._tenant,)
        )
        campaign_id = rows[0][0]
        values = {**DEFAULTS, **fields, "id": campaign_id}
        names = ", ".join(values)
        marks = ", ".join("?" * len(values))
        await self._db.writer.execute(
            f"INSERT INTO campaigns (tenant, {names}) VALUES (?, {marks})",
            (self._tenant, *values.values()),
        )
        self._changes.campaign_changed(campaign_id)
        return campaign_id

    async def delete(self, campaign_id: int) -> None:
        """Delete one campaign and its destinations, all or nothing."""
        key = (self._tenant, campaign_id)
        self._kept.pop(campaign_id, None)
        async with self._db.savepoint():
            await self._db.writer.execute(
                "DELETE FROM destinations WHERE tenant = ? AND campaign = ?", key
            )
            await self._db.writer.execute("DELETE FROM campaigns WHERE tenant = ? AND id = ?", key)
            await retries.forget(self._db.writer, self._tenant, campaign_id, None)
            await self._changes.campaign_deleted(campaign_id)

    async def update(self, campaign_id: int, changes: Mapping[str, Any]) -> None:
        """Set the given fields of one campaign."""
        unknown = set(changes) - _EDITABLE
        if unknown:
            raise ValueError(f"not editable campaign fields: {sorted(unknown)}")
        if not changes:
            return
        assignments = ", ".join(f"{name} = ?" for name in changes)
        await self._db.writer.execute(
            f"UPDATE campaigns SET {assignments} WHERE tenant = ? AND id = ?",
            (*changes.values(), self._tenant, campaign_id),
        )
        kept = self._fresh().get(campaign_id)
        if kept is not None and _all_stored_as_given(changes):
            # By position: dataclasses.replace costs five times as much (measured).
            self._kept[campaign_id] = Campaign(
                *[changes[n] if n in changes else getattr(kept, n) for n in CAMPAIGN_FIELDS]
            )
        else:
            self._kept.pop(campaign_id, None)
        self._changes.campaign_changed(campaign_id)
