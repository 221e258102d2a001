"""How a tenant's journal and its dials stay bounded: the one retention both use.

Each keeps at most `max_entries` rows per tenant (0 keeps all). The oldest (lowest ids) go
first, in the transaction that added the rows past the bound, and each row evicted is
counted in a column of `tenants`, so that a query can say its answer may be incomplete.
Sizes are counted once per tenant and then kept up to date by the caller's `added`: a
COUNT per write would cost more than the write.
"""

from __future__ import annotations

import sqlite3

from .database import Database


class Retention:
    """The bound on one table's rows per tenant (`calls`, `dials`), and its eviction count
    (`tenants.<counter>`). Its writes run on the writer; the caller holds the write lock."""

    def __init__(self, table: str, counter: str, max_entries: int) -> None:
        self.max_entries = max_entries
        self._sizes: dict[int, int] = {}  # rows kept, by tenant id, once counted
        self._count = f"SELECT COUNT(*) FROM {table} WHERE tenant = ?"
        self._count_all = f"SELECT tenant, COUNT(*) FROM {table} GROUP BY tenant"
        # `tenant = ?` outside too: the dials' ids are numbered per tenant.
        self._evict = (
            f"DELETE FROM {table} WHERE tenant = ? AND id IN "
            f"(SELECT id FROM {table} WHERE tenant = ? ORDER BY id LIMIT ?)"
        )
        self._counted = f"UPDATE tenants SET {counter} = {counter} + ? WHERE id = ?"
        self._delete = f"DELETE FROM {table} WHERE tenant = ?"
        self._uncounted = f"UPDATE tenants SET {counter} = 0 WHERE id = ?"
        self._read_count = f"SELECT {counter} FROM tenants WHERE id = ?"

    def count_all(self, connection: sqlite3.Connection) -> None:
        """Count every tenant's rows now (at start), so that no write waits for a count."""
        self._sizes = dict(connection.execute(self._count_all).fetchall())

    def added(self, connection: sqlite3.Connection, tenant: int, rows: int) -> None:
        """`rows` were just inserted for `tenant`: evict its oldest beyond the bound."""
        size = self._sizes.get(tenant)
        if size is None:  # not counted yet: the count holds the rows just inserted
            size = connection.execute(self._count, (tenant,)).fetchone()[0]
        else:
            size += rows
        excess = size - self.max_entries
        if excess > 0:
            connection.execute(self._evict, (tenant, tenant, excess))
            connection.execute(self._counted, (excess, tenant))
            size = self.max_entries
        self._sizes[tenant] = size

    def forget(self, tenant: int) -> None:
        """Drop what is known of `tenant`'s size (its rows are gone, or no longer counted
        here): counted again at its next write."""
        self._sizes.pop(tenant, None)

    def clear(self, connection: sqlite3.Connection, tenant: int) -> None:
        """Delete all of `tenant`'s rows, and its count of evictions."""
        connection.execute(self._delete, (tenant,))
        connection.execute(self._uncounted, (tenant,))
        self._sizes[tenant] = 0

    async def evicted(self, db: Database, tenant: int) -> int:
        """How many of `tenant`'s rows were evicted (on the read-only connection)."""
        rows = await db.read(self._read_count, (tenant,))
        return rows[0][0] if rows else 0
