"""bulk/destinations/update: setting statuses, all=1 or dnumbers, codes, reach.

The checks every function shares are in test_function_contract.py.
"""

from __future__ import annotations

import pytest

from tests.cast import DESTINATIONS, IN_REACH, destinations
from tests.helpers import (
    OK_204,
    VALIDATED,
    bad,
    call,
    call_bytes,
    counted,
    every_destination,
    read_destinations,
)

UPDATE = "bulk/destinations/update"

NOT_A_NUMBER = "must be digits with an optional leading +"
STATUSES = "must be one of: pending, success, failed, cancelled"
NEEDS_DNUMBERS = ("dnumbers", "is required unless all=1")
NOT_BOTH = ("all", "must not be 1 when dnumbers is given")


def every(campaign_id: int, status: str) -> dict[str, str]:
    return {dnumber: status for dnumber in DESTINATIONS[campaign_id]}


async def assert_nothing_changed(client) -> None:
    assert await every_destination(client) == DESTINATIONS


# -- every response code ---------------------------------------------------------------------


@pytest.mark.parametrize("status", ["pending", "success", "failed", "cancelled"])
async def test_200_with_all_1_sets_every_destination_of_the_campaign(client, status):
    assert await call(client, UPDATE, campaign=123, all=1, status=status) == (200, counted(5))
    assert await every_destination(client) == {**DESTINATIONS, 123: every(123, status)}


async def test_200_with_dnumbers_sets_those_named(client):
    assert await call(
        client, UPDATE, campaign=124, dnumbers="2125550121,+442071230123", status="success"
    ) == (200, counted(2))
    changes = {"2125550121": "success", "+442071230123": "success"}
    assert await every_destination(client) == {**DESTINATIONS, 124: destinations(124, changes)}


async def test_a_destination_that_already_has_the_status_is_counted(client):
    assert await call(client, UPDATE, campaign=123, dnumbers="2125550111", status="pending") == (
        200,
        counted(1),
    )
    await assert_nothing_changed(client)


async def test_numbers_the_campaign_does_not_have_are_skipped_and_not_counted(client):
    # 2125550121 belongs to campaign 124, not 123; 2125550999 to none.
    assert await call(
        client,
        UPDATE,
        campaign=123,
        dnumbers="2125550999,2125550114,2125550121",
        status="cancelled",
    ) == (200, counted(1))
    assert await every_destination(client) == {
        **DESTINATIONS,
        123: destinations(123, {"2125550114": "cancelled"}),
    }


async def test_a_number_listed_twice_is_counted_once(client):
    assert await call(
        client, UPDATE, campaign=123, dnumbers="2125550111,2125550111", status="failed"
    ) == (200, counted(1))
    assert await read_destinations(client, 123) == destinations(123, {"2125550111": "failed"})


async def test_no_match_counts_0(client):
    assert await call(client, UPDATE, campaign=123, dnumbers="1", status="failed") == (
        200,
        counted(0),
    )
    # A campaign without destinations, all=1.
    assert await call(client, "bulk/destinations/delete", campaign=125, all=1) == (200, OK_204)
    assert await call(client, UPDATE, campaign=125, all=1, status="failed") == (200, counted(0))


async def test_all_0_with_dnumbers_is_a_list_update(client):
    assert await call(
        client, UPDATE, campaign=123, all=0, dnumbers="2125550115", status="pending"
    ) == (200, counted(1))
    assert await read_destinations(client, 123) == destinations(123, {"2125550115": "pending"})


async def test_the_count_is_a_json_number(client):
    assert await call_bytes(client, UPDATE, campaign=123, all=1, status="failed") == (
        b'{"responses":[{"code":"200","key":"","message":"OK"}],"data":{"count":5}}'
    )


async def test_thousands_of_numbers_in_one_post(client):
    numbers = [str(2125550000 + n) for n in range(5000)]  # 2125550111..115 among them
    assert await call(
        client, UPDATE, method="POST", campaign=123, dnumbers=",".join(numbers), status="failed"
    ) == (200, counted(5))
    assert await read_destinations(client, 123) == every(123, "failed")


