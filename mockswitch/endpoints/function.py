"""What every Enswitch function shares: its declaration, and the checks before its handler.

A function module declares a `Function`: its parameter table, the privilege its role must
carry, the rate-plan feature it needs, and a handler. `execute` runs the checks every
function makes, in the contract's order (401, 402, 403, then the table's 400s), and only
then calls the handler, which adds its own checks (404, references) and does the work.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from mockswitch.domain.directory import Directory
from mockswitch.domain.records import Person
from mockswitch.enswitch.envelope import Reply, Success
from mockswitch.enswitch.params import (
    AUTH_PASSWORD,
    AUTH_USERNAME,
    Arguments,
    Flag,
    Param,
    unknown_parameters,
    validate,
)
from mockswitch.enswitch.request import Pairs
from mockswitch.errors import EnswitchError, not_authenticated, rateplan_forbids, role_forbids
from mockswitch.store import TenantData

BULK_DIALLING = "bulk_dialling"
NO_DATA = "No data is returned."
# The row of every changing function: check the input, change nothing, answer 201.
VALIDATION = Param(
    "validation", Flag(), "1 to validate input then return, 0 for full action.", default=0
)


@dataclass(slots=True)  # per call: not frozen (docs/architecture.md, "Per-call records")
class Call:
    """What a handler works with: checked arguments, who is calling, and their tenant."""

    args: Arguments
    person: Person
    directory: Directory
    tenant: TenantData
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
    data_description: str = NO_DATA
    # The envelope codes the handler itself answers: its success (200 with data, 201 when
    # validated, 204 done) and its own refusals (404 for an object out of reach). `answers`
    # adds those of the checks every function makes.
    codes: tuple[str, ...] = ()

    @property
    def answers(self) -> tuple[str, ...]:
        """Every envelope code this function can answer, in order."""
        # execute's checks; too large; the tenant dropped while the call was in flight; a bug
        shared = {"400", "401", "402", "404", "413", "500"}
        if self.feature is not None:
            shared.add("403")
        return tuple(sorted(shared | set(self.codes)))


def bulk_function(
    name: str,
    handler: Callable[[Call], Awaitable[Success]],
    parameters: tuple[Param, ...],
    codes: str,
    *,
    privilege: str = "user",
    changes: bool = False,
    data: str | None = None,
) -> Function:
    """A bulk-dialling function (rate-plan feature `bulk_dialling`), summed up by its
    handler's docstring; `codes` are the envelope codes its handler answers ("201 204 404"),
    `changes` whether it changes data, `data` what its 200 carries."""
    return Function(
        name=name,
        summary=" ".join((handler.__doc__ or "").split()),
        parameters=parameters,
        privilege=privilege,
        feature=BULK_DIALLING,
        handler=handler,
        changes_data=changes,
        data_description=data or NO_DATA,
        codes=tuple(codes.split()),
    )


@dataclass(slots=True)  # per call: not frozen (docs/architecture.md, "Per-call records")
class Handled:
    """A call's answer before the switch renders it and any fault has its say, with what the
    journal wants to know of it.

    A function's answer is a `Success` or an `EnswitchError`; a stub's, or the switch's behind
    `--proxy-to` (switch/beyond.py), is a `Reply` ready to send, or an `EnswitchError`."""

    answer: Success | Reply | EnswitchError
    username: str
    unknown: tuple[str, ...] = ()  # parameters the function does not know
    stub: int | None = None  # the stub that answered
    proxied: bool = False  # the switch behind --proxy-to answered
    warnings: tuple[str, ...] = ()  # for the journal: why the call went as it did


async def execute(
    function: Function,
    pairs: Pairs,
    given: Mapping[str, str],
    tenant: TenantData,
    api_version: tuple[int, int],
) -> Handled:
    """Run the common checks, then the function's handler; Enswitch errors become outcomes.

    `given` is `pairs` as a mapping (each name's last value), made once per call."""
    unknown = unknown_parameters(function.parameters, pairs, api_version)
    username = ""
    try:
        directory = await tenant.directory()
        person = authenticate(directory, given)
        username = person.username
        if not directory.role_of(person).allows(function.privilege):
            raise role_forbids()
        if function.feature is not None and function.feature not in directory.features_of(
            person.customer
        ):
            raise rateplan_forbids()
        args = validate(function.parameters, given, api_version, {"dtypes": directory.dtypes})
        outcome = await function.handler(Call(args, person, directory, tenant, api_version))
    except EnswitchError as error:
        return Handled(error, username, unknown)
    return Handled(outcome, username, unknown)


async def refused(error: EnswitchError, given: Mapping[str, str], tenant: TenantData) -> Handled:
    """A call refused before the checks (its parameters could not all be read): the outcome
    is `error`, and the journal still learns who called, if the credentials it read are right."""
    try:
        username = authenticate(await tenant.directory(), given).username
    except EnswitchError:
        username = ""
    return Handled(error, username)


def authenticate(directory: Directory, given: Mapping[str, str]) -> Person:
    """The caller, by `auth_username` and `auth_password`; a 401 for anything else."""
    username, password = given.get(AUTH_USERNAME), given.get(AUTH_PASSWORD)
    if username is None or password is None:
        raise not_authenticated()
    person = directory.authenticate(username, password)
    if person is None:
        raise not_authenticated()
    return person
