"""bulk/destinations/create: add numbers to a campaign, replacing those it already has."""

from __future__ import annotations

from mockswitch.enswitch.envelope import VALIDATED, Success
from mockswitch.enswitch.params import CommaList, Flag, Integer, Param

from .campaign_access import reachable_campaign
from .destination_access import PLAIN_NUMBER, STATUS, distinct
from .function import BULK_DIALLING, Call, Function

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
    Param("validation", Flag(), "1 to validate input then return, 0 for full action.", default=0),
)
NOT_FOUND = "The campaign does not exist, or you do not have permission to add destinations to it."


async def create(call: Call) -> Success:
    campaign = await reachable_campaign(call, call.args.get("campaign"), NOT_FOUND)
    if call.args.get("validation"):
        return VALIDATED
    count = await call.tenant.destinations.put(
        campaign.id, distinct(call.args.get("dnumbers")), call.args.get("status")
    )
    return Success("200", {"count": count})


FUNCTION = Function(
    name="bulk/destinations/create",
    summary="Adds destinations to a bulk campaign.",
    parameters=PARAMETERS,
    privilege="user",
    feature=BULK_DIALLING,
    handler=create,
    changes_data=True,
    data_description='How many destinations were added or replaced, as {"count": N}.',
    codes=("200", "201", "404"),
)
