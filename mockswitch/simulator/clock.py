"""A tenant's clock: `virtual` (moves only when told) or `real` (wall time, times a speed).

Times are whole milliseconds since the Unix epoch (UTC): exact arithmetic, no float drift
when a test advances by 0.1 s ten times.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

MODES = ("virtual", "real")
MAX_SPEED = 3600.0
SPEEDS = f"more than 0 and at most {MAX_SPEED:g}"  # what a clock's speed may be
SECOND = 1000
LATEST = round(datetime(9999, 1, 1, tzinfo=UTC).timestamp() * SECOND)
# The last instant a clock can show, 9998-12-31T23:59:59.999Z: a real clock stops there, so
# that neither it nor an attempt it starts (at most a minute long) reaches the year 10000,
# which no time here can be written in.
LAST = LATEST - 1


class ClockError(Exception):
    """A clock setting that cannot be used; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def parse_time(text: object, field: str = "now") -> int:
    """An ISO 8601 moment as milliseconds since the epoch; one without an offset is UTC."""
    if not isinstance(text, str):
        raise ClockError(
            field, f"must be an ISO 8601 time such as 2026-12-07T10:00:00Z, not {text!r}"
        )
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ClockError(
            field, f"{text!r} is not an ISO 8601 time such as 2026-12-07T10:00:00Z"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    ms = round(moment.timestamp() * SECOND)
    if not 0 <= ms < LATEST:
        raise ClockError(field, f"{text!r} is outside the years 1970 to 9998")
    return ms


_day: list[Any] = [None, ""]  # the last day format_ms wrote, and its "YYYY-MM-DDT"
_DAY = 86_400 * SECOND


def format_ms(ms: int) -> str:
    """A moment as UTC ISO 8601 with a Z: whole seconds plainly, else with milliseconds."""
    # The dialler writes thousands of times a second: format the day once, the rest by hand.
    day, into = divmod(ms, _DAY)
    if day != _day[0]:
        _day[:] = day, datetime.fromtimestamp(day * 86_400, UTC).strftime("%Y-%m-%dT")
    seconds, fraction = divmod(into, SECOND)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    text = f"{_day[1]}{hour:02d}:{minute:02d}:{second:02d}"
    return f"{text}.{fraction:03d}Z" if fraction else f"{text}Z"


def check_speed(value: object, field: str = "speed") -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ClockError(field, f"must be a number, not {value!r}")
    if not 0 < value <= MAX_SPEED:
        raise ClockError(field, f"must be {SPEEDS}, not {value!r}")
    return float(value)


def check_mode(value: object, field: str = "mode") -> str:
    if value not in MODES:
        raise ClockError(field, f"must be one of {', '.join(MODES)}, not {value!r}")
    return str(value)


@dataclass(frozen=True, slots=True)
class ClockSpec:
    """How every tenant's clock starts, and restarts on reset."""

    mode: str = "virtual"
    speed: float = 1.0
    start_ms: int = 0  # 0: the moment the server started, to the whole second

    def started(self, wall: Callable[[], float] = time.time) -> ClockSpec:
        """This spec with its start fixed (the server's start, when none was given)."""
        if self.start_ms:
            return self
        return ClockSpec(self.mode, self.speed, int(wall()) * SECOND)


class Clock:
    """One tenant's clock. In real mode it reads `monotonic` through an anchor."""

    def __init__(self, spec: ClockSpec, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self.mode = spec.mode
        self.speed = spec.speed
        self._anchor_ms = spec.start_ms  # the clock's time at _anchor_wall
        self._anchor_wall = monotonic()

    def now(self) -> int:
        if self.mode == "virtual":
            return self._anchor_ms
        elapsed = self._monotonic() - self._anchor_wall
        return min(self._anchor_ms + int(elapsed * self.speed * SECOND), LAST)

    def set(
        self, mode: str | None = None, now: int | None = None, speed: float | None = None
    ) -> None:
        """Change the mode, the time (forward only: the caller checks) and the speed."""
        current = self.now()
        self._anchor_ms = max(current, now) if now is not None else current
        self._anchor_wall = self._monotonic()
        if mode is not None:
            self.mode = mode
        if speed is not None:
            self.speed = speed

    def as_json(self) -> dict[str, object]:
        now = self.now()
        shown: dict[str, object] = {"now": format_ms(now), "mode": self.mode, "speed": self.speed}
        if now >= LAST:  # only then: a clock's usual answer keeps its three fields
            shown["stopped"] = True
            shown["warnings"] = [STOPPED]
        return shown


STOPPED = (
    "the clock reached the last instant it can show, 9998-12-31T23:59:59.999Z, and stays "
    "there; a reset starts it again"
)
