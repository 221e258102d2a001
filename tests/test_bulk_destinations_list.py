"""bulk/destinations/list: rows, count, paging, sorting, codes, reach.

The checks every function shares are in test_function_contract.py.
"""

from __future__ import annotations

import pytest

from tests.cast import DESTINATIONS, IN_REACH, OUT_OF_REACH, rows
from tests.helpers import OK_204, bad, call, call_bytes, no_campaign, ok

LIST = "bulk/destinations/list"

NOT_FOUND = no_campaign("view its destinations")
# Campaign 123 by dnumber, as seeded.
R111, R112, R113, R114, R115 = rows(123, DESTINATIONS[123])


# -- every response code ---------------------------------------------------------------------


@pytest.mark.parametrize("campaign_id", [123, 124, 125])
async def test_200_with_every_destination_sorted_by_dnumber(client, campaign_id):
    assert await call(client, LIST, campaign=campaign_id) == (
        200,
        ok(rows(campaign_id, DESTINATIONS[campaign_id])),
    )


async def test_the_whole_answer_byte_for_byte(client):
    assert await call_bytes(client, LIST, campaign=125) == (
        b'{"responses":[{"code":"200","key":"","message":"OK"}],"data":['
        b'{"campaign":125,"dtype":"","dnumber":"2125550131","status":"pending"},'
        b'{"campaign":125,"dtype":"","dnumber":"2125550132","status":"cancelled"}]}'
    )


async def test_a_number_with_a_plus_sorts_before_digits_as_text_does(client):
    assert await call(client, LIST, campaign=124) == (
        200,
        ok(
            [
                {"campaign": 124, "dtype": "", "dnumber": "+442071230123", "status": "pending"},
                {"campaign": 124, "dtype": "", "dnumber": "2125550121", "status": "pending"},
                {"campaign": 124, "dtype": "", "dnumber": "2125550122", "status": "success"},
                {"campaign": 124, "dtype": "", "dnumber": "2125550124", "status": "failed"},
            ]
        ),
    )


async def test_a_campaign_without_destinations_lists_an_empty_array(client):
    assert await call(client, "bulk/destinations/delete", campaign=125, all=1) == (200, OK_204)
    assert await call(client, LIST, campaign=125) == (200, ok([]))
    assert await call(client, LIST, campaign=125, count=1) == (200, ok({"count": 0}))


async def test_count_1_answers_the_number_of_destinations_only(client):
    assert await call(client, LIST, campaign=123, count=1) == (200, ok({"count": 5}))


async def test_count_ignores_paging_and_sorting(client):
    params = {"limit": 2, "offset": 1, "sort": "status", "descending": 1}
    assert await call(client, LIST, campaign=123, count=1, **params) == (200, ok({"count": 5}))


async def test_count_0_lists_rows(client):
    assert await call(client, LIST, campaign=125, count=0) == (
        200,
        ok(rows(125, DESTINATIONS[125])),
    )


async def test_the_list_follows_changes(client):
    added = await call(
        client, "bulk/destinations/create", campaign=125, dnumbers="1", status="failed"
    )
    assert added == (200, ok({"count": 1}))
    updated = await call(client, "bulk/destinations/update", campaign=125, all=1, status="success")
    assert updated == (200, ok({"count": 3}))
    everything = dict.fromkeys(["1", *DESTINATIONS[125]], "success")
    assert await call(client, LIST, campaign=125) == (200, ok(rows(125, everything)))


@pytest.mark.parametrize(("user", "campaign_id"), OUT_OF_REACH)
async def test_count_1_is_404_too_for_a_campaign_missing_or_out_of_reach(client, user, campaign_id):
    assert await call(client, LIST, user=user, campaign=campaign_id, count=1) == (200, NOT_FOUND)


# -- paging and sorting ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"limit": 2}, [R111, R112]),
        ({"limit": 5}, [R111, R112, R113, R114, R115]),
        ({"limit": 500}, [R111, R112, R113, R114, R115]),
        ({"offset": 0}, [R111, R112, R113, R114, R115]),
        ({"offset": 3}, [R114, R115]),
        ({"offset": 5}, []),
        ({"offset": 99}, []),
        ({"limit": 2, "offset": 2}, [R113, R114]),
        ({"limit": 2, "offset": 4}, [R115]),
        ({"sort": "dnumber"}, [R111, R112, R113, R114, R115]),
        ({"descending": 0}, [R111, R112, R113, R114, R115]),
        ({"descending": 1}, [R115, R114, R113, R112, R111]),
        # by status as text (cancelled, failed, pending, success), then by dnumber
        ({"sort": "status"}, [R115, R114, R111, R112, R113]),
        # descending reverses the whole order, the dnumbers within a status too
        ({"sort": "status", "descending": 1}, [R113, R112, R111, R114, R115]),
        ({"sort": "status", "limit": 2, "offset": 2}, [R111, R112]),
        ({"sort": "dnumber", "descending": 1, "limit": 2, "offset": 1}, [R114, R113]),
    ],
)
async def test_paging_and_sorting(client, params, expected):
    assert await call(client, LIST, campaign=123, **params) == (200, ok(expected))


