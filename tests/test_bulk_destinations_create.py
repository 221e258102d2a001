"""bulk/destinations/create: adding numbers to a campaign, replacing, codes, reach.

The checks every function shares are in test_function_contract.py.
"""

from __future__ import annotations

import pytest

from tests.cast import DESTINATIONS, IN_REACH, destinations
from tests.helpers import bad, call, call_bytes, counted, every_destination, read_destinations

CREATE = "bulk/destinations/create"

NOT_A_NUMBER = "must be digits with an optional leading +"
STATUSES = "must be one of: pending, success, failed, cancelled"


async def assert_nothing_changed(client) -> None:
    assert await every_destination(client) == DESTINATIONS


# -- every response code ---------------------------------------------------------------------


async def test_200_adds_pending_destinations_and_counts_them(client):
    assert await call(client, CREATE, campaign=123, dnumbers="2125550191,+442071230999") == (
        200,
        counted(2),
    )
    added = {"2125550191": "pending", "+442071230999": "pending"}
    assert await every_destination(client) == {**DESTINATIONS, 123: destinations(123, added)}


async def test_the_count_is_a_json_number(client):
    assert await call_bytes(client, CREATE, campaign=123, dnumbers="1,2,3") == (
        b'{"responses":[{"code":"200","key":"","message":"OK"}],"data":{"count":3}}'
    )


@pytest.mark.parametrize("status", ["pending", "success", "failed", "cancelled"])
async def test_each_status_can_be_given(client, status):
    assert await call(client, CREATE, campaign=125, dnumbers="1,2", status=status) == (
        200,
        counted(2),
    )
    assert await read_destinations(client, 125) == destinations(125, {"1": status, "2": status})


async def test_a_number_the_campaign_has_is_replaced_and_counted(client):
    assert await call(
        client, CREATE, campaign=123, dnumbers="2125550113,2125550199", status="failed"
    ) == (200, counted(2))
    changes = {"2125550113": "failed", "2125550199": "failed"}
    assert await every_destination(client) == {**DESTINATIONS, 123: destinations(123, changes)}


async def test_replacing_without_a_status_sets_it_back_to_pending(client):
    assert await call(client, CREATE, campaign=123, dnumbers="2125550113") == (200, counted(1))
    assert await read_destinations(client, 123) == destinations(123, {"2125550113": "pending"})


async def test_a_number_listed_twice_is_one_destination(client):
    assert await call(client, CREATE, campaign=125, dnumbers="7,8,7,7") == (200, counted(2))
    assert await read_destinations(client, 125) == destinations(
        125, {"7": "pending", "8": "pending"}
    )


async def test_the_same_number_may_be_in_several_campaigns(client):
    # 2125550121 is a destination of 124 already; 123 gets its own.
    assert await call(client, CREATE, campaign=123, dnumbers="2125550121", status="success") == (
        200,
        counted(1),
    )
    assert await every_destination(client) == {
        **DESTINATIONS,
        123: destinations(123, {"2125550121": "success"}),
    }


async def test_thousands_of_numbers_in_one_post(client):
    numbers = [f"+4420{n:07d}" for n in range(5000)]
    assert await call(
        client, CREATE, method="POST", campaign=300, user="owner", dnumbers=",".join(numbers)
    ) == (200, counted(5000))
    found = await read_destinations(client, 300)
    assert len(found) == 5002
    assert {found[n] for n in numbers} == {"pending"}


async def test_validation_0_is_a_full_create(client):
    assert await call(client, CREATE, campaign=123, dnumbers="5", validation=0) == (
        200,
        counted(1),
    )
    assert await read_destinations(client, 123) == destinations(123, {"5": "pending"})


# -- parameters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"dnumbers": "1"}, bad(("campaign", "is required"))),
        ({"campaign": "", "dnumbers": "1"}, bad(("campaign", "must be an integer"))),
        ({"campaign": "abc", "dnumbers": "1"}, bad(("campaign", "must be an integer"))),
        ({"campaign": "1.5", "dnumbers": "1"}, bad(("campaign", "must be an integer"))),
        ({"campaign": 123}, bad(("dnumbers", "is required"))),
        ({"campaign": 123, "dnumber": "1"}, bad(("dnumbers", "is required"))),
        ({"campaign": 123, "dnumbers": ""}, bad(("dnumbers", "must list at least one entry"))),
        (
            {"campaign": 123, "dnumbers": "2125550100,12ab"},
            bad(("dnumbers", f"entry 2 ('12ab') {NOT_A_NUMBER}")),
        ),
        (
            {"campaign": 123, "dnumbers": "1,,2"},
            bad(("dnumbers", f"entry 2 ('') {NOT_A_NUMBER}")),
        ),
        ({"campaign": 123, "dnumbers": "1,"}, bad(("dnumbers", f"entry 2 ('') {NOT_A_NUMBER}"))),
        (
            {"campaign": 123, "dnumbers": "1, 2"},  # no spaces: they are not digits
            bad(("dnumbers", f"entry 2 (' 2') {NOT_A_NUMBER}")),
        ),
        (
            {"campaign": 123, "dnumbers": "1;2"},  # sent as 1%3B2: only a comma separates
            bad(("dnumbers", f"entry 1 ('1;2') {NOT_A_NUMBER}")),
        ),
        (
            {"campaign": 123, "dnumbers": "a,2,b,c"},
            bad(("dnumbers", f"entry 1 ('a') {NOT_A_NUMBER}; 2 more entries are invalid")),
        ),
        (
            {"campaign": 123, "dnumbers": "+"},
            bad(("dnumbers", f"entry 1 ('+') {NOT_A_NUMBER}")),
        ),
        (
            {"campaign": 123, "dnumbers": "1" * 256},
            bad(("dnumbers", f"entry 1 ('{'1' * 256}') must be at most 255 characters")),
        ),
        ({"campaign": 123, "dnumbers": "1", "status": "done"}, bad(("status", STATUSES))),
        ({"campaign": 123, "dnumbers": "1", "status": ""}, bad(("status", STATUSES))),
        ({"campaign": 123, "dnumbers": "1", "status": "Pending"}, bad(("status", STATUSES))),
        (
            {"campaign": 123, "dnumbers": "1", "validation": 2},
            bad(("validation", "must be 0 or 1")),
        ),
        (
            {"campaign": "x", "dnumbers": "x", "status": "x", "validation": "x"},
            bad(
                ("campaign", "must be an integer"),
                ("dnumbers", f"entry 1 ('x') {NOT_A_NUMBER}"),
                ("status", STATUSES),
                ("validation", "must be an integer"),
            ),
        ),
    ],
)
async def test_400_for_ill_formed_parameters(client, params, expected):
    assert await call(client, CREATE, **params) == (200, expected)
    await assert_nothing_changed(client)


async def test_unknown_parameters_are_ignored(client):
    assert await call(client, CREATE, campaign=125, dnumbers="9", all=1, id=123) == (
        200,
        counted(1),
    )
    assert await every_destination(client) == {
        **DESTINATIONS,
        125: destinations(125, {"9": "pending"}),
    }


# -- reach -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("user", "campaign_id"), IN_REACH)
async def test_whoever_reaches_the_campaign_adds_to_it(client, user, campaign_id):
    assert await call(client, CREATE, user=user, campaign=campaign_id, dnumbers="42") == (
        200,
        counted(1),
    )
    assert await every_destination(client) == {
        **DESTINATIONS,
        campaign_id: destinations(campaign_id, {"42": "pending"}),
    }
