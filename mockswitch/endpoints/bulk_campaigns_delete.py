"""bulk/campaigns/delete: remove a campaign and its destinations (by the pattern of update)."""

from __future__ import annotations

from mockswitch.enswitch.envelope import DONE, VALIDATED, Success
from mockswitch.enswitch.params import Integer, Param

from .campaign_access import reachable_campaign
from .function import VALIDATION, Call, bulk_function

PARAMETERS = (
    Param("id", Integer(), "ID of campaign to delete.", required=True),
    VALIDATION,
)
NOT_FOUND = "The campaign does not exist, or you do not have permission to delete it."


async def delete(call: Call) -> Success:
    """Deletes a bulk campaign and its destinations."""
    campaign = await reachable_campaign(call, call.args.get("id"), NOT_FOUND)
    if call.args.get("validation"):
        return VALIDATED
    await call.tenant.campaigns.delete(campaign.id)
    return DONE


# The contract names create as the one bulk function that needs more than `user`.
FUNCTION = bulk_function("bulk/campaigns/delete", delete, PARAMETERS, "201 204 404", changes=True)
