"""A tenant: everything one isolated space of the mock holds, as one object.

Its data, journal and dials (the store's `TenantData`), its fault rules, its stubs and its
simulation (clock, outcome rules, dialler) make one `Generation`: the tenant as it is from
its creation or a reset to the next. A reset swaps the whole generation in one instant, in
the transaction that swaps the rows; a drop ends it in the same way. Whatever work began
for a generation holds it, and finds it `ended` once it is over, so nothing of it can reach
the next one.
"""

from __future__ import annotations

from dataclasses import dataclass

from mockswitch.faults import FaultEngine
from mockswitch.simulator import Simulation
from mockswitch.store import TenantData
from mockswitch.stubs import StubBook


class GenerationEnded(Exception):
    """The generation a call began in ended (its tenant was reset) before the call did
    anything that lasts: the call is answered afresh by the tenant's next generation."""


@dataclass(eq=False, slots=True)
class Generation:
    """What a tenant holds between two resets."""

    data: TenantData
    faults: FaultEngine
    stubs: StubBook
    simulation: Simulation

    @property
    def ended(self) -> bool:
        """Reset or dropped since: nothing may be written or decided for it any more."""
        return self.data.ended

    def check(self) -> None:
        """Raise `GenerationEnded` if the generation is over."""
        if self.data.ended:
            raise GenerationEnded()

    def end(self) -> None:
        """Stop its dialler (the store has ended its rows in the same transaction)."""
        self.simulation.end()


class Tenant:
    """One isolated space: a name, and its current generation. `dropped` is set under the
    write lock, in the drop's transaction."""

    __slots__ = ("current", "dropped", "name")

    def __init__(self, name: str, generation: Generation) -> None:
        self.name = name
        self.current = generation
        self.dropped = False

    @property
    def data(self) -> TenantData:
        return self.current.data

    @property
    def faults(self) -> FaultEngine:
        return self.current.faults

    @property
    def stubs(self) -> StubBook:
        return self.current.stubs

    @property
    def simulation(self) -> Simulation:
        return self.current.simulation

    def __repr__(self) -> str:
        return f"Tenant({self.name!r}, id={self.current.data.id}, dropped={self.dropped})"
