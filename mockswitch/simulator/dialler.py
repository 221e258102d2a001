"""One tenant's dialler: attempts started and ended in time order, from a heap of events.

Nothing scans every destination: the dialler wakes at the events it scheduled (an attempt
ends, a retry falls due, a time group opens) and at the campaigns the API touched, and then
asks the store for the few destinations it can start. What it remembers between events:
the attempts in progress, and per destination waiting for a retry, its attempts and when it
is due; everything else (campaigns, statuses) is read from the store when needed.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Protocol

from mockswitch.domain.records import Campaign

from .opening import ALWAYS, OpeningHours
from .outcomes import OutcomeRules
from .rules import PERSON, RETRY, free_slots, occupies_agent, result_of

SECOND = 1000
READ_AHEAD = 64  # destinations never tried, read at once per campaign
_END, _WAKE = 0, 1  # at one instant, attempts end before campaigns wake


class Ended(Exception):
    """The tenant generation a dialler serves has ended (a reset or a drop): the store
    refuses its writes, and its run stops."""


@dataclass(slots=True)
class Attempt:
    """A dial: one attempt to reach one destination (a row of /_mock/dials)."""

    id: int
    campaign: int
    dnumber: str
    attempt: int
    started: int
    answered: int | None
    ends: int
    outcome: str | None  # drawn at the start, shown once it ended; None if it was cut short
    queue: int | None = None  # the queue whose agent it keeps busy while it talks
    ended: int | None = None
    result: str | None = None

    def talking(self, now: int) -> bool:
        return self.queue is not None and self.answered is not None and self.answered <= now


class DialStore(Protocol):
    """What the dialler needs from the store, for one tenant."""

    def batch(self) -> AbstractAsyncContextManager[None]:
        """Hold the write lock, all or nothing, for a run of changes."""

    async def commit(self) -> None: ...
    def watch(self, listener: Dialler | None) -> None:
        """Tell `listener` of the API's changes to campaigns and destinations."""

    async def enabled_campaigns(self) -> list[int]: ...
    async def campaign(self, campaign_id: int) -> Campaign | None: ...
    async def untried(self, campaign_id: int, start: str, limit: int) -> list[str]:
        """Pending dnumbers from `start` on (inclusive), in dnumber order."""

    async def is_pending(self, campaign_id: int, dnumber: str) -> bool: ...
    async def settle(self, campaign_id: int, dnumber: str, status: str) -> None:
        """The destination's last status; it waits for no retry any more."""

    async def retries(self, campaign_id: int) -> list[tuple[str, int, int]]:
        """The campaign's destinations waiting for a retry, as kept: (dnumber, attempts, due)."""

    async def keep_retry(self, campaign_id: int, dnumber: str, attempts: int, due: int) -> None:
        """Keep a destination's attempts so far and when its retry is due (for a restart)."""

    async def start_dial(self, dial: Attempt) -> None: ...
    async def end_dial(self, dial: Attempt) -> None: ...
    async def opening_hours(self) -> dict[int, OpeningHours]: ...
    async def queue_agents(self) -> dict[int, int]: ...
    async def queue_dtypes(self) -> frozenset[str]: ...
    async def last_dial_id(self) -> int: ...


@dataclass(slots=True)
class _Campaign:
    record: Campaign | None = None
    stale: bool = True  # the record must be read again before use
    in_progress: dict[str, Attempt] = field(default_factory=dict)
    retries: dict[str, tuple[int, int]] = field(default_factory=dict)  # dnumber: (made, due)
    due: list[tuple[int, str]] = field(default_factory=list)  # heap of retries by due time
    cursor: str = ""  # every pending dnumber below it is known here (tried, or in progress)
    untried: list[str] = field(default_factory=list)  # read ahead from the cursor, reversed
    wake_at: int | None = None
    kept_read: bool = False  # the retries kept by the store (a restart's) were read in


