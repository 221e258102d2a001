"""bulk/campaigns/list: the campaigns of one customer."""

from __future__ import annotations

from mockswitch.enswitch.envelope import Success
from mockswitch.enswitch.params import Integer, Param
from mockswitch.errors import EnswitchError, invalid

from .campaign_access import campaign_data
from .function import Call, bulk_function

PARAMETERS = (
    Param("customer", Integer(), "ID of customer to list campaigns of. Defaults to your own."),
)


async def list_campaigns(call: Call) -> Success:
    """Lists the bulk campaigns of a customer."""
    customer = call.args.get("customer", call.person.customer)
    # A customer that does not exist and one out of reach answer alike.
    if customer not in call.directory.reach(call.person):
        raise EnswitchError(invalid("customer", "Invalid customer specified."))
    campaigns = await call.tenant.campaigns.of_customers([customer])
    return Success("200", [campaign_data(c, call.api_version) for c in campaigns])


DATA = "An array of campaigns, each with the fields of bulk/campaigns/get."
FUNCTION = bulk_function("bulk/campaigns/list", list_campaigns, PARAMETERS, "200", data=DATA)