async def test_pages_cover_the_list_exactly_once(client):
    numbers = [f"2125551{n:03d}" for n in range(47)]
    added = await call(client, "bulk/destinations/create", campaign=125, dnumbers=",".join(numbers))
    assert added == (200, ok({"count": 47}))
    everything = rows(125, {**DESTINATIONS[125], **dict.fromkeys(numbers, "pending")})
    for offset in range(0, 60, 10):
        assert await call(client, LIST, campaign=125, limit=10, offset=offset) == (
            200,
            ok(everything[offset : offset + 10]),
        )


# -- parameters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, bad(("campaign", "is required"))),
        ({"campaign": ""}, bad(("campaign", "must be an integer"))),
        ({"campaign": "abc"}, bad(("campaign", "must be an integer"))),
        ({"campaign": "1.5"}, bad(("campaign", "must be an integer"))),
        ({"campaign": 123, "count": 2}, bad(("count", "must be 0 or 1"))),
        ({"campaign": 123, "count": "yes"}, bad(("count", "must be an integer"))),
        ({"campaign": 123, "limit": 0}, bad(("limit", "must be at least 1"))),
        ({"campaign": 123, "limit": -1}, bad(("limit", "must be at least 1"))),
        ({"campaign": 123, "limit": ""}, bad(("limit", "must be an integer"))),
        ({"campaign": 123, "limit": "ten"}, bad(("limit", "must be an integer"))),
        ({"campaign": 123, "offset": -1}, bad(("offset", "must not be negative"))),
        ({"campaign": 123, "offset": "1.0"}, bad(("offset", "must be an integer"))),
        ({"campaign": 123, "sort": "name"}, bad(("sort", "must be one of: dnumber, status"))),
        ({"campaign": 123, "sort": ""}, bad(("sort", "must be one of: dnumber, status"))),
        ({"campaign": 123, "sort": "Status"}, bad(("sort", "must be one of: dnumber, status"))),
        ({"campaign": 123, "descending": 2}, bad(("descending", "must be 0 or 1"))),
        (
            {"descending": "x", "sort": "x", "offset": "x", "limit": "x", "count": "x"},
            bad(
                ("campaign", "is required"),
                ("count", "must be an integer"),
                ("limit", "must be an integer"),
                ("offset", "must be an integer"),
                ("sort", "must be one of: dnumber, status"),
                ("descending", "must be an integer"),
            ),
        ),
    ],
)
async def test_400_for_ill_formed_parameters(client, params, expected):
    assert await call(client, LIST, **params) == (200, expected)


async def test_unknown_parameters_are_ignored(client):
    params = {"id": 124, "status": "failed", "order": "desc", "customer": 20}
    assert await call(client, LIST, campaign=125, **params) == (
        200,
        ok(rows(125, DESTINATIONS[125])),
    )


async def last_unknown(client) -> list[str]:
    response = await client.get("/_mock/calls", params={"order": "desc", "limit": "1"})
    return (await response.json())["calls"][0]["unknown"]


@pytest.mark.parametrize("pages", ["0", "1"])
async def test_pages_is_known_in_4_4_and_the_rows_stay_whole(client, pages):
    # 4.4 documents pages=1 as "reduced data for a pager" without saying what is left out:
    # mockswitch accepts it and answers the same rows.
    assert await call(client, LIST, campaign=125, pages=pages) == (
        200,
        ok(rows(125, DESTINATIONS[125])),
    )
    assert await last_unknown(client) == []


async def test_pages_is_checked_in_4_4(client):
    assert await call(client, LIST, campaign=125, pages="2") == (
        200,
        bad(("pages", "must be 0 or 1")),
    )


@pytest.mark.parametrize("version", ["3.13", "4.2"])
async def test_before_4_4_pages_is_unknown_and_ignored(serve, version):
    client = await serve(api_version=version)
    assert await call(client, LIST, campaign=125, pages="x") == (
        200,
        ok(rows(125, DESTINATIONS[125])),
    )
    assert await last_unknown(client) == ["pages"]


async def test_a_post_works_too(client):
    assert await call(client, LIST, method="POST", campaign=125, limit=1) == (
        200,
        ok(rows(125, DESTINATIONS[125])[:1]),
    )


# -- reach -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("user", "campaign_id"), [("user", 123), *IN_REACH])
async def test_whoever_reaches_the_campaign_lists_it(client, user, campaign_id):
    assert await call(client, LIST, user=user, campaign=campaign_id) == (
        200,
        ok(rows(campaign_id, DESTINATIONS[campaign_id])),
    )
