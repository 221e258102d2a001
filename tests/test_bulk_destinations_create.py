"""bulk/destinations/create: adding numbers to a campaign, replacing, codes, reach, order."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cast import DESTINATIONS, destinations
from tests.helpers import call, envelope, every_destination, read_destinations

CREATE = "bulk/destinations/create"

VALIDATED = envelope(("201", "", "OK"))
NOT_AUTHENTICATED = envelope(("401", "", "The authentication details provided are invalid."))
ROLE_FORBIDS = envelope(("402", "", "Your role does not allow this."))
RATEPLAN_FORBIDS = envelope(("403", "", "Your rate plan does not allow this."))
NOT_FOUND = envelope(
    (
        "404",
        "",
        "The campaign does not exist, or you do not have permission to add destinations to it.",
    )
)
NOT_A_NUMBER = "must be digits with an optional leading +"
STATUSES = "must be one of: pending, success, failed, cancelled"


def counted(count: int) -> dict[str, Any]:
    return envelope(("200", "", "OK"), data={"count": count})


def bad(*entries: tuple[str, str]) -> dict[str, Any]:
    """A 400 envelope: one (key, message) per bad parameter."""
    return envelope(*(("400", key, message) for key, message in entries))


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
    response = await client.get(
        f"/api/json/{CREATE}/",
        params={
            "auth_username": "user",
            "auth_password": "password",
            "campaign": "123",
            "dnumbers": "1,2,3",
        },
    )
    assert await response.read() == (
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


async def test_201_with_validation_1_changes_nothing(client):
    assert await call(client, CREATE, campaign=123, dnumbers="1,2113", validation=1) == (
        200,
        VALIDATED,
    )
    await assert_nothing_changed(client)


async def test_validation_0_is_a_full_create(client):
    assert await call(client, CREATE, campaign=123, dnumbers="5", validation=0) == (
        200,
        counted(1),
    )
    assert await read_destinations(client, 123) == destinations(123, {"5": "pending"})


@pytest.mark.parametrize(
    ("auth", "why"),
    [
        ({"auth_username": "nobody", "auth_password": "password"}, "unknown user"),
        ({"auth_username": "user", "auth_password": "wrong"}, "wrong password"),
        ({"auth_username": "user", "auth_password": ""}, "empty password"),
        ({"auth_password": "password"}, "missing username"),
        ({"auth_username": "user"}, "missing password"),
        ({}, "missing both"),
    ],
)
async def test_401_for_bad_credentials(client, auth, why):
    assert await call(client, CREATE, user=None, campaign=123, dnumbers="1", **auth) == (
        200,
        NOT_AUTHENTICATED,
    ), why
    await assert_nothing_changed(client)


async def test_402_for_a_role_without_the_user_privilege(client):
    assert await call(client, CREATE, user="viewer", campaign=123, dnumbers="1") == (
        200,
        ROLE_FORBIDS,
    )
    await assert_nothing_changed(client)


async def test_403_for_a_rate_plan_without_bulk_dialling(client):
    assert await call(client, CREATE, user="initech", campaign=300, dnumbers="1") == (
        200,
        RATEPLAN_FORBIDS,
    )
    await assert_nothing_changed(client)


@pytest.mark.parametrize(
    ("user", "campaign_id"),
    [
        ("user", 999),  # no such campaign
        ("user", 0),
        ("user", -123),
        ("user", 200),  # Globex's, out of Acme's reach
        ("admin", 201),  # an administrator reaches only their own customer too
        ("globex", 123),  # Acme's, out of Globex's reach
        ("reseller", 300),  # Initech is not below the reseller
    ],
)
async def test_404_for_a_missing_campaign_or_one_out_of_reach(client, user, campaign_id):
    assert await call(client, CREATE, user=user, campaign=campaign_id, dnumbers="1") == (
        200,
        NOT_FOUND,
    )
    await assert_nothing_changed(client)


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


@pytest.mark.parametrize(
    ("user", "campaign_id"),
    [
        ("admin", 124),
        ("globex", 201),
        ("reseller", 123),
        ("reseller", 200),
        ("owner", 300),
    ],
)
async def test_whoever_reaches_the_campaign_adds_to_it(client, user, campaign_id):
    assert await call(client, CREATE, user=user, campaign=campaign_id, dnumbers="42") == (
        200,
        counted(1),
    )
    assert await every_destination(client) == {
        **DESTINATIONS,
        campaign_id: destinations(campaign_id, {"42": "pending"}),
    }


# -- the order of the checks -----------------------------------------------------------------


async def test_401_comes_before_everything_else(client):
    auth = {"auth_username": "viewer", "auth_password": "wrong"}
    assert await call(client, CREATE, user=None, campaign="x", **auth) == (200, NOT_AUTHENTICATED)


async def test_402_comes_before_403_and_400(client):
    assert await call(client, CREATE, user="viewer", campaign="x") == (200, ROLE_FORBIDS)


async def test_403_comes_before_400(client):
    assert await call(client, CREATE, user="initech", campaign="x") == (200, RATEPLAN_FORBIDS)


@pytest.mark.parametrize(("user", "campaign_id"), [("user", 999), ("user", 200)])
async def test_400_comes_before_404(client, user, campaign_id):
    assert await call(client, CREATE, user=user, campaign=campaign_id, dnumbers="1x") == (
        200,
        bad(("dnumbers", f"entry 1 ('1x') {NOT_A_NUMBER}")),
    )


@pytest.mark.parametrize(("user", "campaign_id"), [("user", 999), ("user", 200)])
async def test_404_comes_before_201(client, user, campaign_id):
    assert await call(
        client, CREATE, user=user, campaign=campaign_id, dnumbers="1", validation=1
    ) == (200, NOT_FOUND)
