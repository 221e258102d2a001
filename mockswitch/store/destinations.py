"""Queries on the destinations (numbers to dial) of one tenant's bulk campaigns.

A list of dnumbers travels to SQLite as one JSON array read with `json_each`, so a change to
a thousand destinations is one statement: all-or-nothing by itself, and free of SQLite's
limit on the number of `?` in a statement.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from mockswitch.domain.records import Destination

from . import retries
from .changes import Changes
from .database import Database

SORTS = ("dnumber", "status")
_IN_LIST = "dnumber IN (SELECT value FROM json_each(?))"


class Destinations:
    """The destinations of one tenant. Changes must run while holding the database's lock."""

    def __init__(self, db: Database, tenant: int, changes: Changes | None = None) -> None:
        self._db = db
        self._tenant = tenant
        self._changes = changes or Changes()

    async def put(self, campaign: int, dnumbers: Sequence[str], status: str) -> int:
        """Add these destinations with `status`, replacing any the campaign already has.

        `dnumbers` must not repeat itself; the count is of destinations written.
        """
        cursor = await self._db.writer.execute(
            "INSERT INTO destinations (tenant, campaign, dnumber, status) "
            "SELECT ?, ?, value, ? FROM json_each(?) WHERE true "
            "ON CONFLICT (tenant, campaign, dnumber) DO UPDATE SET status = excluded.status",
            (self._tenant, campaign, status, json.dumps(list(dnumbers))),
        )
        await self._changed(campaign, dnumbers)
        return cursor.rowcount

    async def set_status(self, campaign: int, status: str, dnumbers: Sequence[str] | None) -> int:
        """Set the status of the campaign's destinations (all, or those named that exist)."""
        sql = "UPDATE destinations SET status = ? WHERE tenant = ? AND campaign = ?"
        values: tuple = (status, self._tenant, campaign)
        if dnumbers is not None:
            sql += f" AND {_IN_LIST}"
            values += (json.dumps(list(dnumbers)),)
        cursor = await self._db.writer.execute(sql, values)
        await self._changed(campaign, dnumbers)
        return cursor.rowcount

    async def exists(self, campaign: int, dnumber: str) -> bool:
        rows = await self._db.writer.execute_fetchall(
            "SELECT 1 FROM destinations WHERE tenant = ? AND campaign = ? AND dnumber = ?",
            (self._tenant, campaign, dnumber),
        )
        return bool(rows)

    async def delete(self, campaign: int, dnumber: str | None = None) -> int:
        """Delete one destination of the campaign, or all of them when `dnumber` is None."""
        sql = "DELETE FROM destinations WHERE tenant = ? AND campaign = ?"
        values: tuple = (self._tenant, campaign)
        if dnumber is not None:
            sql += " AND dnumber = ?"
            values += (dnumber,)
        cursor = await self._db.writer.execute(sql, values)
        await self._changed(campaign, None if dnumber is None else [dnumber])
        return cursor.rowcount

    async def _changed(self, campaign: int, dnumbers: Sequence[str] | None) -> None:
        """The API wrote these destinations (all of the campaign's when None): they start
        afresh, in the dialler's memory and on disk, in the write's transaction."""
        await retries.forget(self._db.writer, self._tenant, campaign, dnumbers)
        await self._changes.destinations_changed(campaign, dnumbers)

    async def count(self, campaign: int) -> int:
        rows = await self._db.writer.execute_fetchall(
            "SELECT COUNT(*) FROM destinations WHERE tenant = ? AND campaign = ?",
            (self._tenant, campaign),
        )
        return rows[0][0]

    async def of_campaign(
        self,
        campaign: int,
        *,
        sort: str = "dnumber",
        descending: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Destination]:
        """One page of the campaign's destinations, sorted as text; ties go by dnumber."""
        if sort not in SORTS:
            raise ValueError(f"cannot sort destinations by {sort!r}")
        direction = "DESC" if descending else "ASC"
        order = ", ".join(f"{column} {direction}" for column in dict.fromkeys((sort, "dnumber")))
        rows = await self._db.writer.execute_fetchall(
            "SELECT campaign, dnumber, status FROM destinations "
            f"WHERE tenant = ? AND campaign = ? ORDER BY {order} LIMIT ? OFFSET ?",
            (self._tenant, campaign, -1 if limit is None else limit, offset),
        )
        return [Destination(*row) for row in rows]
