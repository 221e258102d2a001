"""The checks every Enswitch function makes, in the contract's order, for every function served.

401 (credentials), 402 (the role's privilege), 403 (the rate plan), 400 (the parameter
table), 404 (a campaign missing or out of reach), then 201 for validation=1: one table below
says what each function needs for them, and each test runs over every function of the
registry. What is particular to one function stays in its own test_bulk_* file.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mockswitch.config import DEFAULT_FIXTURES as FIXTURES
from mockswitch.endpoints import FUNCTIONS
from tests.cast import DESTINATIONS, OUT_OF_REACH, PASSWORD, SEEDED
from tests.helpers import (
    NOT_AUTHENTICATED,
    RATEPLAN_FORBIDS,
    ROLE_FORBIDS,
    VALIDATED,
    bad,
    call,
    every_campaign,
    every_destination,
    no_campaign,
)

NOT_INTEGER = "must be an integer"
INVALID_CUSTOMER = "Invalid customer specified."
NOT_A_NUMBER = "must be digits with an optional leading +"

# Initech's rate plan lacks bulk dialling; the default cast has only a plain user there. These
# two make every function's 403 reachable, and a person who fails both 402 and 403.
INITECH_STAFF = [
    {"id": 301, "username": "initech-admin", "password": PASSWORD, "customer": 30, "role": 3},
    {"id": 302, "username": "initech-panel", "password": PASSWORD, "customer": 30, "role": 5},
]


@dataclass(frozen=True)
class Contract:
    """What the shared checks need to know about one function."""

    privilege: str
    """`user` or `administrator`: the privilege the caller's role must carry."""
    acme: dict[str, Any]
    """A call that succeeds for Acme's person with that privilege (campaign 123, customer 10)."""
    initech: dict[str, Any]
    """The same call aimed at Initech's own records, whose rate plan lacks bulk dialling."""
    ill_formed: list[tuple[dict[str, Any], list[tuple[str, str]]]]
    """Changes to `acme` (None: leave the parameter out) and the 400 entries they get."""
    target: str | None = None
    """The parameter naming a campaign, for the 404s."""
    not_found: dict[str, Any] | None = None
    """The 404's envelope."""
    validates: bool = True
    """Whether the function takes validation=1."""

    @property
    def caller(self) -> str:
        return "admin" if self.privilege == "administrator" else "user"

    @property
    def initech_caller(self) -> str:
        return "initech-admin" if self.privilege == "administrator" else "initech"

    def params(self, changes: dict[str, Any], *, at_initech: bool = False) -> dict[str, Any]:
        """The successful call for Acme (or Initech), changed; None leaves a parameter out."""
        merged = {**(self.initech if at_initech else self.acme), **changes}
        return {name: value for name, value in merged.items() if value is not None}


def on_a_campaign(
    target: str,
    action: str,
    ill_formed: list[tuple[dict[str, Any], list[tuple[str, str]]]],
    *,
    also: dict[str, Any] | None = None,
    validates: bool = True,
) -> Contract:
    """The contract of a function that acts on one campaign, named by `target`."""
    return Contract(
        privilege="user",
        acme={target: 123, **(also or {})},
        initech={target: 300, **(also or {})},
        ill_formed=[({target: "x"}, [(target, NOT_INTEGER)]), *ill_formed],
        target=target,
        not_found=no_campaign(action),
        validates=validates,
    )


NEW_CAMPAIGN = {"name": "Autumn promo", "dtype": "forward", "dnumber": "+442071230000"}
OUT_OF_REACH_CUSTOMER = ({"customer": 20}, [("customer", INVALID_CUSTOMER)])  # Globex's

