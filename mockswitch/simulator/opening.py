"""A time group's opening times: days of the week, a start and an end, in a time zone.

Our model keeps one period per time group: open on each listed day from `start` until `end`
(local time, `end` after `start`, "24:00" for midnight), closed otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])|24:00")


class OpeningError(Exception):
    """Opening times that cannot be used; `field` names the bad one."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _minutes(text: object, field: str) -> int:
    if not isinstance(text, str) or not _CLOCK.fullmatch(text):
        raise OpeningError(field, f"must be a time of day HH:MM (00:00 to 24:00), not {text!r}")
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def time_zone(name: object, field: str = "timezone") -> tzinfo:
    if name == "UTC":
        return UTC  # needs no time zone database
    if not isinstance(name, str) or not name:
        raise OpeningError(field, f"must be a time zone name such as Europe/London, not {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise OpeningError(field, f"{name!r} is not a known time zone") from None


@dataclass(frozen=True, slots=True)
class OpeningHours:
    days: frozenset[int]  # 0 is Monday, as date.weekday()
    start: int  # minutes after local midnight
    end: int
    zone: tzinfo

    @classmethod
    def parse(cls, days: object, start: object, end: object, timezone: object) -> OpeningHours:
        """Check and read a time group's fields; OpeningError names the bad one."""
        if not isinstance(days, list) or any(d not in DAYS for d in days):
            raise OpeningError("days", f"must be a list of {', '.join(DAYS)}, not {days!r}")
        if len(set(days)) != len(days):
            raise OpeningError("days", f"names a day twice: {days!r}")
        first, last = _minutes(start, "start"), _minutes(end, "end")
        if last <= first:
            raise OpeningError("end", f"must be after start ({start}), not {end!r}")
        return cls(frozenset(DAYS.index(d) for d in days), first, last, time_zone(timezone))

    def _local(self, ms: int) -> datetime:
        return datetime.fromtimestamp(ms / 1000, UTC).astimezone(self.zone)

    def _bounds(self, day: date) -> tuple[int, int]:
        """The day's opening and closing moments, in ms since the epoch."""
        midnight = datetime.combine(day, time(0), tzinfo=self.zone)
        opens = (midnight + timedelta(minutes=self.start)).astimezone(UTC)
        closes = (midnight + timedelta(minutes=self.end)).astimezone(UTC)
        return round(opens.timestamp() * 1000), round(closes.timestamp() * 1000)

    def is_open(self, ms: int) -> bool:
        today = self._local(ms).date()
        for day in (today - timedelta(days=1), today):  # a DST shift may blur the edges
            if day.weekday() in self.days:
                opens, closes = self._bounds(day)
                if opens <= ms < closes:
                    return True
        return False

    def next_opening(self, ms: int) -> int | None:
        """The first moment at or after `ms` when it is open; None if it never opens."""
        if not self.days:
            return None
        if self.is_open(ms):
            return ms
        today = self._local(ms).date()
        for offset in range(9):
            day = today + timedelta(days=offset)
            if day.weekday() in self.days:
                opens, _ = self._bounds(day)
                if opens >= ms:
                    return opens
        return None


ALWAYS = OpeningHours(frozenset(range(7)), 0, 24 * 60, UTC)
