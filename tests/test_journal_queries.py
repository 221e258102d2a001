"""Querying the journal: filters, paging, one call, NDJSON export, clearing, and bad input."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from aiohttp.test_utils import TestClient

from mockswitch.store import CallFilter
from mockswitch.web.keys import SWITCH, TENANTS
from tests.helpers import NO_SUCH_FUNCTION, NOT_AUTHENTICATED, call, was_reset

UPDATE, GET = "bulk/campaigns/update", "bulk/campaigns/get"
NDJSON = "application/x-ndjson"


async def populate(client: TestClient) -> list[dict[str, Any]]:
    """Seven calls of every sort, the last four at least 5 ms after the first three."""
    await call(client, UPDATE, id=123, maximum=4)  # 1
    await call(client, UPDATE, user="admin", id=124, maximum=4)  # 2
    await call(client, GET, id=123)  # 3
    # Not synchronisation: it puts a millisecond boundary between calls 3 and 4.
    await asyncio.sleep(0.005)
    await call(client, UPDATE, method="POST", id=123, maximum=6)  # 4
    await call(client, GET, id=999)  # 5
    response = await client.get(
        "/api/json/bulk/campaigns/get/", params={"auth_username": "user", "auth_password": "x"}
    )
    assert (response.status, await response.json()) == (200, NOT_AUTHENTICATED)  # 6
    response = await client.get("/api/json/no/such/function/", params={"id": "123"})
    assert (response.status, await response.json()) == (200, NO_SUCH_FUNCTION)  # 7
    found = await query(client, "/_mock/calls")
    assert [c["id"] for c in found["calls"]] == [1, 2, 3, 4, 5, 6, 7]
    return found["calls"]


async def query(client: TestClient, path: str, status: int = 200, **params: str) -> Any:
    response = await client.get(path, params=params)
    assert response.status == status, await response.text()
    return await response.json()


def ids(calls: list[dict[str, Any]]) -> list[int]:
    return [c["id"] for c in calls]


FILTERS: dict[str, tuple[dict[str, str], list[int]]] = {
    "everything": ({}, [1, 2, 3, 4, 5, 6, 7]),
    "function update": ({"function": UPDATE}, [1, 2, 4]),
    "function get": ({"function": GET}, [3, 5, 6]),
    "unknown function name": ({"function": "no/such/function"}, [7]),
    "method POST": ({"method": "POST"}, [4]),
    "method lower case": ({"method": "get"}, [1, 2, 3, 5, 6, 7]),
    "code 204": ({"code": "204"}, [1, 2, 4]),
    "code 404": ({"code": "404"}, [5, 7]),
    "username admin": ({"username": "admin"}, [2]),
    "username empty (not authenticated)": ({"username": ""}, [6, 7]),
    "param id": ({"param.id": "123"}, [1, 3, 4, 7]),
    "param id and maximum": ({"param.id": "123", "param.maximum": "4"}, [1]),
    "param maximum": ({"param.maximum": "4"}, [1, 2]),
    "param auth_username": ({"param.auth_username": "admin"}, [2]),
    "param never sent": ({"param.owner": "1"}, []),
    "function and param": ({"function": UPDATE, "param.id": "123"}, [1, 4]),
    "code and username": ({"code": "204", "username": "user"}, [1, 4]),
    "since id": ({"since": "2"}, [3, 4, 5, 6, 7]),
    "since id 0": ({"since": "0"}, [1, 2, 3, 4, 5, 6, 7]),
    "since the last id": ({"since": "7"}, []),
    "until id": ({"until": "3"}, [1, 2, 3]),
    "since and until ids": ({"since": "2", "until": "4"}, [3, 4]),
    "since a date": ({"since": "2000-01-01"}, [1, 2, 3, 4, 5, 6, 7]),
    "until a date": ({"until": "2000-01-01"}, []),
    "since a future time": ({"since": "2999-01-01T00:00:00Z"}, []),
}


async def test_every_filter_finds_its_calls_and_total_and_count_agree(client):
    await populate(client)
    found = {}
    for name, (params, _) in FILTERS.items():
        page = await query(client, "/_mock/calls", **params, limit="1000")
        counted = await query(client, "/_mock/calls/count", **params)
        found[name] = (ids(page["calls"]), page["total"], counted["count"], counted["evicted"])
    assert found == {name: (want, len(want), len(want), 0) for name, (_, want) in FILTERS.items()}


@contextmanager
def local_time(zone: str) -> Iterator[None]:
    """Run with another local time zone, so that a naive time read as local would show."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = zone
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


