"""How every command reports a failure: one line on stderr, and the exit status."""

from __future__ import annotations

import sys

USAGE = 2  # a bad flag or setting, or a start refused before anything was written
FAILED = 1  # the work itself failed: the server unreachable, the disk full


def failed(message: object, status: int = FAILED) -> int:
    """Print `mockswitch: <message>` on stderr; the exit status to return."""
    print(f"mockswitch: {message}", file=sys.stderr)
    return status
