"""bulk/destinations/create: add numbers to a campaign, replacing those it already has."""

from __future__ import annotations

from mockswitch.enswitch.envelope import VALIDATED, Success
from mockswitch.enswitch.params import CommaList, Integer, Param

from .campaign_access import reachable_campaign
from .destination_access import PLAIN_NUMBER, STATUS, distinct
from .function import VALIDATION, Call, bulk_function

PARAMETERS = (
    Param("campaign", Integer(), "ID of campaign to add destinations to.", required=True),
    Param(
        "dnumbers",
        CommaList(PLAIN_NUMBER),
        "Destination numbers, separated by commas. A number the campaign already has is replaced.",
        required=True,
    ),
    Param(
        "status",
        STATUS,
        'Status of the destinations: "pending", "success", "failed" or "cancelled".',
        default="pending",
    ),
    VALIDATION,
)
NOT_FOUND = "The campaign does not exist, or you do not have permission to add destinations to it."


async def create(call: Call) -> Success:
    """Adds destinations to a bulk campaign."""
    campaign = await reachable_campaign(call, call.args.get("campaign"), NOT_FOUND)
    if call.args.get("validation"):
        return VALIDATED
    count = await call.tenant.destinations.put(
        campaign.id, distinct(call.args.get("dnumbers")), call.args.get("status")
    )
    return Success("200", {"count": count})


DATA = 'How many destinations were added or replaced, as {"count": N}.'
FUNCTION = bulk_function(
    "bulk/destinations/create", create, PARAMETERS, "200 201 404", changes=True, data=DATA
)
