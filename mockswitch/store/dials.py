"""The dialler's view of one tenant's data, and its record of attempts (`/_mock/dials`).

`Dials` is what `mockswitch.simulator.Dialler` reads and writes through (its `DialStore`):
campaigns and pending destinations, opening times and agents, destination statuses, and
one row per attempt. Its writes run on the writer under the write lock, in the batched
commit, like every API change (docs/architecture.md, "The write path"). The attempts are
numbered per tenant and bounded per tenant (`max_entries`), oldest evicted first and
counted, as the journal is.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from mockswitch.domain.records import Campaign
from mockswitch.simulator.clock import format_ms
from mockswitch.simulator.dialler import Attempt, Ended
from mockswitch.simulator.opening import OpeningHours

from . import retries
from .campaigns import Campaigns
from .changes import ChangeListener, Changes
from .database import Database
from .retention import Retention

_SHOWN = (
    "id",
    "campaign",
    "dnumber",
    "attempt",
    "started",
    "answered",
    "ended",
    "outcome",
    "result",
)


def _shown(row: Any) -> dict[str, Any]:
    """A dial as the control API shows it: its times in ISO 8601."""
    dial = dict(zip(_SHOWN, row, strict=True))
    for name in ("started", "answered", "ended"):
        if dial[name] is not None:
            dial[name] = format_ms(dial[name])
    return dial


@dataclass(frozen=True, slots=True)
class DialPage:
    dials: list[dict[str, Any]]
    total: int
    evicted: int


class Dials:
    """One tenant's dials, and the dialler's reads and writes."""

    def __init__(
        self,
        db: Database,
        tenant: int,
        changes: Changes,
        campaigns: Campaigns,
        max_entries: int = 0,
        ended: Callable[[], bool] = lambda: False,
    ) -> None:
        self._db = db
        self._ended = ended  # the tenant's generation ended (reset or dropped): write nothing
        self._tenant = tenant
        self._changes = changes
        self._campaigns = campaigns
        self._retention = Retention("dials", "dials_evicted", max_entries)
        # Dial rows written in a batch are queued and written at its end, many per statement.
        self._batching = False
        self._started: dict[int, list[Any]] = {}  # by dial id: a row to insert
        self._ended_dials: list[tuple[Any, ...]] = []  # ends of dials inserted before
        self._settled: list[tuple[Any, ...]] = []  # destination statuses
        # The retries kept on disk (retries.py), by (campaign, dnumber): the last word on
        # each, (attempts, due) to keep, or None once it is settled.
        self._retries: dict[tuple[int, str], tuple[int, int] | None] = {}

    # -- the dialler's DialStore ------------------------------------------------------------

    @asynccontextmanager
    async def batch(self) -> AsyncIterator[None]:
        async with self._db.lock:
            # Checked under the lock, which a reset or a drop holds to end the generation:
            # a dialler of an ended generation never writes into the tenant's next one.
            if self._ended():
                raise Ended("the tenant was reset or dropped")
            async with self._db.savepoint():
                self._batching = True
                try:
                    yield
                    await self._write_dials()
                finally:
                    self._batching = False
                    self._started, self._ended_dials, self._settled = {}, [], []
                    self._retries = {}

    async def commit(self) -> None:
        await self._db.commit()

    def watch(self, listener: ChangeListener | None) -> None:
        self._changes.listener = listener

    async def _rows(self, sql: str, *values: Any) -> list[Any]:
        return await self._db.writer.execute_fetchall(sql, (self._tenant, *values))

    async def enabled_campaigns(self) -> list[int]:
        rows = await self._rows(
            "SELECT id FROM campaigns WHERE tenant = ? AND enabled = 1 ORDER BY id"
        )
        return [row[0] for row in rows]

    async def campaign(self, campaign_id: int) -> Campaign | None:
        return await self._campaigns.get(campaign_id)

    async def untried(self, campaign_id: int, start: str, limit: int) -> list[str]:
        rows = await self._rows(
            "SELECT dnumber FROM destinations WHERE tenant = ? AND campaign = ? AND dnumber >= ? "
            "AND status = 'pending' ORDER BY dnumber LIMIT ?",
            campaign_id,
            start,
            limit,
        )
        return [row[0] for row in rows]

    async def is_pending(self, campaign_id: int, dnumber: str) -> bool:
        rows = await self._rows(
            "SELECT 1 FROM destinations WHERE tenant = ? AND campaign = ? AND dnumber = ? "
            "AND status = 'pending'",
            campaign_id,
            dnumber,
        )
        return bool(rows)

    async def settle(self, campaign_id: int, dnumber: str, status: str) -> None:
        # Queued to the batch's end: the dialler never reads a destination it settled.
        self._settled.append((status, self._tenant, campaign_id, dnumber))
        self._retries[campaign_id, dnumber] = None
        if not self._batching:
            await self._write_dials()

    async def retries(self, campaign_id: int) -> list[tuple[str, int, int]]:
        return await retries.of_campaign(self._db.writer, self._tenant, campaign_id)

    async def keep_retry(self, campaign_id: int, dnumber: str, attempts: int, due: int) -> None:
        self._retries[campaign_id, dnumber] = (attempts, due)
        if not self._batching:
            await self._write_dials()

    async def start_dial(self, dial: Attempt) -> None:
        self._started[dial.id] = [
            self._tenant,
            dial.id,
            dial.campaign,
            dial.dnumber,
            dial.attempt,
            dial.started,
            None,
            None,
            None,
            None,
        ]
        if not self._batching:
            await self._write_dials()

    async def end_dial(self, dial: Attempt) -> None:
        ending = (dial.answered, dial.ended, dial.outcome, dial.result)
        row = self._started.get(dial.id)
        if row is not None:  # started in this batch: inserted once, whole
            row[6:] = ending
        else:
            self._ended_dials.append((*ending, self._tenant, dial.id))
        if not self._batching:
            await self._write_dials()

    async def _write_dials(self) -> None:
        started, self._started = list(self._started.values()), {}
        ended, self._ended_dials = self._ended_dials, []
        settled, self._settled = self._settled, []
        kept, self._retries = self._retries, {}
        writer = self._db.writer
        if started:
            await writer.executemany(
                "INSERT INTO dials (tenant, id, campaign, dnumber, attempt, started, answered, "
                "ended, outcome, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                started,
            )
        if ended:
            await writer.executemany(
                "UPDATE dials SET answered = ?, ended = ?, outcome = ?, result = ? "
                "WHERE tenant = ? AND id = ?",
                ended,
            )
        if settled:
            await writer.executemany(
                "UPDATE destinations SET status = ? WHERE tenant = ? AND campaign = ? "
                "AND dnumber = ? AND status = 'pending'",
                settled,
            )
        if kept:
            await writer.executemany(
                retries.UPSERT,
                [(self._tenant, *key, *value) for key, value in kept.items() if value],
            )
            await writer.executemany(
                retries.DELETE_ONE,
                [(self._tenant, *key) for key, value in kept.items() if value is None],
            )
        if started and self._retention.max_entries:
            self._retention.added(self._db.writer.connection, self._tenant, len(started))

    async def opening_hours(self) -> dict[int, OpeningHours]:
        rows = await self._rows(
            'SELECT id, days, start, "end", timezone FROM timegroups WHERE tenant = ?'
        )
        return {row[0]: OpeningHours.parse(json.loads(row[1]), *row[2:]) for row in rows}

    async def queue_agents(self) -> dict[int, int]:
        return dict(await self._rows("SELECT id, agents FROM queues WHERE tenant = ?"))

    async def queue_dtypes(self) -> frozenset[str]:
        rows = await self._rows("SELECT name FROM dtypes WHERE tenant = ? AND dnumber = 'queue'")
        return frozenset(row[0] for row in rows)

    async def last_dial_id(self) -> int:
        return (await self._rows("SELECT COALESCE(MAX(id), 0) FROM dials WHERE tenant = ?"))[0][0]

    # -- the control API ---------------------------------------------------------------------

    async def clear(self) -> None:
        """Delete the tenant's dials (the caller holds the write lock)."""
        self._retention.clear(self._db.writer.connection, self._tenant)

    async def page(
        self, campaign: int | None, dnumber: str | None, limit: int, offset: int
    ) -> DialPage:
        """The dials, oldest first, of one campaign and/or one dnumber if given."""
        clauses: list[str] = ["tenant = ?"]
        values: list[int | str] = [self._tenant]
        for column, value in (("campaign", campaign), ("dnumber", dnumber)):
            if value is not None:
                clauses.append(f"{column} = ?")
                values.append(value)
        where = " AND ".join(clauses)
        rows = await self._db.read(
            f"SELECT {', '.join(_SHOWN)} FROM dials WHERE {where} ORDER BY id LIMIT ? OFFSET ?",
            (*values, limit, offset),
        )
        [(total,)] = await self._db.read(f"SELECT COUNT(*) FROM dials WHERE {where}", values)
        evicted = await self._retention.evicted(self._db, self._tenant)
        return DialPage([_shown(row) for row in rows], total, evicted)

    async def progress(self) -> dict[int, dict[str, int]]:
        """Each campaign's destinations counted by status (the dashboard's progress)."""
        rows = await self._db.read(
            "SELECT campaign, status, COUNT(*) FROM destinations WHERE tenant = ? "
            "GROUP BY campaign, status",
            (self._tenant,),
        )
        counts: dict[int, dict[str, int]] = {}
        for campaign, status, count in rows:
            counts.setdefault(campaign, {})[status] = count
        return counts
