"""bulk/destinations/list: a campaign's destinations, a page at a time, or their count."""

from __future__ import annotations

from mockswitch.enswitch.envelope import Success
from mockswitch.enswitch.params import Choice, Flag, Integer, Param
from mockswitch.store.destinations import SORTS

from .campaign_access import reachable_campaign
from .destination_access import destination_data
from .function import Call, bulk_function

PARAMETERS = (
    Param("campaign", Integer(), "ID of campaign whose destinations to list.", required=True),
    Param("count", Flag(), "1 to return only the number of destinations.", default=0),
    Param("limit", Integer(minimum=1), "The most destinations to return. Default: all."),
    Param("offset", Integer(minimum=0), "How many destinations to skip first.", default=0),
    Param(
        "sort",
        Choice(SORTS),
        '"dnumber" or "status"; destinations with the same status go by dnumber.',
        default="dnumber",
    ),
    Param("descending", Flag(), "1 to sort in descending order.", default=0),
    # The vendor documents no shape for the "reduced data" and the contract gives none, so
    # the parameter is known (checked, never flagged unknown) and the rows stay whole.
    Param(
        "pages",
        Flag(),
        "1 for reduced data for a pager. mockswitch accepts it and returns the same rows.",
        default=0,
        since=(4, 4),
    ),
)
NOT_FOUND = "The campaign does not exist, or you do not have permission to view its destinations."


async def list_destinations(call: Call) -> Success:
    """Lists the destinations of a bulk campaign."""
    campaign = await reachable_campaign(call, call.args.get("campaign"), NOT_FOUND)
    destinations = call.tenant.destinations
    if call.args.get("count"):
        return Success("200", {"count": await destinations.count(campaign.id)})
    rows = await destinations.of_campaign(
        campaign.id,
        sort=call.args.get("sort"),
        descending=bool(call.args.get("descending")),
        limit=call.args.get("limit"),
        offset=call.args.get("offset"),
    )
    return Success("200", [destination_data(d) for d in rows])


DATA = (
    'An array of destinations, each {"campaign": N, "dtype": "", '
    '"dnumber": "...", "status": "..."}; with count=1, {"count": N}.'
)
FUNCTION = bulk_function(
    "bulk/destinations/list", list_destinations, PARAMETERS, "200 404", data=DATA
)
