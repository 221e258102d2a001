"""What every Enswitch function shares: its declaration, and the checks before its handler.

A function module declares a `Function`: its parameter table, the privilege its role must
carry, the rate-plan feature it needs, and a handler. `execute` runs the checks every
function makes, in the contract's order (401, 402, 403, then the table's 400s), and only
then calls the handler, which adds its own checks (404, references) and does the work.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from mockswitch.directory import Directory
from mockswitch.enswitch.envelope import Success
from mockswitch.enswitch.params import (
    AUTH_PASSWORD,
    AUTH_USERNAME,
    Arguments,
    Param,
    unknown_parameters,
    validate,
)
from mockswitch.enswitch.request import Pairs
from mockswitch.errors import EnswitchError, not_authenticated, rateplan_forbids, role_forbids
from mockswitch.model import Person
from mockswitch.store import Tenant

BULK_DIALLING = "bulk_dialling"


@dataclass(frozen=True, slots=True)
class Call:
    """What a handler works with: checked arguments, who is calling, and their tenant."""

    args: Arguments
    person: Person
    directory: Directory
    tenant: Tenant
    api_version: tuple[int, int] = (99, 0)  # the Enswitch version imitated: what data shows


@dataclass(frozen=True, slots=True)
class Function:
    """One Enswitch function, as its vendor page documents it."""

    name: str
    summary: str
    parameters: tuple[Param, ...]
    privilege: str
    feature: str | None
    handler: Callable[[Call], Awaitable[Success]]
    changes_data: bool = False
    data_description: str = "No data is returned."


@dataclass(frozen=True, slots=True)
class Executed:
    """The outcome of a call, with what the journal wants to know about it."""

    outcome: Success | EnswitchError
    username: str
    unknown: tuple[str, ...]


async def execute(
    function: Function, pairs: Pairs, tenant: Tenant, api_version: tuple[int, int]
) -> Executed:
    """Run the common checks, then the function's handler; Enswitch errors become outcomes."""
    unknown = unknown_parameters(function.parameters, pairs, api_version)
    username = ""
    try:
        directory = await tenant.directory()
        person = authenticate(directory, pairs)
        username = person.username
        if not directory.role_of(person).allows(function.privilege):
            raise role_forbids()
        if function.feature is not None and function.feature not in directory.features_of(
            person.customer
        ):
            raise rateplan_forbids()
        args = validate(function.parameters, pairs, api_version, {"dtypes": directory.dtypes})
        outcome = await function.handler(Call(args, person, directory, tenant, api_version))
    except EnswitchError as error:
        return Executed(error, username, unknown)
    return Executed(outcome, username, unknown)


async def refused(error: EnswitchError, pairs: Pairs, tenant: Tenant) -> Executed:
    """A call refused before the checks (its parameters could not all be read): the outcome
    is `error`, and the journal still learns who called, if the credentials it read are right."""
    try:
        username = authenticate(await tenant.directory(), pairs).username
    except EnswitchError:
        username = ""
    return Executed(error, username, ())


def authenticate(directory: Directory, pairs: Pairs) -> Person:
    """The caller, by `auth_username` and `auth_password`; a 401 for anything else."""
    given = dict(pairs)
    username, password = given.get(AUTH_USERNAME), given.get(AUTH_PASSWORD)
    if username is None or password is None:
        raise not_authenticated()
    person = directory.authenticate(username, password)
    if person is None:
        raise not_authenticated()
    return person