class Dialler:
    """The simulation of one tenant's bulk dialler, run forward by `run`."""

    def __init__(self, store: DialStore, now: int, rules: OutcomeRules) -> None:
        self.store = store
        self.now = now
        self.rules = rules
        self._events: list[tuple[int, int, int, object]] = []
        self._sequence = 0
        self._campaigns: dict[int, _Campaign] = {}
        self._touched: set[int] = set()
        self._loaded = False
        self.closed = False  # set on reset: a run still under way stops at its next step
        self._next_id = 1
        self._hours: dict[int, OpeningHours] = {}
        self._agents: dict[int, int] = {}
        self._queue_dtypes: frozenset[str] = frozenset()
        self._on_queue: dict[int, dict[int, Attempt]] = {}  # queue: attempts by id

    # -- what the API's changes tell it (called under the write lock) --------------------

    def campaign_changed(self, campaign_id: int) -> None:
        if not self._loaded:
            return
        self._state(campaign_id).stale = True
        self._touched.add(campaign_id)

    async def campaign_deleted(self, campaign_id: int) -> None:
        """Its attempts in progress end now, without a result; it is forgotten."""
        state = self._campaigns.pop(campaign_id, None)
        self._touched.discard(campaign_id)
        if state is not None:
            for attempt in list(state.in_progress.values()):
                await self._abandon(attempt)

    async def destinations_changed(self, campaign_id: int, dnumbers: Sequence[str] | None) -> None:
        """Destinations written by the API (all of the campaign's when None) start afresh:
        an attempt in progress ends now without a result, and their attempts are forgotten."""
        if not self._loaded:
            return
        state = self._state(campaign_id)
        names = set(state.in_progress) | set(state.retries) if dnumbers is None else set(dnumbers)
        for dnumber in names:
            attempt = state.in_progress.pop(dnumber, None)
            if attempt is not None:
                await self._abandon(attempt, state)
            state.retries.pop(dnumber, None)
        if dnumbers is None:
            state.cursor = ""
        elif dnumbers:
            state.cursor = min(state.cursor, min(dnumbers))
        if state.untried:  # read ahead from the old cursor: read again from the new one
            state.cursor = min(state.cursor, state.untried[-1])
            state.untried = []
        self._touched.add(campaign_id)

    # -- running -------------------------------------------------------------------------

    async def run(self, target: int, budget: float = 0.05) -> bool:
        """Run every event up to `target`, in time order; False when `budget` seconds ran
        out first (the caller commits, lets the API in, and calls again)."""
        deadline = time.perf_counter() + budget
        if self.closed:
            return True
        if not self._loaded:
            await self._load()
        while True:
            if self._touched:
                touched, self._touched = sorted(self._touched), set()
                for campaign_id in touched:
                    await self._fill(campaign_id)
            if not self._events or self._events[0][0] > target:
                self.now = max(self.now, target)
                return True
            if time.perf_counter() > deadline:
                return False
            self.now = max(self.now, self._events[0][0])
            while self._events and self._events[0][0] <= self.now:
                _, kind, _, payload = heapq.heappop(self._events)
                if kind == _END:
                    await self._end(payload)  # type: ignore[arg-type]
                else:
                    self._touched.add(payload)  # type: ignore[arg-type]

    def idle_until(self, target: int) -> bool:
        """Whether running up to `target` would do nothing but move the time (then the caller
        moves it without taking the write lock: a real clock's tick costs nothing idle)."""
        if not self._loaded or self._touched or self.closed:
            return False
        return not self._events or self._events[0][0] > target

    def in_progress(self) -> dict[int, int]:
        """Attempts in progress per campaign (the dashboard shows them)."""
        return {c: len(s.in_progress) for c, s in self._campaigns.items() if s.in_progress}

    async def _load(self) -> None:
        self._hours = await self.store.opening_hours()
        self._agents = await self.store.queue_agents()
        self._queue_dtypes = await self.store.queue_dtypes()
        self._next_id = await self.store.last_dial_id() + 1
        self._loaded = True
        for campaign_id in await self.store.enabled_campaigns():
            self._touched.add(campaign_id)

    def _state(self, campaign_id: int) -> _Campaign:
        state = self._campaigns.get(campaign_id)
        if state is None:
            state = self._campaigns[campaign_id] = _Campaign()
        return state

    def _schedule(self, at: int, kind: int, payload: object) -> None:
        self._sequence += 1
        heapq.heappush(self._events, (at, kind, self._sequence, payload))

    async def _record(self, state: _Campaign, campaign_id: int) -> Campaign | None:
        if state.stale:
            state.record = await self.store.campaign(campaign_id)
            state.stale = False
        return state.record

    def _queue_of(self, record: Campaign) -> int | None:
        if record.dtype in self._queue_dtypes and record.dnumber.isdigit():
            return int(record.dnumber)
        return None

    async def _fill(self, campaign_id: int) -> None:
        """Start as many attempts of the campaign as its rules allow, now."""
        state = self._state(campaign_id)
        record = await self._record(state, campaign_id)
        if record is None:
            if not state.in_progress:
                self._campaigns.pop(campaign_id, None)
            return
        if not state.kept_read:
            await self._read_kept_retries(campaign_id, state)
        if not record.enabled:
            return
        hours = self._hours.get(record.timegroup, ALWAYS) if record.timegroup else None
        if hours is not None and not hours.is_open(self.now):
            opens = hours.next_opening(self.now)
            if opens is not None and state.wake_at != opens:
                state.wake_at = opens
                self._schedule(opens, _WAKE, campaign_id)
            return
        free = self._free(record, state)
        while free > 0 and state.due and state.due[0][0] <= self.now:
            due, dnumber = heapq.heappop(state.due)
            waiting = state.retries.get(dnumber)
            if waiting is None or waiting[1] != due or dnumber in state.in_progress:
                continue  # the API changed it since it was scheduled
            if not await self.store.is_pending(campaign_id, dnumber):
                state.retries.pop(dnumber)
                continue
            del state.retries[dnumber]
            await self._start(record, state, dnumber, waiting[0] + 1)
            free -= 1
        while free > 0:
            if not state.untried:
                # Read ahead: one query for many starts. The API's changes to the campaign's
                # destinations drop what was read (destinations_changed).
                wanted = max(free + 8, READ_AHEAD)
                batch = await self.store.untried(campaign_id, state.cursor, wanted)
                if not batch:
                    break
                state.cursor = batch[-1] + "\x00"  # the smallest text after the last read
                state.untried = batch[::-1]
            dnumber = state.untried.pop()
            if dnumber in state.in_progress or dnumber in state.retries:
                continue
            await self._start(record, state, dnumber, 1)
            free -= 1

    async def _read_kept_retries(self, campaign_id: int, state: _Campaign) -> None:
        """Take in the retries the store kept for the campaign (from before a restart), once:
        their attempt numbers carry on, and each falls due when it would have."""
        state.kept_read = True
        for dnumber, attempts, due in await self.store.retries(campaign_id):
            if dnumber in state.retries or dnumber in state.in_progress:
                continue
            state.retries[dnumber] = (attempts, due)
            heapq.heappush(state.due, (due, dnumber))
            if due > self.now:
                self._schedule(due, _WAKE, campaign_id)

    def _free(self, record: Campaign, state: _Campaign) -> int:
        queue = self._queue_of(record)
        agent_rule = queue is not None and record.keep_agents_available != 0
        busy = 0
        if agent_rule and queue is not None:
            busy = sum(a.talking(self.now) for a in self._on_queue.get(queue, {}).values())
        return free_slots(
            record.maximum,
            len(state.in_progress),
            agent_rule,
            self._agents.get(queue, 0) if queue is not None else 0,
            busy,
            record.keep_agents_available,
        )

    async def _start(self, record: Campaign, state: _Campaign, dnumber: str, number: int) -> None:
        draw = self.rules.draw(record.id, dnumber, number)
        answered = self.now + draw.ring * SECOND if draw.outcome in PERSON | {"machine"} else None
        queue = self._queue_of(record)
        attempt = Attempt(
            id=self._next_id,
            campaign=record.id,
            dnumber=dnumber,
            attempt=number,
            started=self.now,
            answered=answered,
            ends=self.now + (draw.ring + draw.talk) * SECOND,
            outcome=draw.outcome,
            queue=queue
            if queue is not None and occupies_agent(draw.outcome, record.machine)
            else None,
        )
        self._next_id += 1
        state.in_progress[dnumber] = attempt
        if attempt.queue is not None:
            self._on_queue.setdefault(attempt.queue, {})[attempt.id] = attempt
        await self.store.start_dial(attempt)
        self._schedule(attempt.ends, _END, attempt)

    async def _end(self, attempt: Attempt) -> None:
        state = self._campaigns.get(attempt.campaign)
        if state is None or state.in_progress.get(attempt.dnumber) is not attempt:
            return  # ended early by the API
        del state.in_progress[attempt.dnumber]
        self._release(attempt)
        record = await self._record(state, attempt.campaign)
        if record is None:  # cannot happen: a deleted campaign's attempts were abandoned
            return
        assert attempt.outcome is not None  # drawn when the attempt started
        result = result_of(
            attempt.outcome, record.machine, record.success, attempt.attempt, record.attempts
        )
        attempt.ended, attempt.result = attempt.ends, result
        if result == RETRY:
            due = attempt.ends + max(record.retry, 0) * SECOND
            state.retries[attempt.dnumber] = (attempt.attempt, due)
            heapq.heappush(state.due, (due, attempt.dnumber))
            await self.store.keep_retry(attempt.campaign, attempt.dnumber, attempt.attempt, due)
            if due > self.now:
                self._schedule(due, _WAKE, attempt.campaign)
        else:
            await self.store.settle(attempt.campaign, attempt.dnumber, result)
        await self.store.end_dial(attempt)
        self._touched.add(attempt.campaign)
        if attempt.queue is not None or self._queue_of(record) is not None:
            queue = self._queue_of(record)
            for other, other_state in self._campaigns.items():
                if other_state.record is not None and self._queue_of(other_state.record) == queue:
                    self._touched.add(other)

    async def _abandon(self, attempt: Attempt, state: _Campaign | None = None) -> None:
        """End an attempt now, without a result (its destination or campaign went away)."""
        if state is not None:
            state.in_progress.pop(attempt.dnumber, None)
        self._release(attempt)
        attempt.ended, attempt.result, attempt.outcome = self.now, None, None
        if attempt.answered is not None and attempt.answered > self.now:
            attempt.answered = None
        await self.store.end_dial(attempt)

    def _release(self, attempt: Attempt) -> None:
        if attempt.queue is not None:
            self._on_queue.get(attempt.queue, {}).pop(attempt.id, None)