CONTRACTS: dict[str, Contract] = {
    "bulk/campaigns/create": Contract(
        privilege="administrator",
        acme=NEW_CAMPAIGN,
        initech=NEW_CAMPAIGN,
        ill_formed=[
            ({"attempts": "x"}, [("attempts", NOT_INTEGER)]),
            ({"name": None}, [("name", "is required")]),
            OUT_OF_REACH_CUSTOMER,
        ],
    ),
    "bulk/campaigns/delete": on_a_campaign(
        "id", "delete it", [({"validation": 3}, [("validation", "must be 0 or 1")])]
    ),
    "bulk/campaigns/get": on_a_campaign(
        "id", "view it", [({"id": None}, [("id", "is required")])], validates=False
    ),
    "bulk/campaigns/list": Contract(
        privilege="user",
        acme={"customer": 10},
        initech={"customer": 30},
        ill_formed=[({"customer": "x"}, [("customer", NOT_INTEGER)]), OUT_OF_REACH_CUSTOMER],
        validates=False,
    ),
    "bulk/campaigns/update": on_a_campaign(
        "id",
        "update it",
        [
            ({"attempts": "x"}, [("attempts", NOT_INTEGER)]),
            ({"id": "x", "attempts": 0}, [("id", NOT_INTEGER), ("attempts", "must be at least 1")]),
        ],
        also={"name": "x"},
    ),
    "bulk/destinations/create": on_a_campaign(
        "campaign",
        "add destinations to it",
        [({"dnumbers": "1x"}, [("dnumbers", f"entry 1 ('1x') {NOT_A_NUMBER}")])],
        also={"dnumbers": "1"},
    ),
    "bulk/destinations/delete": on_a_campaign(
        "campaign",
        "delete its destinations",
        [({"all": None}, [("dnumber", "is required unless all=1")])],
        also={"all": 1},
    ),
    "bulk/destinations/list": on_a_campaign(
        "campaign",
        "view its destinations",
        [({"limit": 0}, [("limit", "must be at least 1")])],
        validates=False,
    ),
    "bulk/destinations/update": on_a_campaign(
        "campaign",
        "update its destinations",
        [({"all": None}, [("dnumbers", "is required unless all=1")])],
        also={"all": 1, "status": "failed"},
    ),
}

# People whose role lacks the privilege, by privilege.
LACKING = {"user": ("viewer",), "administrator": ("user", "globex", "viewer")}


def cases(*, where: Any = lambda contract: True) -> list[Any]:
    """(function name, contract) for every function whose contract passes `where`."""
    return [
        pytest.param(name, contract, id=name)
        for name, contract in CONTRACTS.items()
        if where(contract)
    ]


def ill_formed_cases(*, where: Any = lambda contract, changes: True) -> list[Any]:
    """(function, contract, changes, 400 entries) for each ill-formed call of each function."""
    return [
        pytest.param(name, contract, changes, entries, id=f"{name}-{'-'.join(changes)}")
        for name, contract in CONTRACTS.items()
        for changes, entries in contract.ill_formed
        if where(contract, changes)
    ]


def credentials(caller: str) -> dict[str, dict[str, str]]:
    """Every way to fail authentication, by why."""
    return {
        "unknown user": {"auth_username": "nobody", "auth_password": PASSWORD},
        "wrong password": {"auth_username": caller, "auth_password": "wrong"},
        "empty password": {"auth_username": caller, "auth_password": ""},
        "username is case-sensitive": {"auth_username": caller.title(), "auth_password": PASSWORD},
        "missing username": {"auth_password": PASSWORD},
        "missing password": {"auth_username": caller},
        "missing both": {},
    }


