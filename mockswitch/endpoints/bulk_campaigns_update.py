"""bulk/campaigns/update: edit a bulk-dialling campaign (the vendor page is the authority)."""

from __future__ import annotations

import re

from mockswitch.enswitch.dnumbers import dnumber_problem
from mockswitch.enswitch.envelope import DONE, VALIDATED, Success
from mockswitch.enswitch.params import Choice, Flag, Integer, Param, Text
from mockswitch.errors import EnswitchError, Problem, invalid
from mockswitch.model import Campaign

from .campaign_access import reachable_campaign
from .function import BULK_DIALLING, Call, Function

CALLERID = re.compile(r"(\+?[0-9]+)?", re.ASCII)
MACHINE = Choice(("", "failed", "retry", "success"))
SUCCESS = Choice(("answer", "key"))

PARAMETERS = (
    Param("id", Integer(), "ID of campaign to update.", required=True),
    Param("attempts", Integer(minimum=1), "Number of times to try each destination."),
    Param(
        "callerid",
        Text(
            pattern=CALLERID, pattern_message="must be empty or digits with an optional leading +"
        ),
        "Callerid to send.",
    ),
    Param("description", Text(), "Description."),
    Param("dtype", Text(), "Destination type.", one_of="dtypes"),
    Param("dnumber", Text(), "Destination number."),
    Param("enabled", Flag(), "1 to start calls, 0 not to."),
    Param(
        "machine",
        MACHINE,
        "What to do if an answering machine is detected. Empty string to disable detection, "
        '"failed" to mark the destination failed, "retry" to retry later, "success" to mark '
        "the destination as successful.",
    ),
    Param("maximum", Integer(minimum=1), "The maximum concurrent calls to make."),
    Param(
        "keep_agents_available",
        Integer(),
        "The number of agents that should be kept as available. Can be negative for queue "
        "destination to make more calls than available agents. 0 to disable",
        default=0,
        since=(4, 2),
    ),
    Param("name", Text(non_empty=True), "Name."),
    Param("owner", Integer(minimum=0), "ID of owner. 0 for none."),
    Param("recordgroup", Integer(minimum=0), "ID of record group. 0 for none."),
    Param("retry", Integer(minimum=0), "How many seconds to retry after."),
    Param(
        "success",
        SUCCESS,
        '"answer" to consider a destination successful on answer, "key" to consider it '
        "successful when a key is pressed.",
    ),
    Param("timegroup", Integer(minimum=0), "ID of time group. 0 for none."),
    Param("validation", Flag(), "1 to validate input then return, 0 for full action.", default=0),
)
ORDER = {p.name: i for i, p in enumerate(PARAMETERS)}
NOT_FOUND = "The campaign does not exist, or you do not have permission to update it."


async def update(call: Call) -> Success:
    campaign = await reachable_campaign(call, call.args.get("id"), NOT_FOUND)
    problems = sorted(reference_problems(call, campaign), key=lambda p: ORDER[p.key])
    if problems:
        raise EnswitchError(*problems)
    if call.args.get("validation"):
        return VALIDATED
    changes = {k: v for k, v in call.args.values.items() if k not in ("id", "validation")}
    await call.tenant.campaigns.update(campaign.id, changes)
    return DONE


def reference_problems(call: Call, campaign: Campaign) -> list[Problem]:
    """The checks that need the campaign: its customer's records, its destination type."""
    args, directory, customer = call.args, call.directory, campaign.customer
    problems = []
    owner = args.get("owner")
    if owner and not directory.person_of(customer, owner):
        problems.append(invalid("owner", "no such person"))
    for name, kind, label in (
        ("recordgroup", "recordgroup", "record group"),
        ("timegroup", "timegroup", "time group"),
    ):
        value = args.get(name)
        if value and not directory.owns(customer, kind, value):
            problems.append(invalid(name, f"no such {label}"))

    dtype = args.get("dtype", campaign.dtype)  # a given dtype was checked by the table
    rule = directory.dtypes[dtype].dnumber
    if "dnumber" in args:
        problem = dnumber_problem(rule, args.get("dnumber"), directory.owned(customer))
        if problem:
            problems.append(invalid("dnumber", problem))
    elif dtype != campaign.dtype:
        problem = dnumber_problem(rule, campaign.dnumber, directory.owned(customer))
        if problem:
            problems.append(
                invalid(
                    "dtype",
                    f"does not fit the current dnumber {campaign.dnumber!r} ({problem}); "
                    "send a dnumber too",
                )
            )
    if args.get("keep_agents_available", 0) < 0 and rule != "queue":
        problems.append(
            invalid("keep_agents_available", "may be negative only for a queue destination")
        )
    return problems


FUNCTION = Function(
    name="bulk/campaigns/update",
    summary="Updates an existing bulk campaign.",
    parameters=PARAMETERS,
    privilege="user",
    feature=BULK_DIALLING,
    handler=update,
    changes_data=True,
)
