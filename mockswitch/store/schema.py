"""The SQLite schema: the data set's tables (from `tables.py`), tenants, meta and the journal.

Every data table carries a `tenant` column first in its primary key: tenant 0 holds the
seeded data set, untouched by the API, and every other tenant starts as a copy of it.
"""

from __future__ import annotations

from mockswitch.dataset.tables import TABLES, Column, Table

SCHEMA_VERSION = "3"
# How a file made by an older schema is brought up to this one, step by step: each entry
# maps a version to the statements that turn it into the next.
MIGRATIONS: dict[str, tuple[str, ...]] = {
    "2": ("ALTER TABLE calls ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]'",),
}

SEED_TENANT = 0
DEFAULT_TENANT = "default"

PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    # In WAL mode, NORMAL loses nothing when the process dies (kill -9): only a power cut
    # can drop the last commits. FULL is a setting away for those who need it.
    "PRAGMA synchronous = {synchronous}",
    "PRAGMA foreign_keys = OFF",
    "PRAGMA busy_timeout = 5000",
    "PRAGMA temp_store = MEMORY",
)


def _sql_type(column: Column) -> str:
    return "INTEGER" if column.type is int else "TEXT"  # lists are stored as JSON text


def _table_ddl(table: Table) -> str:
    columns = ",\n  ".join(f"{c.name} {_sql_type(c)}" for c in table.columns)
    key = ", ".join(("tenant", *table.key))
    return (
        f"CREATE TABLE IF NOT EXISTS {table.name} (\n  tenant INTEGER NOT NULL,\n  {columns},\n"
        f"  PRIMARY KEY ({key})\n) WITHOUT ROWID"
    )


_STATIC = (
    """CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS tenants (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  evicted INTEGER NOT NULL DEFAULT 0,
  dials_evicted INTEGER NOT NULL DEFAULT 0
)""",
    """CREATE TABLE IF NOT EXISTS calls (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant INTEGER NOT NULL,
  at TEXT NOT NULL,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  function TEXT NOT NULL,
  query TEXT NOT NULL,
  params TEXT NOT NULL,
  unknown TEXT NOT NULL,
  username TEXT NOT NULL,
  code TEXT NOT NULL,
  key TEXT NOT NULL,
  http_status INTEGER NOT NULL,
  body TEXT NOT NULL,
  body_truncated INTEGER NOT NULL,
  fault TEXT,
  latency_ms REAL NOT NULL,
  duration_ms REAL NOT NULL,
  stub INTEGER,
  proxied INTEGER NOT NULL DEFAULT 0,
  warnings TEXT NOT NULL DEFAULT '[]'
)""",
    "CREATE INDEX IF NOT EXISTS calls_by_tenant ON calls (tenant, id)",
    "CREATE INDEX IF NOT EXISTS calls_by_function ON calls (tenant, function, id)",
    "CREATE INDEX IF NOT EXISTS calls_by_code ON calls (tenant, code, id)",
    "CREATE INDEX IF NOT EXISTS calls_by_username ON calls (tenant, username, id)",
    "CREATE INDEX IF NOT EXISTS people_by_username ON people (tenant, username)",
    "CREATE INDEX IF NOT EXISTS campaigns_by_customer ON campaigns (tenant, customer, id)",
)

# The dialler's attempts (GET /_mock/dials): not part of the data set, so neither seeded nor
# copied; numbered per tenant from 1, bounded per tenant like the journal (dials_max). Times
# are milliseconds since the epoch (UTC), written as text only when read.
DIALS_DDL = (
    """CREATE TABLE IF NOT EXISTS dials (
  tenant INTEGER NOT NULL,
  id INTEGER NOT NULL,
  campaign INTEGER NOT NULL,
  dnumber TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  started INTEGER NOT NULL,
  answered INTEGER,
  ended INTEGER,
  outcome TEXT,
  result TEXT,
  PRIMARY KEY (tenant, id)
) WITHOUT ROWID""",
    # Serves ?campaign= and ?campaign=&dnumber=; ?dnumber= alone scans the tenant's dials
    # (at most dials_max), where a second index would slow every attempt's insert.
    "CREATE INDEX IF NOT EXISTS dials_by_campaign ON dials (tenant, campaign, dnumber, id)",
)

# The dialler's retries (store/retries.py): each destination still pending after an attempt,
# its attempts so far and when the next is due (ms since the epoch), so a restart resumes.
RETRIES_DDL = (
    """CREATE TABLE IF NOT EXISTS retries (
  tenant INTEGER NOT NULL,
  campaign INTEGER NOT NULL,
  dnumber TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  due INTEGER NOT NULL,
  PRIMARY KEY (tenant, campaign, dnumber)
) WITHOUT ROWID""",
)

STATEMENTS: tuple[str, ...] = (
    tuple(_table_ddl(t) for t in TABLES) + _STATIC + DIALS_DDL + RETRIES_DDL
)
# The secondary indexes, in the order above: a new file built in bulk makes them last.
INDEXES = tuple(s for s in STATEMENTS if s.startswith("CREATE INDEX"))
TABLE_STATEMENTS = tuple(s for s in STATEMENTS if s not in INDEXES)
