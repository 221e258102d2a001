"""bulk/campaigns/get: one campaign's fields (by the pattern of every other category)."""

from __future__ import annotations

from mockswitch.enswitch.envelope import Success
from mockswitch.enswitch.params import Integer, Param

from .campaign_access import campaign_data, reachable_campaign
from .function import BULK_DIALLING, Call, Function

PARAMETERS = (Param("id", Integer(), "ID of campaign to get.", required=True),)
NOT_FOUND = "The campaign does not exist, or you do not have permission to view it."


async def get(call: Call) -> Success:
    campaign = await reachable_campaign(call, call.args.get("id"), NOT_FOUND)
    return Success("200", campaign_data(campaign, call.api_version))


FUNCTION = Function(
    name="bulk/campaigns/get",
    summary="Gets a bulk campaign.",
    parameters=PARAMETERS,
    privilege="user",
    feature=BULK_DIALLING,
    handler=get,
    data_description="The campaign's fields.",
    codes=("200", "404"),
)
