"""Where the store tells the dialler of the API's changes to campaigns and destinations.

The dialler (`mockswitch.simulator.Dialler`) keeps attempts in progress and retry counts
in memory; a change made through the API must reach it in the same transaction, so that
an attempt whose destination was deleted ends at once, and a destination set back to
`pending` starts again with no attempts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class ChangeListener(Protocol):
    def campaign_changed(self, campaign_id: int) -> None: ...
    async def campaign_deleted(self, campaign_id: int) -> None: ...
    async def destinations_changed(
        self, campaign_id: int, dnumbers: Sequence[str] | None
    ) -> None: ...


class Changes:
    """One tenant's listener, if any: nothing is told while no dialler runs."""

    def __init__(self) -> None:
        self.listener: ChangeListener | None = None

    def campaign_changed(self, campaign_id: int) -> None:
        if self.listener is not None:
            self.listener.campaign_changed(campaign_id)

    async def campaign_deleted(self, campaign_id: int) -> None:
        if self.listener is not None:
            await self.listener.campaign_deleted(campaign_id)

    async def destinations_changed(self, campaign_id: int, dnumbers: Sequence[str] | None) -> None:
        if self.listener is not None:
            await self.listener.destinations_changed(campaign_id, dnumbers)
