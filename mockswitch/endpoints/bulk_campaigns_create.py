"""bulk/campaigns/create: add a bulk-dialling campaign to a customer (administrators only)."""

from __future__ import annotations

from mockswitch.domain.records import Campaign
from mockswitch.enswitch.envelope import VALIDATED, Success
from mockswitch.enswitch.params import Integer, Param
from mockswitch.errors import EnswitchError, invalid
from mockswitch.store.campaigns import DEFAULTS

from .campaign_fields import fields_with, in_table_order, reference_problems
from .function import VALIDATION, Call, bulk_function

CUSTOMER = Param(
    "customer", Integer(), "ID of customer to create the campaign for. Defaults to your own."
)
_FIELDS = fields_with(DEFAULTS, required=frozenset({"name", "dtype", "dnumber"}))
# The vendor's order: customer comes after callerid.
PARAMETERS = (*_FIELDS[:2], CUSTOMER, *_FIELDS[2:], VALIDATION)
INVALID_CUSTOMER = "Invalid customer specified."


async def create(call: Call) -> Success:
    """Creates a bulk campaign."""
    customer = call.args.get("customer", call.person.customer)
    # A customer that does not exist and one out of reach answer alike, as for list; the
    # other references cannot be checked without a customer, so this one comes alone.
    if customer not in call.directory.reach(call.person):
        raise EnswitchError(invalid("customer", INVALID_CUSTOMER))
    fields = {k: v for k, v in call.args.values.items() if k != "validation"}
    fields["customer"] = customer
    # The checks of update, with the new campaign standing in for the current one.
    proposed = Campaign(**{**DEFAULTS, **fields, "id": 0})
    problems = reference_problems(call, proposed)
    if problems:
        raise EnswitchError(*in_table_order(problems, PARAMETERS))
    if call.args.get("validation"):
        return VALIDATED
    campaign_id = await call.tenant.campaigns.create(fields)
    return Success("200", {"id": campaign_id})


DATA = 'The new campaign\'s ID, as {"id": N}.'
FUNCTION = bulk_function(
    "bulk/campaigns/create",
    create,
    PARAMETERS,
    "200 201",
    privilege="administrator",
    changes=True,
    data=DATA,
)
