"""The one registry of tenants: it finds, makes (on first use, up to `max_tenants`), counts,
resets and drops them, each change as one barrier with the store's."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from mockswitch.config import Settings
from mockswitch.faults import FaultEngine
from mockswitch.simulator import Simulation, Simulator
from mockswitch.store import Store, TenantData
from mockswitch.stubs import Stub, StubBook, StubBudget

from .tenant import Generation, Tenant


class TooManyTenants(Exception):
    """A new tenant would pass `max_tenants`."""

    def __init__(self, most: int) -> None:
        super().__init__(
            f"there are already {most} tenants (max_tenants): drop some with DELETE /t/<name>/_mock"
        )
        self.most = most


@dataclass(frozen=True)
class Start:
    """What every tenant holds when it is made or reset: what was given at start."""

    simulator: Simulator
    fault_rules: Sequence[Any] = ()
    default_latency: Any = None
    faults_seed: int | str = 0
    stubs: Sequence[Stub] = field(default_factory=tuple)
    # The byte bounds every tenant's stubs share (those given at start counted once).
    stub_budget: StubBudget = field(default_factory=lambda: StubBudget.of(Settings()))


class Tenants:
    """Every tenant, by name, in the order they were made."""

    def __init__(self, store: Store, start: Start, max_tenants: int) -> None:
        self.store = store
        self.start = start
        self.max_tenants = max_tenants
        self._tenants: dict[str, Tenant] = {}
        self._creating: dict[str, asyncio.Future[Tenant]] = {}  # by name: being made

    @classmethod
    async def open(cls, store: Store, start: Start, max_tenants: int) -> Tenants:
        """The registry of the tenants the store holds."""
        tenants = cls(store, start, max_tenants)
        for tenant_id, name in await store.tenant_rows():
            tenants._tenants[name] = Tenant(name, tenants._generation(store.data(tenant_id, name)))
        return tenants

    def _generation(self, data: TenantData) -> Generation:
        start = self.start
        return Generation(
            data,
            FaultEngine(start.fault_rules, start.default_latency, seed=start.faults_seed),
            StubBook(start.stub_budget, start.stubs),
            start.simulator.simulation(data.name, data.dials),
        )

    def find(self, name: str) -> Tenant | None:
        """The tenant called `name`, if it exists."""
        return self._tenants.get(name)

    def names(self) -> list[str]:
        return sorted(self._tenants)

    def __iter__(self) -> Iterator[Tenant]:
        return iter(list(self._tenants.values()))

    def count(self) -> int:
        """How many tenants there are, those being made included (for max_tenants)."""
        return len(self._tenants.keys() | self._creating.keys())

    def stubbed(self, name: str) -> list[str]:
        """The functions the stubs of tenant `name` answer (those given at start, for a
        tenant not made yet), without making it."""
        tenant = self._tenants.get(name)
        if tenant is not None:
            return tenant.stubs.functions()
        return list(dict.fromkeys(stub.function for stub in self.start.stubs))

    def simulations(self) -> list[Simulation]:
        """Every tenant's simulation of the moment (for the real clocks' task)."""
        return [tenant.current.simulation for tenant in self._tenants.values()]

    async def get(self, name: str) -> Tenant:
        """The tenant called `name`, made as a copy of the seed on first use; `TooManyTenants`
        if it would be one too many."""
        while True:
            tenant = self._tenants.get(name)
            if tenant is None:
                # The calls that arrive while it is being made wait for the same creation;
                # shielded, so that a client giving up does not stop it for the others.
                creating = self._creating.get(name)
                if creating is None:
                    # Counted with those being made, and listed before anything is awaited:
                    # two first calls racing cannot make one tenant too many.
                    if self.count() >= self.max_tenants:
                        raise TooManyTenants(self.max_tenants)
                    creating = self._creating[name] = asyncio.ensure_future(self._create(name))
                    creating.add_done_callback(partial(self._created, name))
                tenant = await asyncio.shield(creating)
            if not tenant.dropped:  # dropped while its creation was being committed
                return tenant

    def _created(self, name: str, creating: asyncio.Future[Tenant]) -> None:
        if self._creating.get(name) is creating:
            del self._creating[name]
        if not creating.cancelled():
            creating.exception()  # retrieved: each waiter got it, if any was left

    async def _create(self, name: str) -> Tenant:
        made: list[Tenant] = []

        def register(data: TenantData) -> None:
            tenant = Tenant(name, self._generation(data))
            self._tenants[name] = tenant
            made.append(tenant)

        await self.store.create(name, register)
        return made[0]

    async def reset(self, tenant: Tenant) -> bool:
        """Back to how it started: data, journal, dials, fault rules, stubs, clock and
        outcome rules, all at one instant; False if it was dropped meanwhile."""

        def renew(data: TenantData) -> None:
            ended, tenant.current = tenant.current, self._generation(data)
            ended.end()

        return await self.store.reset(partial(_rows_of, tenant), renew) is not None

    async def drop(self, tenant: Tenant) -> bool:
        """Gone, all of it, at one instant; False if it was dropped already."""

        def forget() -> None:
            tenant.dropped = True
            tenant.current.end()
            if self._tenants.get(tenant.name) is tenant:
                del self._tenants[tenant.name]

        return await self.store.drop(partial(_rows_of, tenant), forget)

    async def clear_journal(self, tenant: Tenant) -> None:
        await self.store.clear_journal(partial(_rows_of, tenant))

    async def sizes(self) -> dict[str, dict[str, int | str]]:
        """Each tenant's size, in the order they were made."""
        return await self.store.sizes({t.name: t.current.data.id for t in self})


def _rows_of(tenant: Tenant) -> TenantData | None:
    """The tenant's rows of the moment, or None once it is dropped (read under the lock)."""
    return None if tenant.dropped else tenant.current.data
