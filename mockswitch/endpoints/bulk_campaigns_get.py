"""bulk/campaigns/get: one campaign's fields (by the pattern of every other category)."""

from __future__ import annotations

from mockswitch.enswitch.envelope import Success
from mockswitch.enswitch.params import Integer, Param

from .campaign_access import campaign_data, reachable_campaign
from .function import Call, bulk_function

PARAMETERS = (Param("id", Integer(), "ID of campaign to get.", required=True),)
NOT_FOUND = "The campaign does not exist, or you do not have permission to view it."


async def get(call: Call) -> Success:
    """Gets a bulk campaign."""
    campaign = await reachable_campaign(call, call.args.get("id"), NOT_FOUND)
    return Success("200", campaign_data(campaign, call.api_version))


DATA = "The campaign's fields."
FUNCTION = bulk_function("bulk/campaigns/get", get, PARAMETERS, "200 404", data=DATA)
