"""Queries on one tenant's bulk campaigns."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from mockswitch.dataset.tables import BY_NAME, REQUIRED
from mockswitch.domain.records import CAMPAIGN_FIELDS, Campaign

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


class Campaigns:
    """The campaigns of one tenant. Changes must run while holding the database's lock."""

    def __init__(self, db: Database, tenant: int, changes: Changes | None = None) -> None:
        self._db = db
        self._tenant = tenant
        self._changes = changes or Changes()

    async def get(self, campaign_id: int) -> Campaign | None:
        rows = await self._db.writer.execute_fetchall(
            f"SELECT {_COLUMNS} FROM campaigns WHERE tenant = ? AND id = ?",
            (self._tenant, campaign_id),
        )
        return Campaign(*rows[0]) if rows else None

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
        async with self._db.savepoint():
            await self._db.writer.execute(
                "DELETE FROM destinations WHERE tenant = ? AND campaign = ?", key
            )
            await self._db.writer.execute("DELETE FROM campaigns WHERE tenant = ? AND id = ?", key)
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
        self._changes.campaign_changed(campaign_id)
