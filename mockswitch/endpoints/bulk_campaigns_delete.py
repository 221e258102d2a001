"""bulk/campaigns/delete: remove a campaign and its destinations (by the pattern of update)."""

from __future__ import annotations

from mockswitch.enswitch.envelope import DONE, VALIDATED, Success
from mockswitch.enswitch.params import Flag, Integer, Param

from .campaign_access import reachable_campaign
from .function import BULK_DIALLING, Call, Function

PARAMETERS = (
    Param("id", Integer(), "ID of campaign to delete.", required=True),
    Param("validation", Flag(), "1 to validate input then return, 0 for full action.", default=0),
)
NOT_FOUND = "The campaign does not exist, or you do not have permission to delete it."


async def delete(call: Call) -> Success:
    campaign = await reachable_campaign(call, call.args.get("id"), NOT_FOUND)
    if call.args.get("validation"):
        return VALIDATED
    await call.tenant.campaigns.delete(campaign.id)
    return DONE


FUNCTION = Function(
    name="bulk/campaigns/delete",
    summary="Deletes a bulk campaign and its destinations.",
    parameters=PARAMETERS,
    # The contract names create as the one bulk function that needs more than `user`.
    privilege="user",
    feature=BULK_DIALLING,
    handler=delete,
    changes_data=True,
    codes=("201", "204", "404"),
)
