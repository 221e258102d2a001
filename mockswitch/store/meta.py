"""The `meta` table: what the database file says of itself, a text per key (the seed it
holds, the last tenant id given, the ids left to sweep, the schema's version)."""

from __future__ import annotations

from collections.abc import Mapping

from .database import Writer

_UPSERT = (
    "INSERT INTO meta (key, value) VALUES (?, ?) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)


async def write_meta(writer: Writer, values: Mapping[str, str]) -> None:
    """Set each key of `values`, replacing what it held (the caller commits)."""
    await writer.executemany(_UPSERT, values.items())
