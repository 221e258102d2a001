"""A new database file built fast (`mockswitch seed` into a file that does not exist yet).

Seeding the generator's 100,000 campaigns writes three quarters of a million rows twice (the
seed, and the default tenant's copy of it). Into a new file nothing needs a rollback journal
or a sync on the way, and an index is built faster from the finished table than row by row.
So the file is built beside its name (`<db>.seeding`) with the journal and the syncs off and
the secondary indexes left for the end; once whole it gets its indexes and the WAL, is synced,
and is renamed into place. A crash on the way leaves only the `.seeding` file, which the next
build removes, and an empty file under the name (the lock is taken on it: store/dbfile.py),
which a start takes for a new database: never a half-seeded database under the name.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from . import schema
from .dbfile import discard

SUFFIX = ".seeding"
PRAGMAS = (
    "PRAGMA journal_mode = OFF",
    "PRAGMA synchronous = OFF",
    "PRAGMA foreign_keys = OFF",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA cache_size = -65536",  # 64 MB: the tables' pages are written once, at the end
)


class Building:
    """The file a new database is built in, and its move into place."""

    def __init__(self, final: Path) -> None:
        self.final = final
        self.path = final.with_name(final.name + SUFFIX)
        discard(self.path)  # what a crashed build left

    @staticmethod
    def wanted(location: Path) -> bool:
        """Build anew only where there is no database yet (an empty file is none)."""
        return not location.exists() or location.stat().st_size == 0

    def finish(self, connection: sqlite3.Connection) -> None:
        """The indexes, in the order a database made row by row has them, and the WAL."""
        for statement in schema.INDEXES:
            connection.execute(statement)
        connection.commit()
        connection.execute("PRAGMA journal_mode = WAL")

    def move_into_place(self) -> None:
        """Sync the whole file, then rename it over the final name, and sync the folder."""
        descriptor = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(self.path, self.final)
        folder = os.open(self.final.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)

    def abandon(self) -> None:
        discard(self.path)

    def leave_no_placeholder(self) -> None:
        """Remove the empty file under the final name that holds the lock while the build
        runs (store/dbfile.py): a build that failed leaves nothing. (One that was killed
        leaves it empty, which the next start takes for a new database.)"""
        try:
            if self.final.stat().st_size == 0:
                self.final.unlink()
        except FileNotFoundError:
            pass