@pytest.mark.parametrize("selection", [{"all": 1}, {"dnumbers": "2125550111"}])
async def test_201_with_validation_1_changes_nothing(client, selection):
    assert await call(client, UPDATE, campaign=123, status="failed", validation=1, **selection) == (
        200,
        VALIDATED,
    )
    await assert_nothing_changed(client)


# -- parameters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"all": 1, "status": "failed"}, bad(("campaign", "is required"))),
        ({"campaign": "x", "all": 1, "status": "failed"}, bad(("campaign", "must be an integer"))),
        ({"campaign": "", "all": 1, "status": "failed"}, bad(("campaign", "must be an integer"))),
        ({"campaign": 123, "all": 1}, bad(("status", "is required"))),
        ({"campaign": 123, "all": 1, "status": "done"}, bad(("status", STATUSES))),
        ({"campaign": 123, "all": 1, "status": ""}, bad(("status", STATUSES))),
        # all=1 or dnumbers: exactly one of them
        ({"campaign": 123, "status": "failed"}, bad(NEEDS_DNUMBERS)),
        ({"campaign": 123, "all": 0, "status": "failed"}, bad(NEEDS_DNUMBERS)),
        ({"campaign": 123, "dnumber": "1", "status": "failed"}, bad(NEEDS_DNUMBERS)),
        ({"campaign": 123, "all": 1, "dnumbers": "1", "status": "failed"}, bad(NOT_BOTH)),
        ({"campaign": 123, "all": 2, "status": "failed"}, bad(("all", "must be 0 or 1"))),
        ({"campaign": 123, "all": "", "status": "failed"}, bad(("all", "must be an integer"))),
        (
            {"campaign": 123, "all": 2, "dnumbers": "1", "status": "failed"},
            bad(("all", "must be 0 or 1")),
        ),
        (
            {"campaign": 123, "dnumbers": "", "status": "failed"},
            bad(("dnumbers", "must list at least one entry")),
        ),
        (
            {"campaign": 123, "dnumbers": "1,x", "status": "failed"},
            bad(("dnumbers", f"entry 2 ('x') {NOT_A_NUMBER}")),
        ),
        (
            {"campaign": 123, "all": 1, "dnumbers": "x", "status": "failed"},
            bad(("dnumbers", f"entry 1 ('x') {NOT_A_NUMBER}")),
        ),
        (
            {"campaign": 123, "all": 1, "status": "failed", "validation": 2},
            bad(("validation", "must be 0 or 1")),
        ),
        (
            {"validation": "x", "status": "x", "campaign": "x"},
            bad(
                ("campaign", "must be an integer"),
                NEEDS_DNUMBERS,
                ("status", STATUSES),
                ("validation", "must be an integer"),
            ),
        ),
        (
            {"validation": "x", "status": "x", "dnumbers": "1", "all": 1, "campaign": "x"},
            bad(
                ("campaign", "must be an integer"),
                NOT_BOTH,
                ("status", STATUSES),
                ("validation", "must be an integer"),
            ),
        ),
    ],
)
async def test_400_for_ill_formed_parameters(client, params, expected):
    assert await call(client, UPDATE, **params) == (200, expected)
    await assert_nothing_changed(client)


async def test_unknown_parameters_are_ignored(client):
    assert await call(client, UPDATE, campaign=125, all=1, status="failed", id=123, count=1) == (
        200,
        counted(2),
    )
    assert await every_destination(client) == {**DESTINATIONS, 125: every(125, "failed")}


# -- reach -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("user", "campaign_id"), IN_REACH)
async def test_whoever_reaches_the_campaign_updates_it(client, user, campaign_id):
    assert await call(
        client, UPDATE, user=user, campaign=campaign_id, all=1, status="cancelled"
    ) == (200, counted(len(DESTINATIONS[campaign_id])))
    assert await every_destination(client) == {
        **DESTINATIONS,
        campaign_id: every(campaign_id, "cancelled"),
    }
