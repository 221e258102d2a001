"""Finding a campaign the caller may see, and showing it in `data`."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from mockswitch.errors import not_found
from mockswitch.model import Campaign

from .function import Call


async def reachable_campaign(call: Call, campaign_id: int, not_found_message: str) -> Campaign:
    """The campaign, if it exists and belongs to a customer the caller may act on; else 404.

    A campaign out of reach and one that does not exist answer alike, as the switch does.
    """
    campaign = await call.tenant.campaigns.get(campaign_id)
    if campaign is None or campaign.customer not in call.directory.reach(call.person):
        raise not_found(not_found_message)
    return campaign


def campaign_data(campaign: Campaign) -> dict[str, Any]:
    """A campaign as `data` shows it: ids and counts as JSON numbers."""
    return asdict(campaign)
