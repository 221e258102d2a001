"""Repeated log lines, rate-limited: the same warning or error, word for word, is logged once
per `log_repeat_interval`, and the next one logged says how many were left out.

Out of file descriptors, asyncio logged "socket.accept() out of system resource" with its
traceback for every connection it could not accept: 180 MB in a minute in one run. A flood
of one message says nothing more than one line and a count. Lines below WARNING (one per
call, by design) pass untouched, and so does every first line of a kind.

`RepeatLimiter` is a logging filter, put on the loggers that the server's own failures and
aiohttp's and asyncio's reach (`LOGGERS`) while the server runs (web/runner.py). When it is
removed, each kind still holding left-out lines is logged once more with its count, so no
count is lost.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# The loggers whose warnings and errors are limited (a filter acts on its own logger only).
LOGGERS = (
    "asyncio",
    "aiohttp.server",
    "aiohttp.web",
    "aiohttp.access",
    "mockswitch",
    "mockswitch.web",
    "mockswitch.calls",
    "mockswitch.connections",
    "mockswitch.proxy",
    "mockswitch.simulator",
    "mockswitch.store",
)
KINDS_KEPT = 1024  # distinct lines remembered; past that, those quiet longest are forgotten
_JUDGED = "mockswitch_repeat_judged"  # set on a record once a limiter has seen it

Kind = tuple[str, int, str]


@dataclass(slots=True)
class _Seen:
    since: float  # when the line last went out
    left_out: int = 0


class RepeatLimiter(logging.Filter):
    """Pass a warning or error, unless the same one went out less than `interval` seconds
    ago (then count it); `interval` 0 passes everything."""

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.interval = interval
        self._clock = clock
        self._seen: dict[Kind, _Seen] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING or self.interval <= 0:
            return True
        if getattr(record, _JUDGED, False):  # another limiter (or this one's count) passed it
            return True
        setattr(record, _JUDGED, True)
        kind = _kind(record)
        now = self._clock()
        seen = self._seen.get(kind)
        if seen is not None and now - seen.since < self.interval:
            seen.left_out += 1
            return False
        if seen is not None and seen.left_out:
            record.msg = f"{record.getMessage()} {_left_out(seen.left_out, now - seen.since)}"
            record.args = None
        self._seen.pop(kind, None)  # to the end: the dict is kept oldest first
        self._seen[kind] = _Seen(now)
        if len(self._seen) > KINDS_KEPT:
            self._forget(now)
        return True

    def _forget(self, now: float) -> None:
        for kind in list(self._seen):
            if len(self._seen) <= KINDS_KEPT // 2:
                break
            seen = self._seen[kind]
            if not seen.left_out or now - seen.since >= self.interval:
                del self._seen[kind]

    def flush(self) -> None:
        """Log, once each, the kinds that still hold left-out lines, with their counts."""
        now = self._clock()
        for (name, level, message), seen in list(self._seen.items()):
            if seen.left_out:
                logging.getLogger(name).log(
                    level,
                    "%s %s",
                    message,
                    _left_out(seen.left_out, now - seen.since),
                    extra={_JUDGED: True},
                )
        self._seen.clear()


def _kind(record: logging.LogRecord) -> Kind:
    text = record.getMessage()
    if record.exc_info and record.exc_info[1] is not None:
        error = record.exc_info[1]
        text = f"{text} [{type(error).__name__}: {error}]"
    return record.name, record.levelno, text


def _left_out(count: int, seconds: float) -> str:
    lines = "line" if count == 1 else "lines"
    return f"(and {count} more {lines} like it in the last {seconds:.0f} s, not logged)"


def limit_repeats(interval: float, loggers: Iterable[str] = LOGGERS) -> Callable[[], None]:
    """Put one limiter on each of `loggers`; returns what takes it off again (and logs the
    counts it still holds)."""
    limiter = RepeatLimiter(interval)
    targets = [logging.getLogger(name) for name in loggers]
    for target in targets:
        target.addFilter(limiter)

    def remove() -> None:
        for target in targets:
            target.removeFilter(limiter)
        limiter.flush()

    return remove
