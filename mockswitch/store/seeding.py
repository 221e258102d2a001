"""Writing a data set into the seed tenant, and copying it into a tenant's own tables."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from mockswitch.dataset.fixtures import Dataset, Row
from mockswitch.dataset.tables import TABLES, Table

from .database import Writer
from .meta import write_meta
from .schema import SEED_TENANT
from .tenant_rows import DATA


def _insert_sql(table: Table) -> str:
    names = ", ".join(("tenant", *table.column_names))
    marks = ", ".join("?" * (len(table.columns) + 1))
    return f"INSERT INTO {table.name} ({names}) VALUES ({marks})"


_INSERT = {t.name: _insert_sql(t) for t in TABLES}


def _stored_rows(table: Table, rows: Iterable[Row]) -> Iterator[tuple[Any, ...]]:
    """The seed tenant's parameter tuples for `rows` of `table`, list columns as JSON.

    Built per table rather than per value: a generated data set has 700,000 rows, and
    testing every value's type cost more than SQLite's inserts (`seed --generate`)."""
    names = table.column_names
    lists = [i for i, c in enumerate(table.columns) if c.type is list]
    if not lists:
        values = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
        for row in rows:
            yield (SEED_TENANT, *values(row))
        return
    for row in rows:
        stored = [SEED_TENANT, *(row[c] for c in names)]
        for i in lists:
            value = stored[i + 1]
            if isinstance(value, list):
                stored[i + 1] = json.dumps(value)
        yield tuple(stored)


async def write_seed(conn: Writer, dataset: Dataset) -> None:
    """Replace the seed tenant's rows with `dataset` (the caller commits)."""
    await delete_tenant_rows(conn, SEED_TENANT)
    for table in TABLES:
        rows = dataset.rows.get(table.name)
        if rows:
            await conn.executemany(_INSERT[table.name], _stored_rows(table, rows))
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    meta = {
        "seed_source": dataset.source,
        "seed_fingerprint": dataset.fingerprint,
        "seed_generated": "1" if dataset.generated else "0",
        "seeded_at": now,
    }
    await write_meta(conn, meta)


async def delete_tenant_rows(conn: Writer, tenant: int) -> None:
    for table in DATA:
        await conn.execute(table.delete_whole, (tenant,))


async def copy_seed(conn: Writer, tenant: int) -> None:
    """Make `tenant`'s data an exact copy of the seed tenant's (the caller commits)."""
    await delete_tenant_rows(conn, tenant)
    for table in DATA:
        await conn.execute(table.copy_whole, (tenant,))
