"""The only place that knows SQL: the data set, its tenants and the call journal in SQLite."""

from .database import MEMORY, Database, SchemaMismatch
from .dbfile import DatabaseFileError, DatabaseInUse
from .journal import CallFilter, CallRecord, Journal, Page, format_time
from .store import Store
from .tenant import TenantData

__all__ = [
    "MEMORY",
    "CallFilter",
    "CallRecord",
    "Database",
    "DatabaseFileError",
    "DatabaseInUse",
    "Journal",
    "Page",
    "SchemaMismatch",
    "Store",
    "TenantData",
    "format_time",
]
