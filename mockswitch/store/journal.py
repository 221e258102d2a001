"""The call journal: every Enswitch call, recorded before its answer leaves, and queried later.

Rows are numbered here, in the order they are recorded, and reach the database in that
order through the batched commit (see `database.py`), so a reader never sees call 7 before
call 6. Retention (`max_entries` per tenant) is enforced in the same transaction as the
insert, and every eviction is counted so that a query can say its answer may be incomplete.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from dataclasses import InitVar, dataclass, field
from datetime import UTC, datetime
from json.encoder import encode_basestring as _string  # as ensure_ascii=False writes strings
from typing import Any

from .cuts import Cutter, show_cuts
from .database import Database
from .retention import Retention

_COLUMNS = (
    "id",
    "tenant",
    "at",
    "method",
    "path",
    "function",
    "query",
    "params",
    "unknown",
    "username",
    "code",
    "key",
    "http_status",
    "body",
    "body_truncated",
    "fault",
    "latency_ms",
    "duration_ms",
    "stub",
    "proxied",
    "warnings",
)
_SHOWN = _COLUMNS[:1] + _COLUMNS[2:]  # every column but the tenant
_INSERT = f"INSERT INTO calls ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
_SELECT = f"SELECT {', '.join(_SHOWN)} FROM calls"
_second: list[Any] = [None, ""]  # the last whole second `format_time` wrote, and its text
_MILLISECONDS = tuple(f"{ms:03d}Z" for ms in range(1000))  # how each moment's text ends


def format_time(moment: datetime | None = None) -> str:
    """A moment (now by default) as the journal writes it: UTC, milliseconds, a Z."""
    if moment is None:  # every call: format the second once, then only its milliseconds
        now = time.time()
        second = int(now)
        if second != _second[0]:
            _second[:] = second, time.strftime("%Y-%m-%dT%H:%M:%S.", time.gmtime(second))
        # now - second is below 1 by at least time.time()'s step (2**-22 s today): 0-999 ms.
        return _second[1] + _MILLISECONDS[int((now - second) * 1000)]
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def params_json(params: Mapping[str, str]) -> str:
    """`params` as `json.dumps(params, ensure_ascii=False)` writes them (the journal's
    `params` column). Written here: JSONEncoder.encode makes a new encoder on every call,
    which cost as much as the encoding itself (3.1 against 1.6 us a call, measured)."""
    pieces = [f"{_string(name)}: {_string(value)}" for name, value in params.items()]
    return "{" + ", ".join(pieces) + "}"


@dataclass(slots=True)  # per call: not frozen (docs/architecture.md, "Per-call records")
class CallRecord:
    """One call as the journal keeps it."""

    at: str
    method: str
    path: str
    function: str
    query: str
    params: dict[str, str]
    unknown: tuple[str, ...]
    username: str
    code: str
    key: str
    http_status: int
    body: str
    fault: dict[str, Any] | None
    latency_ms: float
    duration_ms: float
    stub: int | None = None  # the stub that answered, if one did
    proxied: bool = False  # forwarded to the switch given by --proxy-to
    # Why the call went as it did, for a person: a near miss, a default applied, a reason.
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CallFilter:
    """Which calls a query is about; every field left empty matches all."""

    function: str | None = None
    method: str | None = None
    code: str | None = None
    username: str | None = None
    params: tuple[tuple[str, str], ...] = ()
    since_id: int | None = None  # calls with a greater id
    until_id: int | None = None  # calls with this id or a smaller one
    since_time: str | None = None  # ISO UTC, as stored in `at`
    until_time: str | None = None

    def where(self, tenant: int) -> tuple[str, list[Any]]:
        clauses: list[str] = ["tenant = ?"]
        values: list[Any] = [tenant]
        for column in ("function", "method", "code", "username"):
            value = getattr(self, column)
            if value is not None:
                clauses.append(f"{column} = ?")
                values.append(value)
        for name, value in self.params:
            clauses.append(
                "EXISTS (SELECT 1 FROM json_each(calls.params) WHERE key = ? AND value = ?)"
            )
            values += [name, value]
        for column, operator, value in (
            ("id", ">", self.since_id),
            ("id", "<=", self.until_id),
            ("at", ">=", self.since_time),
            ("at", "<=", self.until_time),
        ):
            if value is not None:
                clauses.append(f"{column} {operator} ?")
                values.append(value)
        return " AND ".join(clauses), values


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a journal query."""

    calls: list[dict[str, Any]]
    total: int
    evicted: int


