"""A campaign's editable fields as parameters, and the checks that need stored data.

Declared once: `bulk/campaigns/update` takes them with "current value" defaults and
`bulk/campaigns/create` with the defaults of a new campaign; both run `reference_problems`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from mockswitch.domain.records import Campaign
from mockswitch.enswitch.dnumbers import dnumber_problem
from mockswitch.enswitch.params import Choice, Flag, Integer, Param, Text
from mockswitch.errors import Problem, invalid

from .function import Call

CALLERID = re.compile(r"(\+?[0-9]+)?", re.ASCII)

# In the vendor page's order, which is also the order of 400 entries.
FIELDS: tuple[Param, ...] = (
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
        Choice(("", "failed", "retry", "success")),
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
        default=0,  # documented: omitting it sets 0, even on update
        since=(4, 2),
    ),
    Param("name", Text(non_empty=True), "Name."),
    Param("owner", Integer(minimum=0), "ID of owner. 0 for none."),
    Param("recordgroup", Integer(minimum=0), "ID of record group. 0 for none."),
    Param("retry", Integer(minimum=0), "How many seconds to retry after."),
    Param(
        "success",
        Choice(("answer", "key")),
        '"answer" to consider a destination successful on answer, "key" to consider it '
        "successful when a key is pressed.",
    ),
    Param("timegroup", Integer(minimum=0), "ID of time group. 0 for none."),
)


def fields_with(defaults: dict[str, Any], required: frozenset[str] = frozenset()) -> tuple:
    """The campaign fields with these defaults (and these required), in table order."""
    return tuple(
        replace(
            field,
            default=defaults.get(field.name, field.default),
            required=field.name in required,
        )
        for field in FIELDS
    )


def reference_problems(call: Call, campaign: Campaign) -> list[Problem]:
    """The checks that need the campaign: its customer's records, its destination type."""
    args, directory, customer = call.args, call.directory, campaign.customer
    problems = []
    owner = args.get("owner")
    if owner and not directory.person_of(customer, owner):
        problems.append(invalid("owner", "no such person"))
    for name, label in (("recordgroup", "record group"), ("timegroup", "time group")):
        value = args.get(name)
        if value and not directory.owns(customer, name, value):
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


def in_table_order(problems: list[Problem], table: tuple[Param, ...]) -> list[Problem]:
    order = {p.name: i for i, p in enumerate(table)}
    return sorted(problems, key=lambda p: order.get(p.key, len(order)))
