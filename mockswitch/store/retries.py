"""The dialler's retries, kept on disk: each destination still pending after an attempt,
with the attempts it has had and when its next one is due.

The dialler keeps them in memory while it runs and writes them here in the batch of the dial
that made them, so a restart carries on where it stopped: attempt numbers continue, and a
retry falls due when it would have. The API's changes to a destination (or its campaign)
forget its row in their own transaction, as they make the dialler forget it in memory.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from .database import Writer

# What a dial cut short by a stop (a crash, kill -9) is closed with at the next start.
INTERRUPTED = "interrupted"

UPSERT = (
    "INSERT INTO retries (tenant, campaign, dnumber, attempts, due) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (tenant, campaign, dnumber) DO UPDATE SET attempts = excluded.attempts, "
    "due = excluded.due"
)
DELETE_ONE = "DELETE FROM retries WHERE tenant = ? AND campaign = ? AND dnumber = ?"


async def of_campaign(writer: Writer, tenant: int, campaign: int) -> list[tuple[str, int, int]]:
    """The campaign's destinations waiting for a retry: (dnumber, attempts, due)."""
    rows = await writer.execute_fetchall(
        "SELECT dnumber, attempts, due FROM retries WHERE tenant = ? AND campaign = ?",
        (tenant, campaign),
    )
    return [(dnumber, attempts, due) for dnumber, attempts, due in rows]


async def forget(
    writer: Writer, tenant: int, campaign: int, dnumbers: Sequence[str] | None
) -> None:
    """The API wrote these destinations (all of the campaign's when None): they start afresh."""
    sql = "DELETE FROM retries WHERE tenant = ? AND campaign = ?"
    values: tuple = (tenant, campaign)
    if dnumbers is not None:
        sql += " AND dnumber IN (SELECT value FROM json_each(?))"
        values += (json.dumps(list(dnumbers)),)
    await writer.execute(sql, values)


async def close_interrupted(writer: Writer) -> int:
    """Close every dial left open by a server that stopped mid-call (the caller commits).

    Each tenant's open dials end at the latest moment its dials show, the last the server is
    known to have reached, with the result `interrupted`; a destination still pending keeps
    the attempt as one it had, so its next attempt carries the next number."""
    tenants = await writer.execute_fetchall("SELECT DISTINCT tenant FROM dials WHERE ended IS NULL")
    closed = 0
    for (tenant,) in tenants:
        [(last,)] = await writer.execute_fetchall(
            "SELECT MAX(MAX(started), COALESCE(MAX(answered), 0), COALESCE(MAX(ended), 0)) "
            "FROM dials WHERE tenant = ?",
            (tenant,),
        )
        await writer.execute(
            "INSERT INTO retries (tenant, campaign, dnumber, attempts, due) "
            "SELECT d.tenant, d.campaign, d.dnumber, d.attempt, ? FROM dials d "
            "JOIN destinations s ON s.tenant = d.tenant AND s.campaign = d.campaign "
            "AND s.dnumber = d.dnumber AND s.status = 'pending' "
            "WHERE d.tenant = ? AND d.ended IS NULL "
            "ON CONFLICT (tenant, campaign, dnumber) DO UPDATE SET attempts = excluded.attempts, "
            "due = excluded.due",
            (last, tenant),
        )
        cursor = await writer.execute(
            "UPDATE dials SET ended = ?, answered = NULL, outcome = NULL, result = ? "
            "WHERE tenant = ? AND ended IS NULL",
            (last, INTERRUPTED, tenant),
        )
        closed += cursor.rowcount
    return closed