@pytest.fixture(scope="module")
def staffed_fixtures(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("initech") / "fixtures"
    shutil.copytree(FIXTURES, folder)
    people = json.loads((folder / "people.json").read_text())
    (folder / "people.json").write_text(json.dumps([*people, *INITECH_STAFF]))
    return folder


@pytest.fixture
async def switch(serve, staffed_fixtures):
    """The default cast, with an administrator and a panel-only person at Initech."""
    return await serve(fixtures=str(staffed_fixtures))


async def assert_nothing_changed(client) -> None:
    assert await every_campaign(client) == SEEDED
    assert await every_destination(client) == DESTINATIONS


def test_every_function_served_has_a_contract_here():
    assert sorted(CONTRACTS) == sorted(FUNCTIONS)


def test_each_contracts_privilege_is_the_functions():
    assert {name: c.privilege for name, c in CONTRACTS.items()} == {
        name: function.privilege for name, function in FUNCTIONS.items()
    }


# -- each code alone -------------------------------------------------------------------------


@pytest.mark.parametrize("why", list(credentials("user")))
@pytest.mark.parametrize(("function", "contract"), cases())
async def test_401_for_bad_credentials(switch, function, contract, why):
    auth = credentials(contract.caller)[why]
    assert await call(switch, function, user=None, **contract.acme, **auth) == (
        200,
        NOT_AUTHENTICATED,
    )
    await assert_nothing_changed(switch)


@pytest.mark.parametrize(("function", "contract"), cases())
async def test_402_for_a_role_without_the_privilege(switch, function, contract):
    for person in LACKING[contract.privilege]:
        assert await call(switch, function, user=person, **contract.acme) == (
            200,
            ROLE_FORBIDS,
        ), person
    await assert_nothing_changed(switch)


@pytest.mark.parametrize(("function", "contract"), cases())
async def test_403_for_a_rate_plan_without_bulk_dialling(switch, function, contract):
    assert await call(switch, function, user=contract.initech_caller, **contract.initech) == (
        200,
        RATEPLAN_FORBIDS,
    )
    await assert_nothing_changed(switch)


@pytest.mark.parametrize(("function", "contract", "changes", "entries"), ill_formed_cases())
async def test_400_for_an_ill_formed_parameter(switch, function, contract, changes, entries):
    params = contract.params(changes)
    assert await call(switch, function, user=contract.caller, **params) == (200, bad(*entries))
    await assert_nothing_changed(switch)


@pytest.mark.parametrize(("user", "campaign_id"), OUT_OF_REACH)
@pytest.mark.parametrize(("function", "contract"), cases(where=lambda c: c.target))
async def test_404_for_a_missing_campaign_or_one_out_of_reach(
    switch, function, contract, user, campaign_id
):
    params = contract.params({contract.target: campaign_id})
    assert await call(switch, function, user=user, **params) == (
        200,
        contract.not_found,
    )
    await assert_nothing_changed(switch)


@pytest.mark.parametrize(("function", "contract"), cases(where=lambda c: c.validates))
async def test_201_with_validation_1_changes_nothing(switch, function, contract):
    params = contract.params({"validation": 1})
    assert await call(switch, function, user=contract.caller, **params) == (200, VALIDATED)
    await assert_nothing_changed(switch)


# -- the order of the checks: one request that breaks two rules or more ----------------------


@pytest.mark.parametrize("person", ["viewer", "initech-panel"])
@pytest.mark.parametrize(("function", "contract", "changes", "entries"), ill_formed_cases())
async def test_401_comes_before_everything_else(
    switch, function, contract, changes, entries, person
):
    auth = {"auth_username": person, "auth_password": "wrong"}
    params = contract.params(changes)
    assert await call(switch, function, user=None, **params, **auth) == (200, NOT_AUTHENTICATED)


@pytest.mark.parametrize(("function", "contract"), cases())
async def test_402_comes_before_403(switch, function, contract):
    assert await call(switch, function, user="initech-panel", **contract.initech) == (
        200,
        ROLE_FORBIDS,
    )
    # The panel-only person is real: an Initech person with the privilege meets the 403.
    assert await call(switch, function, user=contract.initech_caller, **contract.initech) == (
        200,
        RATEPLAN_FORBIDS,
    )


@pytest.mark.parametrize(("function", "contract", "changes", "entries"), ill_formed_cases())
async def test_402_comes_before_400(switch, function, contract, changes, entries):
    params = contract.params(changes)
    for person in LACKING[contract.privilege]:
        assert await call(switch, function, user=person, **params) == (200, ROLE_FORBIDS), person


@pytest.mark.parametrize(("function", "contract", "changes", "entries"), ill_formed_cases())
async def test_403_comes_before_400(switch, function, contract, changes, entries):
    params = contract.params(changes, at_initech=True)
    assert await call(switch, function, user=contract.initech_caller, **params) == (
        200,
        RATEPLAN_FORBIDS,
    )


@pytest.mark.parametrize(("function", "contract"), cases())
async def test_402_and_403_come_before_a_missing_parameter(switch, function, contract):
    assert await call(switch, function, user="viewer") == (200, ROLE_FORBIDS)
    assert await call(switch, function, user=contract.initech_caller) == (200, RATEPLAN_FORBIDS)


@pytest.mark.parametrize(("user", "campaign_id"), [("user", 999), ("user", 200), ("globex", 123)])
@pytest.mark.parametrize(
    ("function", "contract", "changes", "entries"),
    ill_formed_cases(
        where=lambda contract, changes: contract.target and contract.target not in changes
    ),
)
async def test_400_comes_before_404(
    switch, function, contract, changes, entries, user, campaign_id
):
    params = contract.params({contract.target: campaign_id, **changes})
    assert await call(switch, function, user=user, **params) == (200, bad(*entries))


@pytest.mark.parametrize(("user", "campaign_id"), [("user", 999), ("user", 200)])
@pytest.mark.parametrize(("function", "contract"), cases(where=lambda c: c.target and c.validates))
async def test_404_comes_before_201(switch, function, contract, user, campaign_id):
    params = contract.params({contract.target: campaign_id, "validation": 1})
    assert await call(switch, function, user=user, **params) == (
        200,
        contract.not_found,
    )
    await assert_nothing_changed(switch)
