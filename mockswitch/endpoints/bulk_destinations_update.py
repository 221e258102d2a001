"""bulk/destinations/update: set the status of some or all of a campaign's destinations."""

from __future__ import annotations

from mockswitch.enswitch.envelope import VALIDATED, Success
from mockswitch.enswitch.params import CommaList, Flag, Integer, Param

from .campaign_access import reachable_campaign
from .destination_access import PLAIN_NUMBER, STATUS, distinct
from .function import VALIDATION, Call, bulk_function

PARAMETERS = (
    Param("campaign", Integer(), "ID of campaign whose destinations to update.", required=True),
    Param(
        "all",
        Flag(),
        "1 to update every destination of the campaign, instead of giving dnumbers.",
        default=0,
        instead_of="dnumbers",
    ),
    Param(
        "dnumbers",
        CommaList(PLAIN_NUMBER),
        "Destination numbers to update, separated by commas. Required unless all=1; numbers "
        "the campaign does not have are skipped.",
    ),
    Param(
        "status",
        STATUS,
        'New status: "pending", "success", "failed" or "cancelled".',
        required=True,
    ),
    VALIDATION,
)
NOT_FOUND = "The campaign does not exist, or you do not have permission to update its destinations."


async def update(call: Call) -> Success:
    """Updates the status of a bulk campaign's destinations."""
    campaign = await reachable_campaign(call, call.args.get("campaign"), NOT_FOUND)
    if call.args.get("validation"):
        return VALIDATED
    dnumbers = None if call.args.get("all") else distinct(call.args.get("dnumbers"))
    count = await call.tenant.destinations.set_status(
        campaign.id, call.args.get("status"), dnumbers
    )
    return Success("200", {"count": count})


DATA = 'How many destinations were updated, as {"count": N}.'
FUNCTION = bulk_function(
    "bulk/destinations/update", update, PARAMETERS, "200 201 404", changes=True, data=DATA
)