async def test_since_and_until_take_a_time_in_any_offset_and_a_naive_one_is_utc(client):
    calls = await populate(client)
    fourth = datetime.strptime(calls[3]["at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    third = datetime.strptime(calls[2]["at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    spellings = {
        "Z": calls[3]["at"],
        "naive": fourth.replace(tzinfo=None).isoformat(timespec="milliseconds"),
        "+01:00": fourth.astimezone(timezone(timedelta(hours=1))).isoformat(
            timespec="milliseconds"
        ),
        "-05:30": fourth.astimezone(timezone(-timedelta(hours=5, minutes=30))).isoformat(),
    }
    assert spellings["+01:00"].endswith("+01:00")
    with local_time("IST-05:30"):  # a naive time read as local would be 5.5 hours off
        found = {
            name: ids((await query(client, "/_mock/calls", since=moment))["calls"])
            for name, moment in spellings.items()
        }
        for name, moment in {
            "until, Z": calls[2]["at"],
            "until, naive": third.replace(tzinfo=None).isoformat(timespec="milliseconds"),
            "until, -05:30": third.astimezone(
                timezone(-timedelta(hours=5, minutes=30))
            ).isoformat(),
        }.items():
            found[name] = ids((await query(client, "/_mock/calls", until=moment))["calls"])
        since_time_until_id = await query(client, "/_mock/calls", since=spellings["Z"], until="5")
        found["since a time, until an id"] = ids(since_time_until_id["calls"])
    assert found == {
        "Z": [4, 5, 6, 7],
        "naive": [4, 5, 6, 7],
        "+01:00": [4, 5, 6, 7],
        "-05:30": [4, 5, 6, 7],
        "until, Z": [1, 2, 3],
        "until, naive": [1, 2, 3],
        "until, -05:30": [1, 2, 3],
        "since a time, until an id": [4, 5],
    }


PAGES = {
    "limit": ({"limit": "2"}, [1, 2], 2, 0),
    "limit and offset": ({"limit": "2", "offset": "2"}, [3, 4], 2, 2),
    "offset to the last": ({"offset": "6"}, [7], 100, 6),
    "offset past the end": ({"offset": "10"}, [], 100, 10),
    "limit 0 (just the total)": ({"limit": "0"}, [], 0, 0),
    "newest first": ({"order": "desc"}, [7, 6, 5, 4, 3, 2, 1], 100, 0),
    "the newest two": ({"order": "desc", "limit": "2"}, [7, 6], 2, 0),
    "asc with offset": ({"order": "asc", "limit": "1", "offset": "1"}, [2], 1, 1),
}


async def test_paging_and_order_keep_the_total_of_all_matches(client):
    calls = await populate(client)
    found = {name: await query(client, "/_mock/calls", **p) for name, (p, *_) in PAGES.items()}
    assert found == {
        name: {
            "calls": [calls[i - 1] for i in chosen],
            "total": 7,
            "evicted": 0,
            "limit": limit,
            "offset": offset,
        }
        for name, (_, chosen, limit, offset) in PAGES.items()
    }


async def test_paging_applies_after_the_filters(client):
    calls = await populate(client)
    page = await query(client, "/_mock/calls", function=UPDATE, order="desc", limit="1", offset="1")
    assert page == {"calls": [calls[1]], "total": 3, "evicted": 0, "limit": 1, "offset": 1}


async def test_one_call_by_its_id(client):
    calls = await populate(client)
    assert await query(client, "/_mock/calls/4") == calls[3]
    assert await query(client, "/_mock/calls/0004") == calls[3]
    not_found = {"status": 404, "message": "no call 99 in this tenant's journal", "field": "id"}
    assert await query(client, "/_mock/calls/99", 404) == {"error": not_found}
    huge = "9" * 30
    assert await query(client, f"/_mock/calls/{huge}", 404) == {
        "error": {
            "status": 404,
            "message": f"no call {huge} in this tenant's journal",
            "field": "id",
        }
    }
    for text in ("abc", "-1", "1.5", "%C2%B2"):
        assert await query(client, f"/_mock/calls/{text}", 400) == {
            "error": {"status": 400, "message": "a call id is an integer", "field": "id"}
        }, text


TIME_MESSAGE = "must be a call id or an ISO 8601 time such as 2026-01-31T12:00:00.000Z"
TOO_BIG = "99999999999999999999999"
AT_MOST_64_BITS = "must be at most 9223372036854775807"

BAD_INPUT = [
    ("/_mock/calls", {"functon": UPDATE}, "unknown filter 'functon'", "functon"),
    ("/_mock/calls", {"params.id": "1"}, "unknown filter 'params.id'", "params.id"),
    (
        "/_mock/calls",
        {"param.": "1"},
        "a parameter filter needs a name: param.<name>=<value>",
        "param.",
    ),
    ("/_mock/calls", {"limit": "ten"}, "must be an integer", "limit"),
    ("/_mock/calls", {"limit": "--5"}, "must be an integer", "limit"),
    ("/_mock/calls", {"limit": ""}, "must be an integer", "limit"),
    ("/_mock/calls", {"limit": "1001"}, "must be at most 1000", "limit"),
    ("/_mock/calls", {"limit": TOO_BIG}, AT_MOST_64_BITS, "limit"),
    ("/_mock/calls", {"limit": "9" * 5000}, AT_MOST_64_BITS, "limit"),
    ("/_mock/calls", {"offset": "-1"}, "must be at least 0", "offset"),
    ("/_mock/calls", {"offset": "-" + TOO_BIG}, "must be at least 0", "offset"),
    ("/_mock/calls", {"offset": TOO_BIG}, AT_MOST_64_BITS, "offset"),
    ("/_mock/calls", {"since": "yesterday"}, TIME_MESSAGE, "since"),
    ("/_mock/calls", {"until": "2026-13-01"}, TIME_MESSAGE, "until"),
    ("/_mock/calls", {"since": "-1"}, TIME_MESSAGE, "since"),
    ("/_mock/calls", {"since": TOO_BIG}, AT_MOST_64_BITS, "since"),
    ("/_mock/calls", {"until": "9999-12-31T23:59:59-01:00"}, TIME_MESSAGE, "until"),
    ("/_mock/calls", {"since": "0001-01-01T00:00:00+01:00"}, TIME_MESSAGE, "since"),
    ("/_mock/calls", {"order": "sideways"}, "must be asc or desc", "order"),
    ("/_mock/calls", {"format": "xml"}, "must be json or ndjson", "format"),
    ("/_mock/calls/count", {"functon": UPDATE}, "unknown filter 'functon'", "functon"),
    ("/_mock/calls/count", {"since": "tomorrow"}, TIME_MESSAGE, "since"),
    ("/_mock/calls/count", {"until": TOO_BIG}, AT_MOST_64_BITS, "until"),
]


async def test_bad_input_is_a_400_naming_the_field_never_a_500(client):
    await call(client, UPDATE, id=123, maximum=4)
    found, expected = {}, {}
    for path, params, message, field in BAD_INPUT:
        response = await client.get(path, params=params)
        case = f"{path} {params}"[:80]
        found[case] = (response.status, await response.json())
        expected[case] = (400, {"error": {"status": 400, "message": message, "field": field}})
    assert len(found) == len(BAD_INPUT)
    assert found == expected


async def ndjson_lines(client: TestClient, headers: dict[str, str], **params: str) -> list[Any]:
    response = await client.get("/_mock/calls", params=params, headers=headers)
    assert response.status == 200
    assert response.headers["Content-Type"] == NDJSON
    body = await response.text()
    assert body.endswith("\n")
    return [json.loads(line) for line in body.splitlines()]


async def test_ndjson_exports_every_matching_call_one_per_line(client):
    calls = await populate(client)
    updates = [calls[0], calls[1], calls[3]]
    assert await ndjson_lines(client, {}, format="ndjson") == calls
    assert await ndjson_lines(client, {}, format="ndjson", function=UPDATE) == updates
    assert await ndjson_lines(client, {"Accept": NDJSON}, function=UPDATE) == updates
    assert await ndjson_lines(client, {"Accept": NDJSON}, since="5") == calls[5:]
    # An explicit format wins over the Accept header.
    response = await client.get(
        "/_mock/calls", params={"format": "json"}, headers={"Accept": NDJSON}
    )
    assert (await response.json())["calls"] == calls


async def test_the_export_reads_in_batches_without_losing_or_repeating_a_call(client):
    calls = await populate(client)
    journal = client.server.app[SWITCH].store.journal
    tenant = client.server.app[TENANTS].find("default").data.id
    read = [c async for c in journal.stream(tenant, CallFilter(), batch=2)]
    assert read == calls
    since = [c async for c in journal.stream(tenant, CallFilter(since_id=2, until_id=6), batch=2)]
    assert since == calls[2:6]


async def test_ndjson_of_an_empty_journal_is_empty(client):
    response = await client.get("/_mock/calls", params={"format": "ndjson"})
    assert (response.status, response.headers["Content-Type"]) == (200, NDJSON)
    assert await response.read() == b""


async def test_delete_clears_the_journal_and_ids_keep_increasing(client):
    await populate(client)
    response = await client.delete("/_mock/calls")
    assert (response.status, await response.json()) == (
        200,
        {"status": "cleared", "tenant": "default"},
    )
    assert await query(client, "/_mock/calls") == {
        "calls": [],
        "total": 0,
        "evicted": 0,
        "limit": 100,
        "offset": 0,
    }
    assert await query(client, "/_mock/calls/count") == {"count": 0, "evicted": 0}
    response = await client.get(
        "/api/json/bulk/campaigns/get/",
        params={"auth_username": "user", "auth_password": "password", "id": "123"},
    )
    assert response.headers["X-Mockswitch-Call"] == "8"
    assert ids((await query(client, "/_mock/calls"))["calls"]) == [8]


async def test_reset_clears_the_journal_and_restores_the_data(client):
    await populate(client)
    assert (await call(client, GET, id=123))[1]["data"]["maximum"] == 6  # call 8
    assert await was_reset(await client.post("/_mock/reset"))
    assert await query(client, "/_mock/calls/count") == {"count": 0, "evicted": 0}
    assert (await call(client, GET, id=123))[1]["data"]["maximum"] == 5  # call 9
    journal = await query(client, "/_mock/calls")
    assert (ids(journal["calls"]), journal["total"]) == ([9], 1)


async def test_ids_keep_increasing_after_a_clear_and_a_restart(serve, tmp_path):
    db = str(tmp_path / "j.sqlite3")
    client = await serve(db=db)
    await call(client, UPDATE, id=123, maximum=4)
    await call(client, UPDATE, id=123, maximum=5)
    assert (await client.delete("/_mock/calls")).status == 200
    await client.close()

    client = await serve(db=db)
    await call(client, GET, id=123)
    assert ids((await query(client, "/_mock/calls"))["calls"]) == [3]