@dataclass
class Journal:
    """Every tenant's calls: numbered, queued for the batched commit, bounded and queried.
    Its bounds have no defaults here: they are the settings `journal_body_cap`,
    `journal_field_cap` and `journal_max`, declared in config.py."""

    db: Database
    body_cap: int
    field_cap: int  # every other text of a call: path, query, each parameter...
    max_entries: InitVar[int]  # per tenant; 0 keeps everything
    _next_id: int = 0
    _retention: Retention = field(init=False, repr=False)
    _committed: asyncio.Future[None] | None = None
    closing: bool = False  # the server is stopping: long polls answer now

    def __post_init__(self, max_entries: int) -> None:
        self._retention = Retention("calls", "evicted", max_entries)

    async def start(self) -> None:
        """Continue the numbering where the database left it, and hook into the commits."""
        # sqlite_sequence remembers the largest id ever stored, even after a clear.
        rows = await self.db.writer.execute_fetchall(
            "SELECT MAX(COALESCE((SELECT MAX(id) FROM calls), 0),"
            " COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'calls'), 0))"
        )
        self._next_id = rows[0][0] + 1
        if self._retention.max_entries:
            self._retention.count_all(self.db.writer.connection)
        self.db.set_batch_writer(self._write)
        self.db.after_commit(self._wake)

    def record(self, tenant: int, call: CallRecord) -> tuple[int, asyncio.Future[None]]:
        """Queue `call` and number it; the future is done once the call is committed,
        with every change made before it."""
        call_id = self._next_id
        self._next_id += 1
        path, function, query, username, key, body = (
            call.path,
            call.function,
            call.query,
            call.username,
            call.key,
            call.body,
        )
        params = params_json(call.params)
        unknown = json.dumps(list(call.unknown)) if call.unknown else "[]"
        warnings = json.dumps(list(call.warnings)) if call.warnings else "[]"
        flags = 0  # the body_truncated column holds the flags of every field cut
        texts = (path, function, query, params, unknown, username, key, warnings)
        # The usual call has nothing to cut: one sum says so (JSON is never shorter than the
        # texts it holds), and no Cutter is made.
        if sum(map(len, texts)) > self.field_cap or len(body) > self.body_cap:
            cut = Cutter(self.field_cap, self.body_cap)  # every text bounded: see cuts.py
            path, function, query = (
                cut.text("path", path),
                cut.text("function", function),
                cut.text("query", query),
            )
            params = params_json(cut.params(call.params))
            unknown = json.dumps(list(cut.texts("unknown", call.unknown))) if call.unknown else "[]"
            warnings = json.dumps(list(cut.texts("warnings", call.warnings)))
            username, key = cut.text("username", username), cut.text("key", key)
            body = cut.text("body", body)
            flags = cut.flags
        row = (
            call_id,
            tenant,
            call.at,
            call.method,
            path,
            function,
            query,
            params,
            unknown,
            username,
            call.code,
            key,
            call.http_status,
            body,
            flags,
            None if call.fault is None else json.dumps(call.fault),
            call.latency_ms,
            call.duration_ms,
            call.stub,
            int(call.proxied),
            warnings,
        )
        return call_id, self.db.commit(row)

    def _write(self, rows: list[Sequence[Any]]) -> None:
        """Insert the batch's rows and apply retention, in the commit's transaction."""
        connection = self.db.writer.connection
        connection.executemany(_INSERT, rows)
        if self._retention.max_entries:
            for tenant, added in Counter(row[1] for row in rows).items():
                self._retention.added(connection, tenant, added)

    def _wake(self) -> None:
        if self._committed is not None and not self._committed.done():
            self._committed.set_result(None)
        self._committed = None

    def last_id(self) -> int:
        """The id of the newest call numbered so far, in any tenant (0 before the first):
        what `since=now` stands for. Ids are one sequence across tenants."""
        return self._next_id - 1

    def next_commit(self) -> asyncio.Future[None]:
        """A future done at the next commit: take it before looking, then await it, and no
        commit can slip between the look and the wait."""
        if self._committed is None:
            self._committed = asyncio.get_running_loop().create_future()
        return asyncio.shield(self._committed)

    async def wait(
        self,
        tenant: Callable[[], int],
        where: CallFilter,
        wanted: int,
        seconds: float,
        page_max: int,
    ) -> tuple[int, Page]:
        """Long poll: once `wanted` calls match, or `seconds` pass, or the server stops, how
        many match and the first page of them. Looks again at each commit, not on a timer,
        at the tenant's id of the moment (`tenant()`: a reset moves a tenant to a new id)."""
        deadline = asyncio.get_running_loop().time() + seconds
        while True:
            next_commit = self.next_commit()  # taken before looking: no commit slips by
            matched = await self.count(tenant(), where)
            remaining = deadline - asyncio.get_running_loop().time()
            if matched >= wanted or remaining <= 0 or self.closing:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(next_commit, remaining)
        return matched, await self.page(tenant(), where, page_max)

    def end_waits(self) -> None:
        """Wake every long poll for good (the server is stopping)."""
        self.closing = True
        self._wake()

    def abandon(self, tenant: int) -> None:
        """Forget a tenant id's journal (the caller holds the write lock): its rows still
        queued for the next commit are taken out of it (they are of calls made before the
        barrier), and its size is dropped. Its stored rows are the caller's to delete."""
        self.db.discard_queued(lambda row: row[1] == tenant)
        self._retention.forget(tenant)

    async def clear(self, tenant: int) -> None:
        """Delete a tenant's journal (the caller holds the write lock), the rows still
        queued for the next commit included: they are of calls made before the clear."""
        self.abandon(tenant)
        self._retention.clear(self.db.writer.connection, tenant)

    async def page(
        self,
        tenant: int,
        where: CallFilter,
        limit: int,
        offset: int = 0,
        newest_first: bool = False,
    ) -> Page:
        clause, values = where.where(tenant)
        order = "DESC" if newest_first else "ASC"
        rows = await self.db.read(
            f"{_SELECT} WHERE {clause} ORDER BY id {order} LIMIT ? OFFSET ?",
            (*values, limit, offset),
        )
        return Page(
            [_shown(r) for r in rows], await self.count(tenant, where), await self.evicted(tenant)
        )

    async def count(self, tenant: int, where: CallFilter) -> int:
        clause, values = where.where(tenant)
        rows = await self.db.read(f"SELECT COUNT(*) FROM calls WHERE {clause}", values)
        return rows[0][0]

    async def evicted(self, tenant: int) -> int:
        return await self._retention.evicted(self.db, tenant)

    async def get(self, tenant: int, call_id: int) -> dict[str, Any] | None:
        rows = await self.db.read(f"{_SELECT} WHERE tenant = ? AND id = ?", (tenant, call_id))
        return _shown(rows[0]) if rows else None

    async def stream(
        self, tenant: int, where: CallFilter, batch: int = 1000
    ) -> AsyncGenerator[dict[str, Any]]:
        """Every matching call, oldest first, read in batches (for export)."""
        after = where.since_id or 0
        while True:
            clause, values = where.where(tenant)
            rows = await self.db.read(
                f"{_SELECT} WHERE {clause} AND id > ? ORDER BY id LIMIT ?",
                (*values, after, batch),
            )
            for row in rows:
                yield _shown(row)
            if len(rows) < batch:
                return
            after = rows[-1][0]

    async def size(self, tenant: int | None = None) -> int:
        """How many calls the journal holds (for one tenant, or in all)."""
        if tenant is None:
            rows = await self.db.read("SELECT COUNT(*) FROM calls")
        else:
            rows = await self.db.read("SELECT COUNT(*) FROM calls WHERE tenant = ?", (tenant,))
        return rows[0][0]


def _shown(row: Sequence[Any]) -> dict[str, Any]:
    call = dict(zip(_SHOWN, row, strict=True))
    call["params"] = json.loads(call["params"])
    call["unknown"] = json.loads(call["unknown"])
    show_cuts(call)
    call["proxied"] = bool(call["proxied"])
    call["warnings"] = json.loads(call["warnings"])
    call["fault"] = None if call["fault"] is None else json.loads(call["fault"])
    return call
