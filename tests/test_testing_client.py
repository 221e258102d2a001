"""The control-API clients of `mockswitch.testing`, sync and async, and their failure messages."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from typing import Any

import pytest

from mockswitch.store import Journal
from mockswitch.testing import (
    AsyncMockswitchClient,
    CallAssertionError,
    ControlApiError,
    MockswitchClient,
    ServerThread,
)
from tests.helpers import call

UPDATE, GET, LIST = "bulk/campaigns/update", "bulk/campaigns/get", "bulk/campaigns/list"


def api(client: MockswitchClient, function: str, **params: Any) -> dict[str, Any]:
    """Call the mock as the code under test would (urllib, `;` separators)."""
    query = ";".join(
        f"{k}={v}" for k, v in {"auth_username": "user", "auth_password": "password"}.items()
    )
    query += "".join(f";{k}={v}" for k, v in params.items())
    with urllib.request.urlopen(f"{client.api_url}{function}/?{query}", timeout=10) as answer:
        return json.load(answer)


@pytest.fixture
def server():
    with ServerThread() as running:
        yield running


NEAR_MISSES = (
    "expected bulk/campaigns/update(id='123', maximum='4') to be called 1 time, but it was "
    "called 0 times.\n"
    "Near misses (bulk/campaigns/update with other parameters):\n"
    "  #2 204 id='124' maximum='4' calerid='2125550199'\n"
    "      differs: id: '124' != '123'\n"
    "      unknown parameters: calerid\n"
    "  #1 204 id='123' maximum='5'\n"
    "      differs: maximum: '5' != '4'"
)
LATEST = (
    "expected bulk/campaigns/list() to be called at least once, but it was called 0 times.\n"
    "No call of bulk/campaigns/list at all. The latest calls were:\n"
    "  #3 bulk/campaigns/get 200 id='123'\n"
    "  #2 bulk/campaigns/update 204 id='124' maximum='4' calerid='2125550199'\n"
    "  #1 bulk/campaigns/update 204 id='123' maximum='5'"
)
EMPTY = (
    "expected bulk/campaigns/update(id='123') to be called at least once, but it was called "
    "0 times.\nThe journal is empty: no call reached mockswitch."
)
TOO_OFTEN = (
    "expected bulk/campaigns/update(id='123', maximum='4') to be called 1 time, but it was "
    "called 2 times.\n"
    "Matching calls:\n"
    "  #1 204 id='123' maximum='4'\n"
    "  #2 204 id='123' maximum='4'\n"
    "Near misses (bulk/campaigns/update with other parameters):\n"
    "  #3 204 id='123' maximum='5'\n"
    "      differs: maximum: '5' != '4'"
)


def test_the_sync_client_reads_the_journal(server):
    client = server.client()
    api(client, UPDATE, id=123, maximum=4)
    api(client, GET, id=123)
    api(client, UPDATE, id=124, maximum=4, calerid=2125550199)

    everything = client.calls()
    assert [(c["id"], c["function"], c["code"]) for c in everything] == [
        (1, UPDATE, "204"),
        (2, GET, "200"),
        (3, UPDATE, "204"),
    ]
    assert client.calls(UPDATE) == [everything[0], everything[2]]
    assert client.calls(params={"id": 123}) == everything[:2]
    assert client.calls(code=200) == [everything[1]]
    assert client.calls(order="desc", limit=1) == [everything[2]]
    assert client.calls(since=1, until=2) == [everything[1]]
    assert (client.count(), client.count(UPDATE), client.count(params={"maximum": 4})) == (3, 2, 2)
    assert client.call(2) == everything[1]
    with pytest.raises(ControlApiError) as missing:
        client.call(99)
    assert (missing.value.status, missing.value.body) == (
        404,
        {"error": {"status": 404, "message": "no call 99 in this tenant's journal", "field": "id"}},
    )
    with pytest.raises(ControlApiError) as bad:
        client.calls(since="yesterday")
    assert (bad.value.status, bad.value.body["error"]["field"]) == (400, "since")


def test_the_sync_client_waits_verifies_clears_and_resets(server):
    client = server.client()
    api(client, UPDATE, id=123, maximum=4)
    api(client, GET, id=123)
    first, second = client.calls()

    assert client.wait_for(GET, timeout=5) == [second]
    assert client.wait_for(count=2, timeout=5) == [first, second]
    assert client.assert_called(UPDATE, times=1, id=123, maximum=4) == [first]
    assert client.assert_called(UPDATE, id=123) == [first]
    assert client.assert_called(LIST, times=0) == []

    client.clear_calls()
    assert client.calls() == []
    assert api(client, GET, id=123)["data"]["maximum"] == 4  # clearing keeps the data

    client.reset()
    assert client.count() == 0
    assert api(client, GET, id=123)["data"]["maximum"] == 5  # the seed again
    assert [c["id"] for c in client.calls()] == [4]


def three_calls(server):
    """A client on a fresh tenant that made two updates (one misspelt) and a read."""
    client = server.client()
    api(client, UPDATE, id=123, maximum=5)
    api(client, UPDATE, id=124, maximum=4, calerid=2125550199)
    api(client, GET, id=123)
    return client


def test_a_failed_assertion_lists_the_near_misses_and_how_each_differs(server):
    client = three_calls(server)
    with pytest.raises(CallAssertionError) as failed:
        client.assert_called(UPDATE, times=1, id=123, maximum=4)
    assert str(failed.value) == NEAR_MISSES


def test_with_no_call_of_the_function_the_latest_calls_are_listed(server):
    client = three_calls(server)
    with pytest.raises(CallAssertionError) as failed:
        client.assert_called(LIST)
    assert str(failed.value) == LATEST


def test_an_empty_journal_says_no_call_arrived(server):
    with pytest.raises(CallAssertionError) as failed:
        server.client().assert_called(UPDATE, id=123)
    assert str(failed.value) == EMPTY


def test_called_too_often_lists_the_matching_calls(server):
    client = server.client()
    api(client, UPDATE, id=123, maximum=4)
    api(client, UPDATE, id=123, maximum=4)
    api(client, UPDATE, id=123, maximum=5)
    with pytest.raises(CallAssertionError) as failed:
        client.assert_called(UPDATE, times=1, id=123, maximum=4)
    assert str(failed.value) == TOO_OFTEN


def test_wait_for_timing_out_raises_with_what_did_arrive(server):
    client = server.client()
    api(client, GET, id=123)
    (arrived,) = client.calls()
    with pytest.raises(CallAssertionError) as failed:
        client.wait_for(GET, count=2, timeout=0.2)
    # count and timeout are said in words, not listed among the filters
    assert str(failed.value) == (
        "waited 0.2s for 2 calls matching function='bulk/campaigns/get', but 1 arrived:\n"
        f"  #{arrived['id']} bulk/campaigns/get 200 id='123'"
    )


def test_wait_for_with_no_filter_and_no_call_says_so(server):
    client = server.client()
    with pytest.raises(CallAssertionError) as failed:
        client.wait_for(timeout=0.1)
    assert str(failed.value) == "waited 0.1s for 1 call matching any call, but none arrived."


def test_wait_for_names_parameter_filters_and_since(server):
    client = server.client()
    with pytest.raises(CallAssertionError) as failed:
        client.wait_for(UPDATE, timeout=0.1, since="now", params={"id": 123})
    assert str(failed.value) == (
        "waited 0.1s for 1 call matching function='bulk/campaigns/update', since='now', "
        "param.id='123', but none arrived."
    )


async def test_the_async_client_does_the_same(client):
    mock = AsyncMockswitchClient(str(client.make_url("/")))
    await call(client, UPDATE, id=123, maximum=5)
    await call(client, UPDATE, id=124, maximum=4, calerid=2125550199)
    await call(client, GET, id=123)

    everything = await mock.calls()
    assert [c["id"] for c in everything] == [1, 2, 3]
    assert await mock.calls(UPDATE, params={"maximum": 5}) == [everything[0]]
    assert (await mock.count(), await mock.count(GET)) == (3, 1)
    assert await mock.call(3) == everything[2]
    assert await mock.wait_for(UPDATE, count=2, timeout=5) == everything[:2]
    assert await mock.assert_called(UPDATE, times=1, id=123, maximum=5) == [everything[0]]
    with pytest.raises(CallAssertionError) as failed:
        await mock.assert_called(UPDATE, times=1, id=123, maximum=4)
    assert str(failed.value) == NEAR_MISSES
    with pytest.raises(CallAssertionError) as failed:
        await mock.assert_called(LIST)
    assert str(failed.value) == LATEST
    with pytest.raises(CallAssertionError) as failed:
        await mock.wait_for(GET, count=2, timeout=0.2)
    assert str(failed.value) == (
        "waited 0.2s for 2 calls matching function='bulk/campaigns/get', but 1 arrived:\n"
        "  #3 bulk/campaigns/get 200 id='123'"
    )

    await mock.clear_calls()
    assert await mock.calls() == []
    await call(client, UPDATE, id=123, maximum=7)
    assert (await call(client, GET, id=123))[1]["data"]["maximum"] == 7  # data kept
    await mock.reset()
    assert await mock.count() == 0
    assert (await call(client, GET, id=123))[1]["data"]["maximum"] == 5
    with pytest.raises(CallAssertionError) as failed:
        await mock.assert_called(UPDATE, id=123)
    assert str(failed.value) == (
        "expected bulk/campaigns/update(id='123') to be called at least once, but it was called "
        "0 times.\nNo call of bulk/campaigns/update at all. The latest calls were:\n"
        "  #6 bulk/campaigns/get 200 id='123'"
    )


def test_stopping_the_server_answers_an_open_long_poll_at_once(monkeypatch):
    listening = threading.Event()
    count = Journal.count

    async def counting(self: Journal, *args: Any) -> int:
        listening.set()  # the long poll has taken its place and looks
        return await count(self, *args)

    monkeypatch.setattr(Journal, "count", counting)
    # A poll of a minute, and a shutdown timeout of a minute: the stop must cut the poll
    # short, or it would wait for either; half a minute is a bound for a loaded machine.
    server = ServerThread(shutdown_timeout=60).start()
    answers: list[Any] = []

    def long_poll() -> None:
        try:
            answers.append(server.client().wait(count=1, timeout=60))
        except ControlApiError as error:
            answers.append(error)

    poller = threading.Thread(target=long_poll)
    poller.start()
    try:
        assert listening.wait(30)
        started = time.perf_counter()
        server.stop(timeout=120)
        took = time.perf_counter() - started
    finally:
        server.stop()
        poller.join(10)
    assert took < 30  # not the minute the poll would otherwise keep the server up for
    [answer] = answers
    assert isinstance(answer, ControlApiError)
    assert (answer.status, answer.body) == (
        503,
        {"timed_out": True, "wanted": 1, "count": 0, "calls": []},
    )


SIMULATED = "2026-12-07T09:00:00Z"


def test_the_sync_client_moves_the_clock_sets_outcomes_and_reads_dials():
    with ServerThread(clock_start=SIMULATED) as running:
        client = running.client("sim")
        assert client.set_outcomes([{"dnumber": "*", "outcome": "busy"}], seed=3) == {
            "rules": [{"dnumber": "*", "outcome": "busy"}],
            "seed": 3,
        }
        assert client.outcomes()["seed"] == 3
        assert client.clock() == {"now": SIMULATED, "mode": "virtual", "speed": 1.0}
        assert client.advance(60)["now"] == "2026-12-07T09:01:00Z"
        found = client.dials(campaign=124)
        assert [d["outcome"] for d in found] == ["busy", "busy"]
        assert client.dials(campaign=124, limit=1, offset=1) == found[1:]
        assert client.dials(dnumber=found[0]["dnumber"]) == found[:1]
        moved = client.set_clock(now="2026-12-07T10:00:00+00:00", mode="virtual")
        assert moved == {"now": "2026-12-07T10:00:00Z", "mode": "virtual", "speed": 1.0}
        with pytest.raises(ControlApiError) as refused:
            client.set_clock(now=SIMULATED)
        assert refused.value.status == 409
        assert client.set_clock(mode="real", speed=2)["mode"] == "real"


async def test_the_async_client_moves_the_clock_too():
    from datetime import UTC, datetime

    with ServerThread(clock_start=SIMULATED) as running:
        client = AsyncMockswitchClient(running.url, "sim")
        await client.set_outcomes([{"dnumber": "*", "outcome": "noanswer"}])
        assert (await client.advance(120))["now"] == "2026-12-07T09:02:00Z"
        assert {d["outcome"] for d in await client.dials()} == {"noanswer"}
        assert (await client.outcomes())["rules"] == [{"dnumber": "*", "outcome": "noanswer"}]
        later = datetime(2026, 12, 7, 11, tzinfo=UTC)
        assert (await client.set_clock(now=later))["now"] == "2026-12-07T11:00:00Z"
        assert (await client.clock())["now"] == "2026-12-07T11:00:00Z"
