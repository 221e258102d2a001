"""`/_mock/calls/wait`: a long poll that answers as soon as enough calls match, or times out."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from mockswitch.web.keys import SWITCH
from tests.helpers import call

UPDATE, GET = "bulk/campaigns/update", "bulk/campaigns/get"
TIME_MESSAGE = "must be a call id or an ISO 8601 time such as 2026-01-31T12:00:00.000Z"
# A poll that should answer on a call waits up to LONG (the longest allowed); the test allows
# it half of that: far more than a loaded machine needs, far less than the timeout.
LONG = "60"
PROMPT = 30


async def wait(client: TestClient, **params: str) -> tuple[int, Any]:
    response = await client.get("/_mock/calls/wait", params=params)
    return response.status, await response.json()


async def call_id(client: TestClient, function: str, **params: Any) -> int:
    response = await client.get(
        f"/api/json/{function}/",
        params={"auth_username": "user", "auth_password": "password", **params},
    )
    return int(response.headers["X-Mockswitch-Call"])


def waiting_started(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """An event set when the server first counts the journal: the long poll is listening."""
    journal = client.server.app[SWITCH].store.journal
    counted = asyncio.Event()
    count = journal.count

    async def counting(*args: Any) -> int:
        counted.set()
        return await count(*args)

    monkeypatch.setattr(journal, "count", counting)
    return counted


async def test_wait_answers_as_soon_as_the_nth_matching_call_lands(client, monkeypatch):
    listening = waiting_started(client, monkeypatch)
    started = time.perf_counter()
    waiting = asyncio.create_task(wait(client, function=GET, count="3", timeout=LONG))
    await asyncio.wait_for(listening.wait(), PROMPT)

    expected = [await call_id(client, GET, id=123)]
    await call_id(client, UPDATE, id=123, maximum=4)  # another function: does not count
    expected.append(await call_id(client, GET, id=124))
    assert not waiting.done()  # two of three
    expected.append(await call_id(client, GET, id=999))

    status, answer = await asyncio.wait_for(waiting, PROMPT)
    assert time.perf_counter() - started < PROMPT  # well before the timeout
    calls = answer.pop("calls")
    assert (status, answer) == (200, {"timed_out": False, "wanted": 3, "count": 3})
    assert [c["id"] for c in calls] == expected == [1, 3, 4]
    assert [(c["function"], c["params"]["id"], c["code"]) for c in calls] == [
        (GET, "123", "200"),
        (GET, "124", "200"),
        (GET, "999", "404"),
    ]


async def test_wait_for_calls_already_there_answers_at_once(client):
    await call(client, UPDATE, id=123, maximum=4)
    await call(client, UPDATE, id=124, maximum=4)
    started = time.perf_counter()
    status, answer = await wait(client, function=UPDATE, count="2", timeout=LONG)
    assert time.perf_counter() - started < PROMPT
    assert (status, answer["timed_out"], answer["count"]) == (200, False, 2)
    assert [c["params"]["id"] for c in answer["calls"]] == ["123", "124"]


async def test_wait_takes_the_journal_filters(client, monkeypatch):
    listening = waiting_started(client, monkeypatch)
    waiting = asyncio.create_task(
        wait(client, function=UPDATE, **{"param.id": "124"}, since="1", count="1", timeout=LONG)
    )
    await asyncio.wait_for(listening.wait(), PROMPT)
    await call_id(client, UPDATE, id=124, maximum=4)  # id 1: not after `since`
    await call_id(client, UPDATE, id=123, maximum=4)  # other parameter
    await call_id(client, UPDATE, id=124, maximum=3)  # this one
    status, answer = await asyncio.wait_for(waiting, PROMPT)
    assert (status, answer["count"], [c["id"] for c in answer["calls"]]) == (200, 1, [3])


async def test_since_now_waits_for_calls_after_the_wait_began(client, monkeypatch):
    # A busy journal: without since=now, count=2 would answer at once.
    before = [await call_id(client, UPDATE, id=123, maximum=4) for _ in range(3)]
    listening = waiting_started(client, monkeypatch)
    waiting = asyncio.create_task(
        wait(client, function=UPDATE, since="now", count="2", timeout=LONG)
    )
    await asyncio.wait_for(listening.wait(), PROMPT)
    first = await call_id(client, UPDATE, id=124, maximum=4)
    assert not waiting.done()  # one of two new calls
    second = await call_id(client, UPDATE, id=124, maximum=3)
    status, answer = await asyncio.wait_for(waiting, PROMPT)
    calls = answer.pop("calls")
    assert (status, answer) == (200, {"timed_out": False, "wanted": 2, "count": 2})
    assert [c["id"] for c in calls] == [first, second] == [before[-1] + 1, before[-1] + 2]


async def test_since_now_counts_calls_of_any_tenant_as_before(client):
    # Ids are one sequence across tenants: now is the newest id numbered anywhere.
    await call(client, UPDATE, id=123, maximum=4)
    await client.post("/t/other/_mock/reset")
    await client.get(
        "/t/other/api/json/bulk/campaigns/get/",
        params={"auth_username": "user", "auth_password": "password", "id": "123"},
    )
    status, answer = await wait(client, since="now", timeout="0")
    assert (status, answer) == (408, {"timed_out": True, "wanted": 1, "count": 0, "calls": []})
    listed = await (await client.get("/_mock/calls", params={"since": "now"})).json()
    counted = await (await client.get("/_mock/calls/count", params={"since": "now"})).json()
    assert (listed["calls"], listed["total"], counted["count"]) == ([], 0, 0)


async def test_wait_times_out_cleanly_with_what_did_match(client):
    await call(client, UPDATE, id=123, maximum=4)
    await call(client, GET, id=123)
    started = time.perf_counter()
    status, answer = await wait(client, function=UPDATE, count="3", timeout="0.2")
    took = time.perf_counter() - started
    assert 0.2 <= took < 10  # its own timeout, not a hang
    journal = await (await client.get("/_mock/calls", params={"function": UPDATE})).json()
    assert (status, answer) == (
        408,
        {"timed_out": True, "wanted": 3, "count": 1, "calls": journal["calls"]},
    )
    assert [c["params"]["maximum"] for c in answer["calls"]] == ["4"]


async def test_a_zero_timeout_looks_once(client):
    await call(client, UPDATE, id=123, maximum=4)
    calls = (await (await client.get("/_mock/calls")).json())["calls"]
    found = {"wanted": 1, "count": 1, "calls": calls}
    assert await wait(client, count="1", timeout="0") == (200, {"timed_out": False, **found})
    assert await wait(client, count="2", timeout="0") == (
        408,
        {"timed_out": True, **found, "wanted": 2},
    )


BAD_WAITS = [
    ({"count": "0"}, "must be at least 1", "count"),
    ({"count": "two"}, "must be an integer", "count"),
    ({"count": "--1"}, "must be an integer", "count"),
    ({"count": "1001"}, "must be at most 1000", "count"),
    ({"timeout": "soon"}, "must be a number of seconds", "timeout"),
    ({"timeout": "-1"}, "must be between 0 and 60 seconds", "timeout"),
    ({"timeout": "nan"}, "must be between 0 and 60 seconds", "timeout"),
    ({"timeout": "61"}, "must be between 0 and 60 seconds", "timeout"),
    ({"functon": GET}, "unknown filter 'functon'", "functon"),
    ({"since": "later"}, TIME_MESSAGE, "since"),
]


async def test_bad_count_or_timeout_is_a_400_naming_the_field(client):
    found = {str(params): await wait(client, **params) for params, *_ in BAD_WAITS}
    assert found == {
        str(params): (400, {"error": {"status": 400, "message": message, "field": field}})
        for params, message, field in BAD_WAITS
    }


async def test_a_timeout_above_the_configured_maximum_is_a_400(serve):
    client = await serve(wait_timeout_max=5)
    assert await wait(client, timeout="5.5") == (
        400,
        {
            "error": {
                "status": 400,
                "message": "must be between 0 and 5 seconds",
                "field": "timeout",
            }
        },
    )
    # The maximum itself is allowed (answered at once: the call is already there).
    await call(client, GET, id=123)
    status, answer = await wait(client, timeout="5")
    assert (status, answer["timed_out"], answer["count"]) == (200, False, 1)
