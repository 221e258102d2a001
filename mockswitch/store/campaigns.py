"""Queries on one tenant's bulk campaigns."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from mockswitch.model import CAMPAIGN_FIELDS, Campaign

from .database import Database

_COLUMNS = ", ".join(CAMPAIGN_FIELDS)
_EDITABLE = frozenset(CAMPAIGN_FIELDS) - {"id", "customer"}


class Campaigns:
    """The campaigns of one tenant. Changes must run while holding the database's lock."""

    def __init__(self, db: Database, tenant: int) -> None:
        self._db = db
        self._tenant = tenant

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
