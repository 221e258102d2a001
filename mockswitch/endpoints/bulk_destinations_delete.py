"""bulk/destinations/delete: remove one destination of a campaign, or all of them."""

from __future__ import annotations

from mockswitch.enswitch.envelope import DONE, VALIDATED, Success
from mockswitch.enswitch.params import Flag, Integer, Param
from mockswitch.errors import not_found

from .campaign_access import reachable_campaign
from .destination_access import PLAIN_NUMBER
from .function import VALIDATION, Call, bulk_function

PARAMETERS = (
    Param("campaign", Integer(), "ID of campaign whose destinations to delete.", required=True),
    Param(
        "all",
        Flag(),
        "1 to delete every destination of the campaign, instead of giving a dnumber.",
        default=0,
        instead_of="dnumber",
    ),
    Param("dnumber", PLAIN_NUMBER, "Destination number to delete. Required unless all=1."),
    VALIDATION,
)
NOT_FOUND = "The campaign does not exist, or you do not have permission to delete its destinations."
NO_DESTINATION = "The destination does not exist."


async def delete(call: Call) -> Success:
    """Deletes destinations of a bulk campaign."""
    campaign = await reachable_campaign(call, call.args.get("campaign"), NOT_FOUND)
    dnumber = None if call.args.get("all") else call.args.get("dnumber")
    if dnumber is not None and not await call.tenant.destinations.exists(campaign.id, dnumber):
        raise not_found(NO_DESTINATION)
    if call.args.get("validation"):
        return VALIDATED
    await call.tenant.destinations.delete(campaign.id, dnumber)
    return DONE


FUNCTION = bulk_function(
    "bulk/destinations/delete", delete, PARAMETERS, "201 204 404", changes=True
)
