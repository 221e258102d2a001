"""bulk/campaigns/update: edit a bulk-dialling campaign (the vendor page is the authority)."""

from __future__ import annotations

from mockswitch.enswitch.envelope import DONE, VALIDATED, Success
from mockswitch.enswitch.params import Integer, Param
from mockswitch.errors import EnswitchError

from .campaign_access import reachable_campaign
from .campaign_fields import fields_with, in_table_order, reference_problems
from .function import VALIDATION, Call, bulk_function

# Every field but keep_agents_available keeps its current value when omitted.
PARAMETERS = (
    Param("id", Integer(), "ID of campaign to update.", required=True),
    *fields_with({}),
    VALIDATION,
)
NOT_FOUND = "The campaign does not exist, or you do not have permission to update it."


async def update(call: Call) -> Success:
    """Updates an existing bulk campaign."""
    campaign = await reachable_campaign(call, call.args.get("id"), NOT_FOUND)
    problems = reference_problems(call, campaign)
    if problems:
        raise EnswitchError(*in_table_order(problems, PARAMETERS))
    if call.args.get("validation"):
        return VALIDATED
    changes = {k: v for k, v in call.args.values.items() if k not in ("id", "validation")}
    await call.tenant.campaigns.update(campaign.id, changes)
    return DONE


FUNCTION = bulk_function("bulk/campaigns/update", update, PARAMETERS, "201 204 404", changes=True)
