"""bulk/campaigns/create against the contract: codes, parameters, defaults, reach.

The checks every function shares are in test_function_contract.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.cast import CAMPAIGNS, SEEDED
from tests.helpers import (
    FOREIGN_REFERENCES,
    FOREIGN_REFERENCES_FAIL,
    VALIDATED,
    bad,
    call,
    call_bytes,
    envelope,
    every_campaign,
    read_campaign,
    read_destinations,
)

CREATE = "bulk/campaigns/create"
NEXT_ID = max(CAMPAIGNS) + 1  # the tenant's highest id plus one

INVALID_CUSTOMER = envelope(("400", "customer", "Invalid customer specified."))
REQUIRED = {"name": "Autumn promo", "dtype": "forward", "dnumber": "+442071230000"}
# What a campaign created with only the required parameters holds (the contract's defaults).
DEFAULTS = {
    "description": "",
    "enabled": 1,
    "attempts": 1,
    "maximum": 1,
    "retry": 3600,
    "machine": "failed",
    "success": "answer",
    "keep_agents_available": 0,
    "owner": 0,
    "recordgroup": 0,
    "timegroup": 0,
    "callerid": "",
}


def created(campaign_id: int = NEXT_ID) -> dict[str, Any]:
    return envelope(("200", "", "OK"), data={"id": campaign_id})


def new_campaign(campaign_id: int = NEXT_ID, customer: int = 10, **fields: Any) -> dict[str, Any]:
    """A created campaign as bulk/campaigns/get shows it."""
    return {"id": campaign_id, "customer": customer, **REQUIRED, **DEFAULTS, **fields}


async def assert_nothing_created(client) -> None:
    assert await every_campaign(client) == SEEDED


# -- every response code ---------------------------------------------------------------------


async def test_200_with_the_new_id_and_the_contracts_defaults(client):
    assert await call(client, CREATE, user="admin", **REQUIRED) == (200, created())
    assert await read_campaign(client, NEXT_ID) == new_campaign()
    # A new campaign has no destinations yet.
    assert await read_destinations(client, NEXT_ID) == {}


async def test_the_new_id_is_a_json_number(client):
    assert await call_bytes(client, CREATE, user="admin", **REQUIRED) == (
        b'{"responses":[{"code":"200","key":"","message":"OK"}],"data":{"id":%d}}' % NEXT_ID
    )


async def test_each_create_takes_the_next_id_of_the_whole_tenant(client):
    assert await call(client, CREATE, user="admin", **REQUIRED) == (200, created(NEXT_ID))
    # Another customer's campaign still follows on from the highest id of the tenant.
    assert await call(client, CREATE, user="reseller", customer=20, **REQUIRED) == (
        200,
        created(NEXT_ID + 1),
    )
    assert await read_campaign(client, NEXT_ID + 1) == new_campaign(NEXT_ID + 1, customer=20)


async def test_201_with_validation_1_creates_nothing(client):
    assert await call(client, CREATE, user="admin", validation=1, **REQUIRED) == (200, VALIDATED)
    await assert_nothing_created(client)
    # The id a validation seemed to need is still the next one.
    assert await call(client, CREATE, user="admin", **REQUIRED) == (200, created())


async def test_validation_0_is_a_full_create(client):
    assert await call(client, CREATE, user="admin", validation=0, **REQUIRED) == (200, created())
    assert await read_campaign(client, NEXT_ID) == new_campaign()


# -- each parameter, valid -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"attempts": 5}, {"attempts": 5}),
        ({"callerid": "+442071230000"}, {"callerid": "+442071230000"}),
        ({"callerid": "2125550100"}, {"callerid": "2125550100"}),
        ({"description": "Ünïcödé ; & = %"}, {"description": "Ünïcödé ; & = %"}),
        ({"description": "d" * 255}, {"description": "d" * 255}),
        ({"enabled": 0}, {"enabled": 0}),
        ({"machine": ""}, {"machine": ""}),
        ({"machine": "retry"}, {"machine": "retry"}),
        ({"machine": "success"}, {"machine": "success"}),
        ({"maximum": 30}, {"maximum": 30}),
        ({"keep_agents_available": 4}, {"keep_agents_available": 4}),
        ({"name": "n" * 255}, {"name": "n" * 255}),
        ({"owner": 100}, {"owner": 100}),
        ({"owner": 102}, {"owner": 102}),  # any person of the customer, whatever the role
        ({"recordgroup": 7}, {"recordgroup": 7}),
        ({"retry": 0}, {"retry": 0}),
        ({"success": "key"}, {"success": "key"}),
        ({"timegroup": 5}, {"timegroup": 5}),
        ({"customer": 10}, {}),  # one's own customer, given
        ({"customer": "010"}, {}),  # an integer is digits, leading zeros included
    ],
)
async def test_a_valid_value_is_stored(client, params, fields):
    assert await call(client, CREATE, user="admin", **{**REQUIRED, **params}) == (200, created())
    assert await read_campaign(client, NEXT_ID) == new_campaign(**fields)


# dtype and dnumber, one case per destination type's rule (fixtures/dtypes.json).
@pytest.mark.parametrize(
    ("dtype", "dnumber", "extra"),
    [
        ("phone", "1001", {}),
        ("phone", "1002", {}),
        ("queue", "500", {}),
        ("queue", "500", {"keep_agents_available": -3}),  # negative: only for a queue
        ("", "2125550000", {}),
        ("", "+2125550000", {}),
        ("forward", "07700900000", {}),
        ("peer", "acme-pbx", {}),
        ("sipuri", "sip:alice@example.com", {}),
    ],
)
async def test_every_destination_type_with_a_dnumber_that_fits_it(client, dtype, dnumber, extra):
    params = {**REQUIRED, "dtype": dtype, "dnumber": dnumber, **extra}
    assert await call(client, CREATE, user="admin", **params) == (200, created())
    assert await read_campaign(client, NEXT_ID) == new_campaign(
        dtype=dtype, dnumber=dnumber, **extra
    )


async def test_every_parameter_at_once_through_a_post(client):
    every = {
        "attempts": 3,
        "callerid": "+15550100",
        "customer": 20,
        "description": "Café ☎ +1 & ; = % /",
        "dtype": "queue",
        "dnumber": "600",
        "enabled": 0,
        "machine": "retry",
        "maximum": 7,
        "keep_agents_available": -1,
        "name": "Globex follow-up",
        "owner": 200,
        "recordgroup": 8,
        "retry": 120,
        "success": "key",
        "timegroup": 6,
    }
    assert await call(client, CREATE, user="reseller", method="POST", **every) == (200, created())
    assert await read_campaign(client, NEXT_ID) == {"id": NEXT_ID, **every}


async def test_unknown_parameters_are_ignored(client):
    # An id cannot be chosen: it is unknown to create, and the next id is taken as ever.
    params = {"id": 5, "calerid": "999", "colour": ""}
    assert await call(client, CREATE, user="admin", **REQUIRED, **params) == (200, created())
    assert await read_campaign(client, NEXT_ID) == new_campaign()


# -- each parameter, ill-formed --------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "key", "message"),
    [
        ({"name": None}, "name", "is required"),
        ({"dtype": None}, "dtype", "is required"),
        ({"dnumber": None}, "dnumber", "is required"),
        ({"name": ""}, "name", "must not be empty"),
        ({"name": "n" * 256}, "name", "must be at most 255 characters"),
        (
            {"dtype": "fax"},
            "dtype",
            "must be empty or one of: forward, peer, phone, queue, sipuri",
        ),
        (
            {"dtype": "Phone"},
            "dtype",
            "must be empty or one of: forward, peer, phone, queue, sipuri",
        ),
        ({"dnumber": "9" * 256}, "dnumber", "must be at most 255 characters"),
        ({"attempts": 0}, "attempts", "must be at least 1"),
        ({"attempts": "abc"}, "attempts", "must be an integer"),
        ({"attempts": "1.5"}, "attempts", "must be an integer"),
        ({"attempts": ""}, "attempts", "must be an integer"),
        ({"attempts": "12abc"}, "attempts", "must be an integer"),
        ({"attempts": str(2**63)}, "attempts", "is out of range"),
        ({"callerid": "12a"}, "callerid", "must be empty or digits with an optional leading +"),
        ({"callerid": "+"}, "callerid", "must be empty or digits with an optional leading +"),
        ({"customer": "acme"}, "customer", "must be an integer"),
        ({"customer": ""}, "customer", "must be an integer"),
        ({"description": "d" * 256}, "description", "must be at most 255 characters"),
        ({"enabled": 2}, "enabled", "must be 0 or 1"),
        ({"enabled": "yes"}, "enabled", "must be an integer"),
        ({"machine": "maybe"}, "machine", "must be empty or one of: failed, retry, success"),
        ({"maximum": 0}, "maximum", "must be at least 1"),
        ({"maximum": -1}, "maximum", "must be at least 1"),
        ({"keep_agents_available": "x"}, "keep_agents_available", "must be an integer"),
        ({"owner": -1}, "owner", "must not be negative"),
        ({"owner": "none"}, "owner", "must be an integer"),
        ({"recordgroup": -7}, "recordgroup", "must not be negative"),
        ({"retry": -1}, "retry", "must not be negative"),
        ({"success": "press"}, "success", "must be one of: answer, key"),
        ({"success": ""}, "success", "must be one of: answer, key"),
        ({"timegroup": "5a"}, "timegroup", "must be an integer"),
        ({"validation": 2}, "validation", "must be 0 or 1"),
    ],
)
async def test_an_ill_formed_value_is_400_with_its_key_and_message(client, params, key, message):
    sent = {k: v for k, v in {**REQUIRED, **params}.items() if v is not None}
    assert await call(client, CREATE, user="admin", **sent) == (200, bad((key, message)))
    await assert_nothing_created(client)


async def test_every_ill_formed_parameter_gets_its_entry_in_table_order(client):
    sent = {
        "validation": 2,
        "timegroup": -1,
        "success": "x",
        "retry": "r",
        "owner": -1,
        "maximum": 0,
        "machine": "x",
        "enabled": 5,
        "callerid": "x",
        "attempts": 0,
    }
    assert await call(client, CREATE, user="admin", **sent) == (
        200,
        bad(
            ("attempts", "must be at least 1"),
            ("callerid", "must be empty or digits with an optional leading +"),
            ("dtype", "is required"),
            ("dnumber", "is required"),
            ("enabled", "must be 0 or 1"),
            ("machine", "must be empty or one of: failed, retry, success"),
            ("maximum", "must be at least 1"),
            ("name", "is required"),
            ("owner", "must not be negative"),
            ("retry", "must be an integer"),
            ("success", "must be one of: answer, key"),
            ("timegroup", "must not be negative"),
            ("validation", "must be 0 or 1"),
        ),
    )


# -- references, checked against the new campaign's customer --------------------------------


@pytest.mark.parametrize(
    ("user", "customer"),
    [
        ("admin", 20),  # another customer
        ("admin", 2),  # the customer above one's own
        ("admin", 999),  # no such customer
        ("admin", 0),
        ("admin", -10),
        ("reseller", 1),  # above the reseller
        ("reseller", 30),  # Initech is not below the reseller
    ],
)
async def test_400_for_a_customer_out_of_reach_or_missing(client, user, customer):
    assert await call(client, CREATE, user=user, customer=customer, **REQUIRED) == (
        200,
        INVALID_CUSTOMER,
    )
    await assert_nothing_created(client)


@pytest.mark.parametrize(
    ("user", "customer"),
    [("reseller", 2), ("reseller", 10), ("reseller", 20), ("owner", 1), ("owner", 30)],
)
async def test_a_reseller_or_the_system_owner_creates_for_a_customer_below(client, user, customer):
    assert await call(client, CREATE, user=user, customer=customer, **REQUIRED) == (
        200,
        created(),
    )
    assert await read_campaign(client, NEXT_ID) == new_campaign(customer=customer)
    # It is listed with its customer's campaigns, and nothing else changed.
    expected = {**SEEDED, customer: [*SEEDED[customer], new_campaign(customer=customer)]}
    assert await every_campaign(client) == expected


async def test_without_a_customer_the_campaign_is_the_callers_own_customers(client):
    assert await call(client, CREATE, user="reseller", **REQUIRED) == (200, created())
    assert await read_campaign(client, NEXT_ID) == new_campaign(customer=2)


@pytest.mark.parametrize(
    ("params", "key", "message"),
    [
        ({"owner": 200}, "owner", "no such person"),  # Globex's
        ({"owner": 20}, "owner", "no such person"),  # the reseller, above Acme
        ({"owner": 999}, "owner", "no such person"),
        ({"recordgroup": 8}, "recordgroup", "no such record group"),
        ({"recordgroup": 99}, "recordgroup", "no such record group"),
        ({"timegroup": 6}, "timegroup", "no such time group"),
        ({"timegroup": 99}, "timegroup", "no such time group"),
        ({"dtype": "phone", "dnumber": "2001"}, "dnumber", "no such phone"),
        ({"dtype": "phone", "dnumber": "9999"}, "dnumber", "no such phone"),
        ({"dtype": "phone", "dnumber": "01001"}, "dnumber", "no such phone"),
        ({"dtype": "queue", "dnumber": "600"}, "dnumber", "no such queue"),
        ({"dtype": "queue", "dnumber": "1001"}, "dnumber", "no such queue"),
        (
            {"dtype": "forward", "dnumber": "12ab"},
            "dnumber",
            "must be digits with an optional leading +",
        ),
        ({"dtype": "", "dnumber": ""}, "dnumber", "must be digits with an optional leading +"),
        ({"dtype": "peer", "dnumber": ""}, "dnumber", "must not be empty"),
        ({"dtype": "sipuri", "dnumber": "alice"}, "dnumber", "must look like sip:user@host"),
        (
            {"keep_agents_available": -1},
            "keep_agents_available",
            "may be negative only for a queue destination",
        ),
    ],
)
async def test_a_reference_or_rule_that_fails_for_the_customer_is_400(client, params, key, message):
    assert await call(client, CREATE, user="admin", **{**REQUIRED, **params}) == (
        200,
        bad((key, message)),
    )
    await assert_nothing_created(client)


async def test_references_are_checked_against_the_given_customer_not_the_callers(client):
    globex = {"customer": 20, "owner": 200, "recordgroup": 8, "timegroup": 6}
    acme = {"owner": 100, "recordgroup": 7, "timegroup": 5, "dtype": "phone", "dnumber": "1001"}
    assert await call(client, CREATE, user="reseller", **{**REQUIRED, "customer": 20, **acme}) == (
        200,
        bad(
            ("dnumber", "no such phone"),
            ("owner", "no such person"),
            ("recordgroup", "no such record group"),
            ("timegroup", "no such time group"),
        ),
    )
    params = {**REQUIRED, **globex, "dtype": "phone", "dnumber": "2001"}
    assert await call(client, CREATE, user="reseller", **params) == (200, created())
    assert await read_campaign(client, NEXT_ID) == new_campaign(
        **{**globex, "dtype": "phone", "dnumber": "2001"}
    )


async def test_every_failed_reference_gets_its_entry_in_table_order(client):
    answer = await call(client, CREATE, user="admin", name="x", **FOREIGN_REFERENCES)
    assert answer == (200, FOREIGN_REFERENCES_FAIL)
    await assert_nothing_created(client)


async def test_an_invalid_customer_comes_alone_as_the_rest_cannot_be_checked(client):
    assert await call(client, CREATE, user="admin", customer=20, owner=999, **REQUIRED) == (
        200,
        INVALID_CUSTOMER,
    )


# -- the order of the checks -----------------------------------------------------------------


async def test_400_for_an_ill_typed_parameter_comes_before_the_customer_check(client):
    assert await call(client, CREATE, user="admin", customer=20, attempts=0, **REQUIRED) == (
        200,
        bad(("attempts", "must be at least 1")),
    )


async def test_400_for_an_ill_typed_parameter_comes_before_400_for_a_reference(client):
    assert await call(client, CREATE, user="admin", owner=200, attempts=0, **REQUIRED) == (
        200,
        bad(("attempts", "must be at least 1")),
    )


async def test_400_for_a_reference_or_customer_comes_before_201(client):
    assert await call(client, CREATE, user="admin", validation=1, owner=200, **REQUIRED) == (
        200,
        bad(("owner", "no such person")),
    )
    assert await call(client, CREATE, user="admin", validation=1, customer=20, **REQUIRED) == (
        200,
        INVALID_CUSTOMER,
    )


async def test_a_created_campaign_can_be_used_at_once(client):
    assert await call(client, CREATE, user="admin", **REQUIRED) == (200, created())
    assert await call(client, "bulk/campaigns/update", id=NEXT_ID, name="Renamed") == (
        200,
        envelope(("204", "", "OK")),
    )
    assert await read_campaign(client, NEXT_ID) == new_campaign(name="Renamed")
    assert await call(
        client, "bulk/destinations/create", campaign=NEXT_ID, dnumbers="2125550199"
    ) == (200, envelope(("200", "", "OK"), data={"count": 1}))
    assert await read_destinations(client, NEXT_ID) == {"2125550199": "pending"}
