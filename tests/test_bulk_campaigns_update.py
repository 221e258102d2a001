"""bulk/campaigns/update against the vendor page and the contract: codes, parameters.

The checks every function shares are in test_function_contract.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.cast import CAMPAIGNS, campaign
from tests.helpers import (
    FOREIGN_REFERENCES,
    FOREIGN_REFERENCES_FAIL,
    OK_204,
    VALIDATED,
    bad,
    call,
    no_campaign,
    read_campaign,
    stored_campaign,
)

UPDATE = "bulk/campaigns/update"

NOT_FOUND = no_campaign("update it")
LONG = "x" * 256


# -- every response code ---------------------------------------------------------------------


async def test_204_changes_the_campaign_and_nothing_else(client):
    assert await call(client, UPDATE, id=123, name="Summer promo") == (200, OK_204)
    assert await read_campaign(client, 123) == campaign(123, name="Summer promo")
    for other in (124, 125, 200, 201, 300):
        assert await read_campaign(client, other) == CAMPAIGNS[other]


async def test_201_with_validation_1_changes_nothing(client):
    every_field = {
        "attempts": 9,
        "callerid": "+15550000",
        "description": "changed",
        "dtype": "phone",
        "dnumber": "1001",
        "enabled": 0,
        "machine": "",
        "maximum": 1,
        "name": "changed",
        "owner": 101,
        "recordgroup": 0,
        "retry": 1,
        "success": "answer",
        "timegroup": 5,
    }
    # 124 keeps 2 agents available: a real update without the parameter would zero it.
    assert await call(client, UPDATE, id=124, validation=1, **every_field) == (200, VALIDATED)
    assert await call(client, UPDATE, id=124, validation=1) == (200, VALIDATED)
    assert await read_campaign(client, 124) == CAMPAIGNS[124]


async def test_validation_0_is_a_full_update(client):
    assert await call(client, UPDATE, id=123, name="real", validation=0) == (200, OK_204)
    assert await read_campaign(client, 123) == campaign(123, name="real")


# -- each parameter, valid -------------------------------------------------------------------


# Each parameter's valid values, sent to campaign 123 one after another: (sent, stored).
VALID: dict[str, list[tuple[Any, Any]]] = {
    "attempts": [(1, 1), (40, 40), ("0003", 3)],
    "callerid": [("", ""), ("+442071230000", "+442071230000"), ("0", "0")],
    "description": [("", ""), ('Ünïcödé, "quotes" ;&=', 'Ünïcödé, "quotes" ;&='), ("d" * 255,) * 2],
    "enabled": [(1, 1), (0, 0)],
    "machine": [("", ""), ("retry", "retry"), ("success", "success"), ("failed", "failed")],
    "maximum": [(1, 1), (250, 250)],
    "keep_agents_available": [(3, 3), (0, 0)],
    "name": [("n", "n"), ("n" * 255,) * 2, (" ", " ")],
    # any person of the customer, whatever their role
    "owner": [(0, 0), (101, 101), (102, 102), (100, 100)],
    "recordgroup": [(7, 7), (0, 0)],
    "retry": [(0, 0), (86400, 86400)],
    "success": [("key", "key"), ("answer", "answer")],
    "timegroup": [(0, 0), (5, 5)],
}


@pytest.mark.parametrize("name", VALID)
async def test_a_valid_value_is_stored(client, name):
    for sent, stored in VALID[name]:
        assert await call(client, UPDATE, **{"id": 123, name: sent}) == (200, OK_204), sent
        assert await read_campaign(client, 123) == campaign(123, **{name: stored}), sent


async def test_an_id_with_leading_zeros_is_the_same_id(client):
    assert await call(client, UPDATE, id="000123", name="Zeros") == (200, OK_204)
    assert await read_campaign(client, 123) == campaign(123, name="Zeros")


async def test_a_queue_campaign_may_keep_a_negative_number_of_agents_available(client):
    assert await call(client, UPDATE, id=124, keep_agents_available=-2) == (200, OK_204)
    assert await read_campaign(client, 124) == campaign(124, keep_agents_available=-2)
    assert await call(client, UPDATE, id=124, keep_agents_available=2) == (200, OK_204)
    assert await read_campaign(client, 124) == CAMPAIGNS[124]


async def test_a_value_travels_unchanged_through_a_post_too(client):
    text = "Café ☎ +1 & ; = % /"
    assert await call(client, UPDATE, method="POST", id=123, description=text) == (200, OK_204)
    assert await read_campaign(client, 123) == campaign(123, description=text)


# dtype and dnumber, one case per destination type's rule (fixtures/dtypes.json).
@pytest.mark.parametrize(
    ("campaign_id", "params", "changes"),
    [
        # phone: a phone of the campaign's customer
        (123, {"dnumber": "1002"}, {"dnumber": "1002"}),
        (125, {"dtype": "phone", "dnumber": "1001"}, {"dtype": "phone", "dnumber": "1001"}),
        # queue: a queue of the campaign's customer
        (123, {"dtype": "queue", "dnumber": "500"}, {"dtype": "queue", "dnumber": "500"}),
        (124, {"dnumber": "500"}, {"keep_agents_available": 0}),
        # "" (a plain number) and forward: digits with an optional leading +
        (123, {"dtype": "", "dnumber": "2125550000"}, {"dtype": "", "dnumber": "2125550000"}),
        (123, {"dtype": "", "dnumber": "+2125550000"}, {"dtype": "", "dnumber": "+2125550000"}),
        (123, {"dtype": "forward", "dnumber": "+4420"}, {"dtype": "forward", "dnumber": "+4420"}),
        (125, {"dnumber": "07700900000"}, {"dnumber": "07700900000"}),
        # peer: any non-empty text
        (123, {"dtype": "peer", "dnumber": "acme-pbx"}, {"dtype": "peer", "dnumber": "acme-pbx"}),
        # sipuri: sip:user@host
        (
            123,
            {"dtype": "sipuri", "dnumber": "sip:alice@example.com"},
            {"dtype": "sipuri", "dnumber": "sip:alice@example.com"},
        ),
        # a new dtype without a dnumber, when the current dnumber fits it
        (123, {"dtype": "forward"}, {"dtype": "forward"}),
        (123, {"dtype": ""}, {"dtype": ""}),
        (123, {"dtype": "peer"}, {"dtype": "peer"}),
        (125, {"dtype": ""}, {"dtype": ""}),
        # a queue destination may keep fewer agents than none: negative, given with the dtype
        (
            123,
            {"dtype": "queue", "dnumber": "500", "keep_agents_available": -3},
            {"dtype": "queue", "dnumber": "500", "keep_agents_available": -3},
        ),
    ],
)
async def test_dtype_and_dnumber_valid_forms(client, campaign_id, params, changes):
    assert await call(client, UPDATE, id=campaign_id, **params) == (200, OK_204)
    assert await read_campaign(client, campaign_id) == campaign(campaign_id, **changes)


# -- each parameter, invalid -----------------------------------------------------------------

NOT_INTEGER = "must be an integer"
DTYPES = "must be empty or one of: forward, peer, phone, queue, sipuri"
CALLERID = "must be empty or digits with an optional leading +"
TOO_LONG = "must be at most 255 characters"


MACHINES = "must be empty or one of: failed, retry, success"
SUCCESSES = "must be one of: answer, key"
NOT_NEGATIVE = "must not be negative"

# Each parameter's ill-formed values, sent to campaign 123 one at a time: (value, message).
ILL_FORMED: dict[str, list[tuple[str, str]]] = {
    "id": [
        ("", NOT_INTEGER),
        ("abc", NOT_INTEGER),
        ("12abc", NOT_INTEGER),
        ("1.5", NOT_INTEGER),
        ("+123", NOT_INTEGER),
        (" 123", NOT_INTEGER),
        ("1e3", NOT_INTEGER),
        ("99999999999999999999", "is out of range"),
    ],
    "attempts": [
        ("0", "must be at least 1"),
        ("-1", "must be at least 1"),
        ("1.5", NOT_INTEGER),
        ("", NOT_INTEGER),
        ("three", NOT_INTEGER),
    ],
    "callerid": [
        ("abc", CALLERID),
        ("+", CALLERID),
        ("++1", CALLERID),
        ("212-555-0100", CALLERID),
        ("2125550100 ", CALLERID),
        ("1" * 256, TOO_LONG),
    ],
    "description": [(LONG, TOO_LONG)],
    "dtype": [("fax", DTYPES), ("PHONE", DTYPES), (" phone", DTYPES), (LONG, TOO_LONG)],
    "dnumber": [(LONG, TOO_LONG)],
    "enabled": [
        ("2", "must be 0 or 1"),
        ("-1", "must be 0 or 1"),
        ("yes", NOT_INTEGER),
        ("", NOT_INTEGER),
    ],
    "machine": [("maybe", MACHINES), ("FAILED", MACHINES), (" ", MACHINES)],
    "maximum": [("0", "must be at least 1"), ("many", NOT_INTEGER)],
    "keep_agents_available": [("two", NOT_INTEGER), ("", NOT_INTEGER), ("-", NOT_INTEGER)],
    "name": [("", "must not be empty"), (LONG, TOO_LONG)],
    "owner": [("-1", NOT_NEGATIVE), ("uma", NOT_INTEGER)],
    "recordgroup": [("-7", NOT_NEGATIVE), ("x", NOT_INTEGER)],
    "retry": [("-1", NOT_NEGATIVE), ("60s", NOT_INTEGER)],
    "success": [("", SUCCESSES), ("answered", SUCCESSES)],
    "timegroup": [("-5", NOT_NEGATIVE), ("five", NOT_INTEGER)],
    "validation": [("2", "must be 0 or 1"), ("true", NOT_INTEGER)],
}


@pytest.mark.parametrize("name", ILL_FORMED)
async def test_an_ill_formed_value_is_400_with_its_key_and_message(client, name):
    for value, message in ILL_FORMED[name]:
        answer = await call(client, UPDATE, **{"id": 123, name: value})
        assert answer == (200, bad((name, message))), f"{name}={value!r}"
    assert await read_campaign(client, 123) == CAMPAIGNS[123]


async def test_a_missing_id_is_400(client):
    assert await call(client, UPDATE, name="x") == (200, bad(("id", "is required")))


DIGITS = "must be digits with an optional leading +"
SIP_URI = "must look like sip:user@host"
NEGATIVE = "may be negative only for a queue destination"

# Checks that need the campaign, by the key they fail on: (campaign, parameters, message).
FAILED_CHECKS: dict[str, list[tuple[int, dict[str, Any], str]]] = {
    # references are checked against the campaign's customer (Acme, 10, for 123 to 125)
    "owner": [
        (123, {"owner": 200}, "no such person"),  # Globex's person
        (123, {"owner": 20}, "no such person"),  # the reseller, of customer 2
        (123, {"owner": 999}, "no such person"),
    ],
    "timegroup": [
        (123, {"timegroup": 6}, "no such time group"),  # Globex's
        (123, {"timegroup": 99}, "no such time group"),
        (124, {"timegroup": 7}, "no such time group"),  # a record group's id
    ],
    "recordgroup": [
        (123, {"recordgroup": 8}, "no such record group"),  # Globex's
        (123, {"recordgroup": 5}, "no such record group"),  # a time group's id
    ],
    # dnumber, for each destination type's rule
    "dnumber": [
        (123, {"dnumber": "2001"}, "no such phone"),  # Globex's phone
        (123, {"dnumber": "500"}, "no such phone"),  # a queue, not a phone
        (123, {"dnumber": ""}, "no such phone"),
        (123, {"dnumber": "+1001"}, "no such phone"),
        (123, {"dnumber": "01001"}, "no such phone"),  # names no phone as written
        (124, {"dnumber": "600"}, "no such queue"),  # Globex's queue
        (124, {"dnumber": "1001"}, "no such queue"),
        (124, {"dnumber": "queue"}, "no such queue"),
        (125, {"dnumber": "abc"}, DIGITS),
        (125, {"dnumber": ""}, DIGITS),
        (125, {"dnumber": "+44 20"}, DIGITS),
        (125, {"dtype": "", "dnumber": "1-800"}, DIGITS),
        (123, {"dtype": "peer", "dnumber": ""}, "must not be empty"),
        (123, {"dtype": "sipuri", "dnumber": "alice@example.com"}, SIP_URI),
        (123, {"dtype": "sipuri", "dnumber": "sip:alice"}, SIP_URI),
        (123, {"dtype": "queue", "dnumber": "1001"}, "no such queue"),
        (124, {"dtype": "phone", "dnumber": "500"}, "no such phone"),
    ],
    # a negative keep_agents_available needs a queue destination
    "keep_agents_available": [
        (123, {"keep_agents_available": -1}, NEGATIVE),
        (125, {"keep_agents_available": -1}, NEGATIVE),
        (124, {"dtype": "phone", "dnumber": "1001", "keep_agents_available": -1}, NEGATIVE),
        (124, {"dtype": "forward", "keep_agents_available": -2}, NEGATIVE),
    ],
}


@pytest.mark.parametrize("key", FAILED_CHECKS)
async def test_a_reference_or_rule_that_fails_for_the_campaign_is_400(client, key):
    for campaign_id, params, message in FAILED_CHECKS[key]:
        answer = await call(client, UPDATE, id=campaign_id, **params)
        assert answer == (200, bad((key, message))), (campaign_id, params)
    for campaign_id in (123, 124, 125):
        assert await read_campaign(client, campaign_id) == CAMPAIGNS[campaign_id]


@pytest.mark.parametrize(
    ("campaign_id", "dtype", "why"),
    [
        (123, "queue", "no such queue"),  # phone 1001 is not a queue
        (123, "sipuri", "must look like sip:user@host"),
        (124, "phone", "no such phone"),  # queue 500 is not a phone
        (125, "phone", "no such phone"),  # +442071230000 is a number
        (125, "queue", "no such queue"),
    ],
)
async def test_a_new_dtype_that_the_current_dnumber_does_not_fit_needs_a_dnumber(
    client, campaign_id, dtype, why
):
    current = CAMPAIGNS[campaign_id]["dnumber"]
    message = f"does not fit the current dnumber '{current}' ({why}); send a dnumber too"
    assert await call(client, UPDATE, id=campaign_id, dtype=dtype) == (
        200,
        bad(("dtype", message)),
    )
    assert await read_campaign(client, campaign_id) == CAMPAIGNS[campaign_id]


async def test_a_dtype_change_to_peer_keeps_a_numeric_dnumber(client):
    # peer takes any non-empty text, so the current number fits it.
    assert await call(client, UPDATE, id=124, dtype="peer") == (200, OK_204)
    expected = campaign(124, dtype="peer", keep_agents_available=0)
    assert await read_campaign(client, 124) == expected


# -- several bad parameters ------------------------------------------------------------------


async def test_every_ill_formed_parameter_gets_its_entry_in_table_order(client):
    # Sent in the reverse of the vendor page's order; answered in the page's order.
    params = {
        "validation": "2",
        "timegroup": "-1",
        "success": "no",
        "retry": "soon",
        "recordgroup": "-1",
        "owner": "x",
        "name": "",
        "keep_agents_available": "1.0",
        "maximum": "0",
        "machine": "hangup",
        "enabled": "on",
        "dnumber": LONG,
        "dtype": "fax",
        "description": LONG,
        "callerid": "call me",
        "attempts": "0",
        "id": "one",
    }
    assert await call(client, UPDATE, **params) == (
        200,
        bad(
            ("id", NOT_INTEGER),
            ("attempts", "must be at least 1"),
            ("callerid", CALLERID),
            ("description", TOO_LONG),
            ("dtype", DTYPES),
            ("dnumber", TOO_LONG),
            ("enabled", NOT_INTEGER),
            ("machine", "must be empty or one of: failed, retry, success"),
            ("maximum", "must be at least 1"),
            ("keep_agents_available", NOT_INTEGER),
            ("name", "must not be empty"),
            ("owner", NOT_INTEGER),
            ("recordgroup", "must not be negative"),
            ("retry", NOT_INTEGER),
            ("success", "must be one of: answer, key"),
            ("timegroup", "must not be negative"),
            ("validation", "must be 0 or 1"),
        ),
    )
    assert await read_campaign(client, 123) == CAMPAIGNS[123]


async def test_every_failed_reference_gets_its_entry_in_table_order(client):
    answer = await call(client, UPDATE, id=123, **FOREIGN_REFERENCES)
    assert answer == (200, FOREIGN_REFERENCES_FAIL)
    assert await read_campaign(client, 123) == CAMPAIGNS[123]


async def test_one_bad_parameter_among_good_ones_changes_nothing(client):
    answer = await call(client, UPDATE, id=123, name="new", attempts=4, timegroup=6)
    assert answer == (200, bad(("timegroup", "no such time group")))
    assert await read_campaign(client, 123) == CAMPAIGNS[123]


# -- the order of checks: one request that breaks two adjacent rules -------------------------


REFERENCES = [
    {"timegroup": 99},
    {"owner": 999},
    {"recordgroup": 99},
    {"dnumber": "9999"},
    {"keep_agents_available": -1},
    {"dtype": "queue"},
]


@pytest.mark.parametrize(("user", "campaign_id"), [("user", 999), ("user", 200)])
async def test_404_comes_before_400_for_a_reference(client, user, campaign_id):
    for reference in REFERENCES:
        answer = await call(client, UPDATE, user=user, id=campaign_id, **reference)
        assert answer == (200, NOT_FOUND), reference


async def test_400_for_a_reference_comes_before_201(client):
    assert await call(client, UPDATE, id=123, timegroup=6, validation=1) == (
        200,
        bad(("timegroup", "no such time group")),
    )
    assert await call(client, UPDATE, id=123, keep_agents_available=-1, validation=1) == (
        200,
        bad(("keep_agents_available", "may be negative only for a queue destination")),
    )


# -- omitted and unknown parameters ----------------------------------------------------------


async def test_omitted_parameters_keep_their_value_but_keep_agents_available_goes_to_0(client):
    assert await read_campaign(client, 124) == CAMPAIGNS[124]  # 2 agents kept available
    assert await call(client, UPDATE, id=124) == (200, OK_204)
    assert await read_campaign(client, 124) == campaign(124, keep_agents_available=0)


async def test_omitting_keep_agents_available_zeroes_a_negative_value_too(client):
    assert await call(client, UPDATE, user="globex", id=201, name="Invites") == (200, OK_204)
    expected = campaign(201, name="Invites", keep_agents_available=0)
    assert await read_campaign(client, 201) == expected


async def test_every_parameter_at_once(client):
    params = {
        "attempts": 4,
        "callerid": "+15550001",
        "description": "All of it",
        "dtype": "queue",
        "dnumber": "500",
        "enabled": 1,
        "machine": "success",
        "maximum": 7,
        "keep_agents_available": -1,
        "name": "Everything",
        "owner": 101,
        "recordgroup": 7,
        "retry": 120,
        "success": "key",
        "timegroup": 0,
    }
    assert await call(client, UPDATE, id=123, validation=0, **params) == (200, OK_204)
    assert await read_campaign(client, 123) == campaign(123, **params)


async def test_unknown_parameters_are_ignored(client):
    params = {"calerid": "999", "attempt": "not a number", "customer": 20, "colour": ""}
    assert await call(client, UPDATE, id=123, name="typo", **params) == (200, OK_204)
    assert await read_campaign(client, 123) == campaign(123, name="typo")


async def test_an_unknown_parameter_alone_still_needs_an_id(client):
    assert await call(client, UPDATE, ids=123) == (200, bad(("id", "is required")))


async def test_before_4_2_keep_agents_available_is_an_unknown_parameter(serve):
    client = await serve(api_version="3.13")
    # Ignored when given, even ill-formed or negative, and not zeroed when omitted.
    assert await call(client, UPDATE, id=123, keep_agents_available="x") == (200, OK_204)
    assert await call(client, UPDATE, id=123, keep_agents_available=-4) == (200, OK_204)
    assert await call(client, UPDATE, id=124, name="Older") == (200, OK_204)
    assert await stored_campaign(client, 123) == CAMPAIGNS[123]
    assert await stored_campaign(client, 124) == campaign(124, name="Older")


# -- reach -----------------------------------------------------------------------------------


@pytest.mark.parametrize("campaign_id", [123, 124, 125, 200, 201])
async def test_a_reseller_reaches_the_customers_below_it(client, campaign_id):
    assert await call(client, UPDATE, user="reseller", id=campaign_id, name="R") == (200, OK_204)
    expected = campaign(campaign_id, name="R", keep_agents_available=0)
    assert await read_campaign(client, campaign_id) == expected


@pytest.mark.parametrize("campaign_id", sorted(CAMPAIGNS))
async def test_the_system_owner_reaches_every_campaign(client, campaign_id):
    assert await call(client, UPDATE, user="owner", id=campaign_id, name="O") == (200, OK_204)
    expected = campaign(campaign_id, name="O", keep_agents_available=0)
    assert await read_campaign(client, campaign_id) == expected


async def test_admin_updates_its_own_customers_campaign(client):
    assert await call(client, UPDATE, user="admin", id=125, enabled=1) == (200, OK_204)
    assert await read_campaign(client, 125) == campaign(125, enabled=1)


async def test_a_reseller_is_checked_against_the_campaigns_customer_not_its_own(client):
    # The reseller's own person (20) and Globex's time group are no references for Acme's 123.
    assert await call(client, UPDATE, user="reseller", id=123, owner=20, timegroup=6) == (
        200,
        bad(("owner", "no such person"), ("timegroup", "no such time group")),
    )
    # ...and Globex's records are right for Globex's campaign.
    params = {"owner": 200, "timegroup": 6, "recordgroup": 8, "dnumber": "2001"}
    assert await call(client, UPDATE, user="reseller", id=200, **params) == (200, OK_204)
    assert await read_campaign(client, 200) == campaign(200, **params)
    assert await read_campaign(client, 123) == CAMPAIGNS[123]


async def test_the_system_owner_is_checked_against_the_campaigns_customer(client):
    assert await call(client, UPDATE, user="owner", id=300, dnumber="1001", owner=1) == (
        200,
        bad(("dnumber", "no such phone"), ("owner", "no such person")),
    )
    assert await call(client, UPDATE, user="owner", id=300, owner=300) == (200, OK_204)
    assert await read_campaign(client, 300) == campaign(300, owner=300)
