"""Every tenant's clock, outcome rules and dialler, and the task that runs the real clocks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from .clock import LATEST, SECOND, Clock, ClockError, ClockSpec
from .dialler import Dialler, DialStore
from .outcomes import OutcomeRules

log = logging.getLogger("mockswitch.simulator")

MAX_ADVANCE_SECONDS = 7 * 24 * 3600  # one advance moves a week at most
REAL_TICK_SECONDS = 0.1  # how often a real clock's dialler catches up with it


class ClockConflict(ClockError):
    """A clock move that the clock's state forbids (backwards, or advancing a real clock)."""


@dataclass
class _TenantSimulation:
    clock: Clock
    rules: OutcomeRules
    dialler: Dialler | None = None  # made at the first catch-up, with the tenant's store
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Simulator:
    """The simulations of all tenants, by tenant name."""

    def __init__(
        self,
        spec: ClockSpec,
        start_rules: OutcomeRules | None = None,
        store_of: Callable[[str], DialStore | None] | None = None,
        tenants: Callable[[], list[str]] | None = None,
    ) -> None:
        self.spec = spec.started()
        self.start_rules = start_rules or OutcomeRules()
        self._store_of = store_of or (lambda name: None)
        self._names = tenants or (lambda: list(self._tenants))
        self._tenants: dict[str, _TenantSimulation] = {}
        self._real_clock = asyncio.Event()

    def _get(self, tenant: str) -> _TenantSimulation:
        found = self._tenants.get(tenant)
        if found is None:
            rules = OutcomeRules.from_json(self.start_rules.as_json())
            found = self._tenants[tenant] = _TenantSimulation(Clock(self.spec), rules)
            if self.spec.mode == "real":
                self._real_clock.set()
        return found

    def clock(self, tenant: str) -> Clock:
        return self._get(tenant).clock

    def rules(self, tenant: str) -> OutcomeRules:
        return self._get(tenant).rules

    def set_rules(self, tenant: str, rules: OutcomeRules) -> None:
        simulation = self._get(tenant)
        simulation.rules = rules
        if simulation.dialler is not None:
            simulation.dialler.rules = rules

    def in_progress(self, tenant: str) -> dict[int, int]:
        simulation = self._tenants.get(tenant)
        if simulation is None or simulation.dialler is None:
            return {}
        return simulation.dialler.in_progress()

    def reset(self, tenant: str) -> None:
        """Back to the clock's start and the start rules, with nothing in progress."""
        simulation = self._tenants.pop(tenant, None)
        if simulation is not None and simulation.dialler is not None:
            simulation.dialler.closed = True
            simulation.dialler.store.watch(None)

    async def advance(self, tenant: str, seconds: float) -> Clock:
        """Move a virtual clock forward, running everything due on the way."""
        simulation = self._get(tenant)
        async with simulation.lock:
            clock = simulation.clock
            if clock.mode != "virtual":
                raise ClockConflict("mode", "a real clock cannot be advanced: set a virtual one")
            target = clock.now() + round(seconds * SECOND)
            if target >= LATEST:
                raise ClockConflict("seconds", "the clock cannot pass the year 9998")
            await self._catch_up(tenant, simulation, target)
            clock.set(now=target)
        return clock

    async def set_clock(
        self, tenant: str, mode: str | None, now: int | None, speed: float | None
    ) -> Clock:
        """Change mode, time (forward only, running what is due) and speed."""
        simulation = self._get(tenant)
        async with simulation.lock:
            clock = simulation.clock
            current = clock.now()
            if now is not None and now < current:
                raise ClockConflict("now", "the clock never moves backwards")
            target = current if now is None else now
            await self._catch_up(tenant, simulation, target)
            clock.set(mode=mode, now=target, speed=speed)
            if clock.mode == "real":
                self._real_clock.set()
        return clock

    async def catch_up(self, tenant: str) -> None:
        """Run the tenant's dialler up to its clock's time (a real clock moves on its own)."""
        simulation = self._get(tenant)
        async with simulation.lock:
            await self._catch_up(tenant, simulation, simulation.clock.now())

    async def _catch_up(self, tenant: str, simulation: _TenantSimulation, target: int) -> None:
        dialler = simulation.dialler
        if dialler is None:
            store = self._store_of(tenant)
            if store is None:
                return
            dialler = Dialler(store, simulation.clock.now(), simulation.rules)
            simulation.dialler = dialler
            store.watch(dialler)
        if dialler.idle_until(target):
            dialler.now = max(dialler.now, target)
            return
        store = dialler.store
        while True:
            async with store.batch():
                done = await dialler.run(target)
            await store.commit()
            if done:
                return

    async def run_real_clocks(self) -> None:
        """Keep every real clock's dialler caught up, tick by tick, until cancelled."""
        while True:
            # A tenant's clock starts when first used: with real clocks at start, every
            # tenant of the store runs (the demo's default one without a call).
            if self.spec.mode == "real":
                for name in self._names():
                    self._get(name)
            real = [name for name, s in self._tenants.items() if s.clock.mode == "real"]
            if not real:
                self._real_clock.clear()
                await self._real_clock.wait()
                continue
            for name in real:
                if name in self._tenants:
                    try:
                        await self.catch_up(name)
                    except Exception:  # a bug must not stop every other tenant's clock
                        log.exception("the dialler of tenant %s failed", name)
            await asyncio.sleep(REAL_TICK_SECONDS)
