"""bulk/campaigns/delete: codes, the campaign and its destinations going together, reach.

The checks every function shares are in test_function_contract.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.cast import CAMPAIGNS, DESTINATIONS, SEEDED
from tests.helpers import (
    OK_204,
    bad,
    call,
    envelope,
    every_campaign,
    every_destination,
    no_campaign,
    read_destinations,
)

DELETE = "bulk/campaigns/delete"

NOT_FOUND = no_campaign("delete it")


def without(campaign_id: int) -> dict[int, list[dict[str, Any]]]:
    """Every customer's campaigns as seeded, but one."""
    return {
        customer: [c for c in campaigns if c["id"] != campaign_id]
        for customer, campaigns in SEEDED.items()
    }


async def assert_nothing_deleted(client) -> None:
    assert await every_campaign(client) == SEEDED
    assert await every_destination(client) == DESTINATIONS


# -- every response code ---------------------------------------------------------------------


@pytest.mark.parametrize("campaign_id", [123, 124, 125])
async def test_204_deletes_the_campaign_and_nothing_else(client, campaign_id):
    assert await call(client, DELETE, id=campaign_id) == (200, OK_204)
    assert await every_campaign(client) == without(campaign_id)
    others = {c: d for c, d in DESTINATIONS.items() if c != campaign_id}
    assert {c: await read_destinations(client, c) for c in others} == others


async def test_a_deleted_campaign_is_gone_for_every_function(client):
    assert await call(client, DELETE, id=123) == (200, OK_204)
    for function, params, action in (
        ("bulk/campaigns/get", {"id": 123}, "view it"),
        ("bulk/campaigns/update", {"id": 123, "name": "x"}, "update it"),
        (DELETE, {"id": 123}, "delete it"),
        ("bulk/destinations/list", {"campaign": 123}, "view its destinations"),
    ):
        assert await call(client, function, **params) == (200, no_campaign(action)), function


async def test_its_destinations_go_with_it(client):
    # A new campaign takes the tenant's highest id plus one, so deleting the newest campaign
    # frees its id for the next create: the campaign made then must not inherit its numbers.
    new = {"name": "New", "dtype": "forward", "dnumber": "1"}
    made = (200, envelope(("200", "", "OK"), data={"id": 301}))
    assert await call(client, "bulk/campaigns/create", user="admin", **new) == made
    assert await call(
        client, "bulk/destinations/create", campaign=301, dnumbers="2125550101,2125550102"
    ) == (200, envelope(("200", "", "OK"), data={"count": 2}))
    assert await call(client, DELETE, id=301) == (200, OK_204)
    assert await call(client, "bulk/campaigns/create", user="admin", **new) == made
    assert await read_destinations(client, 301) == {}
    assert await every_destination(client) == DESTINATIONS


async def test_validation_0_is_a_full_delete(client):
    assert await call(client, DELETE, id=123, validation=0) == (200, OK_204)
    assert await every_campaign(client) == without(123)


async def test_deleting_twice_is_404_the_second_time(client):
    assert await call(client, DELETE, id=124) == (200, OK_204)
    assert await call(client, DELETE, id=124) == (200, NOT_FOUND)


# -- parameters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, bad(("id", "is required"))),
        ({"id": ""}, bad(("id", "must be an integer"))),
        ({"id": "abc"}, bad(("id", "must be an integer"))),
        ({"id": "1.5"}, bad(("id", "must be an integer"))),
        ({"id": "123abc"}, bad(("id", "must be an integer"))),
        ({"id": str(2**63)}, bad(("id", "is out of range"))),
        ({"id": 123, "validation": 2}, bad(("validation", "must be 0 or 1"))),
        ({"id": 123, "validation": ""}, bad(("validation", "must be an integer"))),
        (
            {"id": "x", "validation": "y"},
            bad(("id", "must be an integer"), ("validation", "must be an integer")),
        ),
        ({"ids": 123}, bad(("id", "is required"))),  # unknown parameters are no stand-in
    ],
)
async def test_400_for_ill_formed_parameters(client, params, expected):
    assert await call(client, DELETE, **params) == (200, expected)
    await assert_nothing_deleted(client)


async def test_an_id_with_leading_zeros_is_the_same_integer(client):
    assert await call(client, DELETE, id="0123") == (200, OK_204)
    assert await every_campaign(client) == without(123)


async def test_unknown_parameters_are_ignored(client):
    assert await call(client, DELETE, id=123, all=1, campaign=124) == (200, OK_204)
    assert await every_campaign(client) == without(123)


async def test_a_post_works_too(client):
    assert await call(client, DELETE, method="POST", id=123) == (200, OK_204)
    assert await every_campaign(client) == without(123)


# -- reach -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("user", "campaign_id"), [("admin", 125), ("globex", 201)])
async def test_a_user_deletes_its_own_customers_campaign(client, user, campaign_id):
    assert await call(client, DELETE, user=user, id=campaign_id) == (200, OK_204)
    assert await every_campaign(client) == without(campaign_id)


@pytest.mark.parametrize("campaign_id", [123, 200])
async def test_a_reseller_reaches_the_customers_below_it(client, campaign_id):
    assert await call(client, DELETE, user="reseller", id=campaign_id) == (200, OK_204)
    assert await every_campaign(client) == without(campaign_id)


@pytest.mark.parametrize("campaign_id", sorted(CAMPAIGNS))
async def test_the_system_owner_reaches_every_campaign(client, campaign_id):
    assert await call(client, DELETE, user="owner", id=campaign_id) == (200, OK_204)
    assert await every_campaign(client) == without(campaign_id)
