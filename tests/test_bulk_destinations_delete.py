"""bulk/destinations/delete: one dnumber or all=1, codes, reach.

The checks every function shares are in test_function_contract.py.
"""

from __future__ import annotations

import pytest

from tests.cast import CAMPAIGNS, DESTINATIONS, IN_REACH, OUT_OF_REACH, destinations
from tests.helpers import (
    OK_204,
    VALIDATED,
    bad,
    call,
    envelope,
    every_destination,
    no_campaign,
    read_campaign,
)

DELETE = "bulk/destinations/delete"

NOT_FOUND = no_campaign("delete its destinations")
NO_DESTINATION = envelope(("404", "", "The destination does not exist."))
NOT_A_NUMBER = "must be digits with an optional leading +"
NEEDS_DNUMBER = ("dnumber", "is required unless all=1")
NOT_BOTH = ("all", "must not be 1 when dnumber is given")


async def assert_nothing_deleted(client) -> None:
    assert await every_destination(client) == DESTINATIONS


# -- every response code ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("campaign_id", "dnumber"),
    [(123, "2125550111"), (123, "2125550115"), (124, "+442071230123"), (125, "2125550132")],
)
async def test_204_deletes_that_destination_and_nothing_else(client, campaign_id, dnumber):
    assert await call(client, DELETE, campaign=campaign_id, dnumber=dnumber) == (200, OK_204)
    assert await every_destination(client) == {
        **DESTINATIONS,
        campaign_id: destinations(campaign_id, {dnumber: None}),
    }


async def test_204_with_all_1_deletes_every_destination_of_the_campaign(client):
    assert await call(client, DELETE, campaign=123, all=1) == (200, OK_204)
    assert await every_destination(client) == {**DESTINATIONS, 123: {}}
    # The campaign itself stays.
    assert await read_campaign(client, 123) == CAMPAIGNS[123]


async def test_all_1_on_a_campaign_without_destinations_is_still_204(client):
    assert await call(client, DELETE, campaign=125, all=1) == (200, OK_204)
    assert await call(client, DELETE, campaign=125, all=1) == (200, OK_204)


async def test_all_0_with_a_dnumber_deletes_that_one(client):
    assert await call(client, DELETE, campaign=123, all=0, dnumber="2125550113") == (200, OK_204)
    assert await every_destination(client) == {
        **DESTINATIONS,
        123: destinations(123, {"2125550113": None}),
    }


@pytest.mark.parametrize(
    ("campaign_id", "dnumber"),
    [
        (123, "2125550999"),  # no such number anywhere
        (123, "2125550121"),  # a destination of campaign 124, not 123
        (124, "442071230123"),  # +442071230123 is; without the + it is another number
        (123, "02125550111"),  # a dnumber is text: leading zeros make another one
    ],
)
async def test_404_for_a_destination_the_campaign_does_not_have(client, campaign_id, dnumber):
    assert await call(client, DELETE, campaign=campaign_id, dnumber=dnumber) == (
        200,
        NO_DESTINATION,
    )
    await assert_nothing_deleted(client)


async def test_deleting_a_destination_twice_is_404_the_second_time(client):
    assert await call(client, DELETE, campaign=123, dnumber="2125550111") == (200, OK_204)
    assert await call(client, DELETE, campaign=123, dnumber="2125550111") == (200, NO_DESTINATION)


@pytest.mark.parametrize("selection", [{"all": 1}, {"dnumber": "2125550111"}])
async def test_201_with_validation_1_deletes_nothing(client, selection):
    assert await call(client, DELETE, campaign=123, validation=1, **selection) == (200, VALIDATED)
    await assert_nothing_deleted(client)


# -- parameters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"all": 1}, bad(("campaign", "is required"))),
        ({"campaign": "x", "all": 1}, bad(("campaign", "must be an integer"))),
        ({"campaign": "", "all": 1}, bad(("campaign", "must be an integer"))),
        # all=1 or one dnumber: exactly one of them
        ({"campaign": 123}, bad(NEEDS_DNUMBER)),
        ({"campaign": 123, "all": 0}, bad(NEEDS_DNUMBER)),
        ({"campaign": 123, "dnumbers": "2125550111"}, bad(NEEDS_DNUMBER)),  # the plural is unknown
        ({"campaign": 123, "all": 1, "dnumber": "2125550111"}, bad(NOT_BOTH)),
        ({"campaign": 123, "all": 2}, bad(("all", "must be 0 or 1"))),
        ({"campaign": 123, "all": "yes"}, bad(("all", "must be an integer"))),
        ({"campaign": 123, "dnumber": ""}, bad(("dnumber", NOT_A_NUMBER))),
        ({"campaign": 123, "dnumber": "12ab"}, bad(("dnumber", NOT_A_NUMBER))),
        # one number only: a list is not a number
        ({"campaign": 123, "dnumber": "2125550111,2125550112"}, bad(("dnumber", NOT_A_NUMBER))),
        (
            {"campaign": 123, "dnumber": "1" * 256},
            bad(("dnumber", "must be at most 255 characters")),
        ),
        ({"campaign": 123, "all": 1, "validation": 2}, bad(("validation", "must be 0 or 1"))),
        (
            {"validation": "x", "dnumber": "x", "campaign": "x"},
            bad(
                ("campaign", "must be an integer"),
                ("dnumber", NOT_A_NUMBER),
                ("validation", "must be an integer"),
            ),
        ),
        (
            {"validation": "x", "campaign": "x"},
            bad(
                ("campaign", "must be an integer"),
                NEEDS_DNUMBER,
                ("validation", "must be an integer"),
            ),
        ),
    ],
)
async def test_400_for_ill_formed_parameters(client, params, expected):
    assert await call(client, DELETE, **params) == (200, expected)
    await assert_nothing_deleted(client)


async def test_unknown_parameters_are_ignored(client):
    assert await call(client, DELETE, campaign=125, all=1, id=123, status="failed") == (
        200,
        OK_204,
    )
    assert await every_destination(client) == {**DESTINATIONS, 125: {}}


async def test_a_post_works_too(client):
    assert await call(client, DELETE, method="POST", campaign=124, dnumber="+442071230123") == (
        200,
        OK_204,
    )
    assert await every_destination(client) == {
        **DESTINATIONS,
        124: destinations(124, {"+442071230123": None}),
    }


# -- reach -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("user", "campaign_id"), IN_REACH)
async def test_whoever_reaches_the_campaign_deletes_from_it(client, user, campaign_id):
    assert await call(client, DELETE, user=user, campaign=campaign_id, all=1) == (200, OK_204)
    assert await every_destination(client) == {**DESTINATIONS, campaign_id: {}}


# -- the order of the checks -----------------------------------------------------------------


@pytest.mark.parametrize(("user", "campaign_id"), OUT_OF_REACH)
async def test_the_campaigns_404_comes_before_the_destinations(client, user, campaign_id):
    # Even a number the hidden campaign has (Globex's 200): the caller learns nothing about it.
    assert await call(client, DELETE, user=user, campaign=campaign_id, dnumber="3125550201") == (
        200,
        NOT_FOUND,
    )
    await assert_nothing_deleted(client)


async def test_404_comes_before_201(client):
    assert await call(client, DELETE, campaign=999, all=1, validation=1) == (200, NOT_FOUND)
    assert await call(client, DELETE, campaign=123, dnumber="1", validation=1) == (
        200,
        NO_DESTINATION,
    )
