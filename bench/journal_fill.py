"""Fill a mockswitch database's call journal with N generated calls, straight into SQLite.

Going through the API would take minutes for a million calls; one INSERT ... SELECT over a
recursive CTE writes them in seconds. The rows look like what the switch records (the same
columns, envelope bodies, masked queries, JSON params), numbered after the journal's last
id, for the tenant "default". The database must exist (start mockswitch on it once, then
stop it): the schema and the tenant come from mockswitch itself, never from here.

    python bench/journal_fill.py DB_FILE COUNT

The mix (by call number n): 70% bulk/campaigns/update, 10% bulk/campaigns/get, 10%
bulk/campaigns/list, 10% bulk/campaigns/create; an update is 204 (80%), 400 (15%) or 401
(5%). FILTER below is the filtered query the benchmark times, and SHARE is the fraction of
the journal that it matches.
"""

from __future__ import annotations

import argparse
import sqlite3
import time

FILTER = {"function": "bulk/campaigns/update", "code": "400"}
SHARE = 0.7 * 0.15

_FILL = """
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count),
shaped AS (
  SELECT i,
    CASE WHEN i % 10 < 7 THEN 'bulk/campaigns/update'
         WHEN i % 10 = 7 THEN 'bulk/campaigns/get'
         WHEN i % 10 = 8 THEN 'bulk/campaigns/list'
         ELSE 'bulk/campaigns/create' END AS function,
    CASE WHEN i % 10 >= 7 THEN '200'
         WHEN (i / 10) % 20 < 16 THEN '204'
         WHEN (i / 10) % 20 < 19 THEN '400'
         ELSE '401' END AS code,
    123 + i % 3 AS campaign
  FROM n
)
INSERT INTO calls (id, tenant, at, method, path, function, query, params, unknown, username,
                   code, key, http_status, body, body_truncated, fault, latency_ms, duration_ms)
SELECT :first + i, :tenant,
  strftime('%Y-%m-%dT%H:%M:%f', '2026-01-01', '+' || (i / 100.0) || ' seconds') || 'Z',
  'GET', '/api/json/' || function || '/', function,
  'auth_username=user&auth_password=*****&id=' || campaign || '&name=Bench+' || i,
  json_object('auth_username', 'user', 'auth_password', '*****', 'id', campaign,
              'name', 'Bench ' || i),
  '[]', CASE code WHEN '401' THEN '' ELSE 'user' END, code,
  CASE code WHEN '400' THEN 'attempts' ELSE '' END,
  200,
  CASE code
    WHEN '204' THEN '{"responses":[{"code":"204","key":"","message":"OK"}]}'
    WHEN '400' THEN '{"responses":[{"code":"400","key":"attempts","message":"must be at least 1"}]}'
    WHEN '401' THEN '{"responses":[{"code":"401","key":"","message":'
                    || '"The authentication details provided are invalid."}]}'
    ELSE '{"responses":[{"code":"200","key":"","message":"OK"}],"data":{"id":' || campaign || '}}'
  END,
  0, NULL, 0.0, 1.5
FROM shaped
"""


def fill(path: str, count: int, tenant_name: str = "default") -> float:
    """Append `count` calls to the tenant's journal; returns the seconds it took."""
    started = time.perf_counter()
    db = sqlite3.connect(path)
    try:
        # A scratch fill: no rollback journal, no syncs, a big cache. The file goes back to
        # WAL (mockswitch's mode) at the end.
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.execute("PRAGMA cache_size = -262144")
        found = db.execute("SELECT id FROM tenants WHERE name = ?", (tenant_name,)).fetchone()
        if found is None:
            raise SystemExit(f"{path} has no tenant {tenant_name!r}: start mockswitch on it once")
        first = db.execute(
            "SELECT MAX(COALESCE((SELECT MAX(id) FROM calls), 0),"
            " COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'calls'), 0))"
        ).fetchone()[0]
        with db:
            db.execute(_FILL, {"count": count, "first": first, "tenant": found[0]})
        db.execute("PRAGMA journal_mode = WAL")
    finally:
        db.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", help="a database file mockswitch has already created")
    parser.add_argument("count", type=int, help="how many calls to add")
    args = parser.parse_args()
    took = fill(args.db, args.count)
    print(f"added {args.count} calls to {args.db} in {took:.1f}s")


if __name__ == "__main__":
    main()
