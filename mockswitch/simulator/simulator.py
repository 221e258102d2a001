"""Each tenant's simulation (its clock, outcome rules and dialler), and the task that runs
the real clocks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable

from .clock import LATEST, SECOND, Clock, ClockError, ClockSpec
from .dialler import Dialler, DialStore, Ended
from .outcomes import OutcomeRules

log = logging.getLogger("mockswitch.simulator")

MAX_ADVANCE_SECONDS = 7 * 24 * 3600  # one advance moves a week at most
REAL_TICK_SECONDS = 0.1  # how often a real clock's dialler catches up with it


class ClockConflict(ClockError):
    """A clock move that the clock's state forbids (backwards, or advancing a real clock)."""


class SimulationEnded(ClockConflict):
    """The tenant was reset or dropped while its clock moved: what was left was not run."""

    def __init__(self) -> None:
        super().__init__(
            "tenant",
            "the tenant was reset while its clock moved: the rest of the move was not run, "
            "and the tenant's clock is back at its start",
        )


class Simulation:
    """One tenant's clock, outcome rules and dialler, from its creation or a reset to the
    next reset (or its drop); its dialler reads and writes the tenant's rows of that time."""

    def __init__(
        self,
        name: str,
        clock: Clock,
        rules: OutcomeRules,
        store: DialStore,
        on_real: Callable[[], None],
    ) -> None:
        self.name = name
        self.clock = clock
        self.rules = rules
        self.store = store
        self.dialler: Dialler | None = None  # made at the first catch-up
        self.ended = False
        self._lock = asyncio.Lock()  # one move of the clock at a time
        self._on_real = on_real  # wakes the real clocks' task

    def set_rules(self, rules: OutcomeRules) -> None:
        self.rules = rules
        if self.dialler is not None:
            self.dialler.rules = rules

    def in_progress(self) -> dict[int, int]:
        return {} if self.dialler is None else self.dialler.in_progress()

    def end(self) -> None:
        """Stop for good (the tenant was reset or dropped): a run under way stops at its
        next step, and a clock move still waiting answers `SimulationEnded`."""
        self.ended = True
        if self.dialler is not None:
            self.dialler.closed = True

    async def advance(self, seconds: float) -> Clock:
        """Move a virtual clock forward, running everything due on the way."""
        async with self._lock:
            clock = self.clock
            if clock.mode != "virtual":
                raise ClockConflict("mode", "a real clock cannot be advanced: set a virtual one")
            target = clock.now() + round(seconds * SECOND)
            if target >= LATEST:
                raise ClockConflict("seconds", "the clock cannot pass the year 9998")
            await self._catch_up(target)
            clock.set(now=target)
        return clock

    async def set_clock(self, mode: str | None, now: int | None, speed: float | None) -> Clock:
        """Change mode, time (forward only, running what is due) and speed."""
        async with self._lock:
            clock = self.clock
            current = clock.now()
            if now is not None and now < current:
                raise ClockConflict("now", "the clock never moves backwards")
            target = current if now is None else now
            await self._catch_up(target)
            clock.set(mode=mode, now=target, speed=speed)
            if clock.mode == "real":
                self._on_real()
        return clock

    async def catch_up(self) -> None:
        """Run the dialler up to the clock's time (a real clock moves on its own)."""
        async with self._lock:
            await self._catch_up(self.clock.now())

    async def _catch_up(self, target: int) -> None:
        if self.ended:
            raise SimulationEnded()
        dialler = self.dialler
        if dialler is None:
            dialler = self.dialler = Dialler(self.store, self.clock.now(), self.rules)
            self.store.watch(dialler)
        if dialler.idle_until(target):
            dialler.now = max(dialler.now, target)
            return
        while True:
            try:
                async with self.store.batch():
                    done = await dialler.run(target)
            except Ended:
                raise SimulationEnded() from None
            await self.store.commit()
            if self.ended:  # reset or dropped while the slice was committed
                raise SimulationEnded()
            if done:
                return


class Simulator:
    """How every tenant's simulation starts, and the task that keeps real clocks running."""

    def __init__(self, spec: ClockSpec, start_rules: OutcomeRules | None = None) -> None:
        self.spec = spec.started()
        self.start_rules = start_rules or OutcomeRules()
        self._real_clock = asyncio.Event()

    def simulation(self, name: str, store: DialStore) -> Simulation:
        """A tenant's simulation as it starts: the start clock and outcome rules."""
        rules = OutcomeRules.from_json(self.start_rules.as_json())
        simulation = Simulation(name, Clock(self.spec), rules, store, self._real_clock.set)
        if self.spec.mode == "real":
            self._real_clock.set()
        return simulation

    async def run_real_clocks(self, simulations: Callable[[], Iterable[Simulation]]) -> None:
        """Keep every real clock's dialler caught up, tick by tick, until cancelled;
        `simulations()` gives every tenant's of the moment."""
        while True:
            real = [s for s in simulations() if s.clock.mode == "real" and not s.ended]
            if not real:
                self._real_clock.clear()
                await self._real_clock.wait()
                continue
            for simulation in real:
                try:
                    await simulation.catch_up()
                except SimulationEnded:
                    pass  # reset or dropped meanwhile: its next generation runs next tick
                except Exception:  # a bug must not stop every other tenant's clock
                    log.exception("the dialler of tenant %s failed", simulation.name)
            await asyncio.sleep(REAL_TICK_SECONDS)
