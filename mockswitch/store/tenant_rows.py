"""Each table's statements on one tenant's rows: copy the seed's into it, delete them.

Whole, in one statement each (`seeding.py`: seeding at start and `mockswitch seed`, when
nothing is served yet), or a slice at a time in key order (`slices.py`: a reset, a new
tenant and the sweeper, while calls are served). Both read the statements here, built once
from `dataset/tables.py`, so a copy in slices is the same copy as a whole one.
"""

from __future__ import annotations

from mockswitch.dataset.tables import TABLES

from .schema import SEED_TENANT


class TenantRows:
    """One table's statements that copy or delete a tenant's rows, whole or in key order a
    slice at a time: plain ranges of the primary key, which SQLite runs as fast as a whole
    copy."""

    def __init__(self, table: str, key: tuple[str, ...], columns: tuple[str, ...]) -> None:
        keys = ", ".join(key)
        marks = ", ".join("?" * len(key))
        backwards = ", ".join(f"{column} DESC" for column in key)
        self.last = f"SELECT {keys} FROM {table} WHERE tenant = ? ORDER BY {backwards} LIMIT 1"
        names = ", ".join(columns)
        self.copy_whole = (
            f"INSERT INTO {table} (tenant, {names}) SELECT ?, {names} FROM {table} "
            f"WHERE tenant = {SEED_TENANT}"
        )
        self.copy_first = f"{self.copy_whole} ORDER BY {keys} LIMIT ?"
        self.copy_after = f"{self.copy_whole} AND ({keys}) > ({marks}) ORDER BY {keys} LIMIT ?"
        self.bound = f"SELECT {keys} FROM {table} WHERE tenant = ? ORDER BY {keys} LIMIT 1 OFFSET ?"
        self.delete_upto = f"DELETE FROM {table} WHERE tenant = ? AND ({keys}) <= ({marks})"
        self.delete_whole = f"DELETE FROM {table} WHERE tenant = ?"


# What a tenant copies from the seed: the data set's tables, in load order.
DATA = [TenantRows(t.name, t.key, t.column_names) for t in TABLES]
# What a tenant id leaves behind: its data, its journal, its dials and the dialler's retries
# (never copied).
LEFT_BEHIND = [
    *DATA,
    TenantRows("calls", ("id",), ()),
    TenantRows("dials", ("id",), ()),
    TenantRows("retries", ("campaign", "dnumber"), ()),
]
