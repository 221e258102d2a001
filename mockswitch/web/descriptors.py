"""How many connections the open-file limit leaves room for, raising the limit first.

Every connection holds a file descriptor, and so do the database, its write-ahead log, the
read connection, the checkpoint thread, the forwarded calls and the listening sockets. With
the usual `ulimit -n` of 1024 and no cap, slow clients took them all: accept() failed, and
legitimate calls could not connect. So at start:

- the soft limit is raised toward the hard one (as Go's runtime does), if the connections
  wanted do not fit under it: on most machines the hard limit is far higher;
- `max_connections` is lowered to what then fits, beside a reserve for the server's own
  files and for connections accepted in a burst before the guard sees them: asyncio accepts
  up to `backlog` connections per listening socket at a time, and a refused one holds its
  descriptor until the next turn of the loop. The backlog itself is lowered where the limit
  is small.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

try:
    import resource
except ImportError:  # pragma: no cover (Windows has no rlimits: nothing to fit under)
    resource = None  # type: ignore[assignment]

RESERVE = 64  # the server's own files: database, log, read connection, checkpoints, ...


@dataclass(frozen=True, slots=True)
class Budget:
    connections: int  # the cap to apply
    backlog: int  # the listen backlog to apply
    limit: int | None  # the open-file limit after raising it (None: no limit known)


def connection_budget(max_connections: int, backlog: int, listeners: int, extra: int = 0) -> Budget:
    """The cap and backlog that fit under the open-file limit (raised if need be), with
    `listeners` listening sockets and `extra` descriptors of the server's own beside
    `RESERVE` (the forwarded calls')."""
    if resource is None:
        return Budget(max_connections, backlog, None)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    in_use = _open_descriptors()
    reserve = in_use + RESERVE + extra
    wanted = reserve + max_connections + 2 * backlog * listeners
    if soft != resource.RLIM_INFINITY and soft < wanted:
        raised = wanted if hard == resource.RLIM_INFINITY else min(hard, wanted)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
            soft = raised
        except (ValueError, OSError):
            pass  # kept as it was: the cap below fits under it
    if soft == resource.RLIM_INFINITY:
        return Budget(max_connections, backlog, None)
    spare = max(soft - reserve, 8)
    fitting_backlog = max(1, min(backlog, spare // (8 * listeners)))
    connections = max(1, min(max_connections, spare - 2 * fitting_backlog * listeners))
    return Budget(connections, fitting_backlog, soft)


def _open_descriptors() -> int:
    """How many file descriptors the process holds now (a guess where /proc says nothing)."""
    for folder in ("/proc/self/fd", "/dev/fd"):
        try:
            return len(os.listdir(folder))
        except OSError:
            continue
    return 64
