"""bulk/campaigns/get and bulk/campaigns/list: reading back what an update changed.

The checks every function shares are in test_function_contract.py.
"""

from __future__ import annotations

import pytest

from tests.cast import CAMPAIGNS
from tests.helpers import call, call_bytes, envelope, ok

GET = "bulk/campaigns/get"
LIST = "bulk/campaigns/list"

INVALID_CUSTOMER = envelope(("400", "customer", "Invalid customer specified."))


def of(*campaign_ids: int) -> list[dict]:
    return [CAMPAIGNS[i] for i in campaign_ids]


# -- bulk/campaigns/get ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "campaign_id"),
    [
        ("user", 123),
        ("admin", 124),
        ("globex", 200),
        ("reseller", 125),
        ("reseller", 201),
        ("owner", 300),
        ("owner", 123),
    ],
)
async def test_get_answers_200_with_the_campaign(client, user, campaign_id):
    assert await call(client, GET, user=user, id=campaign_id) == (200, ok(CAMPAIGNS[campaign_id]))


async def test_get_shows_ids_and_counts_as_json_numbers(client):
    # Campaign 201 keeps a negative number of agents available: a signed number, not "-1".
    assert await call_bytes(client, GET, user="owner", id=201) == (
        b'{"responses":[{"code":"200","key":"","message":"OK"}],"data":{"id":201,"customer":20,'
        b'"name":"Globex webinar invites","description":"Invite partners to the quarterly '
        b'webinar, keeping one agent free","dtype":"queue","dnumber":"600","enabled":0,'
        b'"attempts":2,"maximum":4,"retry":900,"machine":"success","success":"key",'
        b'"keep_agents_available":-1,"owner":0,"recordgroup":0,"timegroup":6,'
        b'"callerid":"+13125550200"}}'
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, envelope(("400", "id", "is required"))),
        ({"id": "abc"}, envelope(("400", "id", "must be an integer"))),
        ({"id": ""}, envelope(("400", "id", "must be an integer"))),
        ({"id": "12.0"}, envelope(("400", "id", "must be an integer"))),
    ],
)
async def test_get_answers_400_for_a_bad_id(client, params, expected):
    assert await call(client, GET, **params) == (200, expected)


async def test_get_ignores_unknown_parameters(client):
    assert await call(client, GET, id=123, customer=20, name="x") == (200, ok(CAMPAIGNS[123]))


# -- bulk/campaigns/list ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("user", of(123, 124, 125)),
        ("admin", of(123, 124, 125)),
        ("globex", of(200, 201)),
        ("reseller", []),  # the reseller's own customer has no campaigns: still an array
        ("owner", []),
    ],
)
async def test_list_defaults_to_the_users_own_customer(client, user, expected):
    assert await call(client, LIST, user=user) == (200, ok(expected))


async def test_an_empty_list_is_an_empty_array_not_a_missing_member(client):
    response = await client.get(
        "/api/json/bulk/campaigns/list",
        params={"auth_username": "reseller", "auth_password": "password"},
    )
    assert (
        await response.read() == b'{"responses":[{"code":"200","key":"","message":"OK"}],"data":[]}'
    )


@pytest.mark.parametrize(
    ("user", "customer", "expected"),
    [
        ("user", 10, of(123, 124, 125)),
        ("reseller", 2, []),
        ("reseller", 10, of(123, 124, 125)),
        ("reseller", 20, of(200, 201)),
        ("owner", 1, []),
        ("owner", 20, of(200, 201)),
        ("owner", 30, of(300)),
    ],
)
async def test_list_takes_a_customer_within_reach(client, user, customer, expected):
    assert await call(client, LIST, user=user, customer=customer) == (200, ok(expected))


@pytest.mark.parametrize(
    ("user", "customer"),
    [
        ("user", 20),  # a sibling
        ("user", 2),  # its own reseller, above it
        ("admin", 20),
        ("globex", 10),
        ("reseller", 30),  # not below the reseller
        ("reseller", 1),  # above the reseller
        ("user", 999),  # no such customer answers alike
        ("owner", 999),
        ("owner", 0),
        ("owner", -1),
    ],
)
async def test_list_answers_400_for_a_customer_out_of_reach_or_missing(client, user, customer):
    assert await call(client, LIST, user=user, customer=customer) == (200, INVALID_CUSTOMER)


@pytest.mark.parametrize(
    ("customer", "expected"),
    [
        ("abc", envelope(("400", "customer", "must be an integer"))),
        ("", envelope(("400", "customer", "must be an integer"))),
    ],
)
async def test_list_answers_400_for_an_ill_typed_customer(client, customer, expected):
    assert await call(client, LIST, user="owner", customer=customer) == (200, expected)


async def test_list_shows_what_an_update_changed(client):
    update = await call(client, "bulk/campaigns/update", id=125, name="Paid", enabled=1)
    assert update == (200, envelope(("204", "", "OK")))
    expected = [CAMPAIGNS[123], CAMPAIGNS[124], {**CAMPAIGNS[125], "name": "Paid", "enabled": 1}]
    assert await call(client, LIST) == (200, ok(expected))
