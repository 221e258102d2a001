"""Finding a campaign the caller may see, and showing it in `data`."""

from __future__ import annotations

from dataclasses import asdict
from functools import lru_cache
from typing import Any

from mockswitch.domain.records import Campaign
from mockswitch.errors import not_found

from .campaign_fields import FIELDS
from .function import Call


async def reachable_campaign(call: Call, campaign_id: int, not_found_message: str) -> Campaign:
    """The campaign, if it exists and belongs to a customer the caller may act on; else 404.

    A campaign out of reach and one that does not exist answer alike, as the switch does.
    """
    campaign = await call.tenant.campaigns.get(campaign_id)
    if campaign is None or campaign.customer not in call.directory.reach(call.person):
        raise not_found(not_found_message)
    return campaign


def campaign_data(campaign: Campaign, api_version: tuple[int, int] | None = None) -> dict[str, Any]:
    """A campaign as `data` shows it: ids and counts as JSON numbers, and only the fields
    that `api_version` has (every field when it is None: mockswitch's own views)."""
    data = asdict(campaign)
    if api_version is None:
        return data
    absent = fields_absent_in(api_version)
    return {name: value for name, value in data.items() if name not in absent}


@lru_cache(maxsize=16)  # one per API version
def fields_absent_in(api_version: tuple[int, int]) -> frozenset[str]:
    """The campaign fields added after `api_version`: a switch of that version has no such
    column, so neither its parameters nor its `get`/`list` data know them."""
    return frozenset(field.name for field in FIELDS if field.since > api_version)
