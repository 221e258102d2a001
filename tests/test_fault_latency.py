"""Latency: each kind within tolerance, the global default, and delays that never block.

The client's clock gives only lower bounds (a call cannot come back before its delay); the
rest is checked on what the journal records: the delay slept (`latency_ms`), and when each
call came in (`at`) and how long the switch held it (`duration_ms`).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient

from mockswitch.testing import ServerThread
from tests.cast import PASSWORD

GET_PATH = "/api/json/bulk/campaigns/get/"
QUERY = {"auth_username": "user", "auth_password": PASSWORD, "id": "123"}
CALL_ID = "X-Mockswitch-Call"
JSON = "application/json"
AT = "%Y-%m-%dT%H:%M:%S.%fZ"  # how the journal writes when a call came in


async def add_rule(client: TestClient | aiohttp.ClientSession, **rule: Any) -> dict[str, Any]:
    response = await client.post("/_mock/faults", json=rule)
    assert response.status == 201, await response.text()
    return await response.json()


async def timed_get(client: TestClient) -> tuple[float, dict[str, Any]]:
    """One read of campaign 123: the seconds it took, and its journal entry."""
    started = time.perf_counter()
    response = await client.get(GET_PATH, params=QUERY)
    took = time.perf_counter() - started
    assert response.status == 200
    assert (await response.json())["responses"] == [{"code": "200", "key": "", "message": "OK"}]
    recorded = await client.get(f"/_mock/calls/{response.headers[CALL_ID]}")
    return took, await recorded.json()


async def latencies(client: TestClient, calls: int) -> list[tuple[float, float]]:
    """`calls` reads at once: (wall seconds, recorded latency_ms) for each."""
    done = await asyncio.gather(*(timed_get(client) for _ in range(calls)))
    for _, entry in done:
        assert entry["duration_ms"] >= entry["latency_ms"], entry  # the switch held it that long
    return [(took, entry["latency_ms"]) for took, entry in done]


def most_at_once(calls: list[dict[str, Any]]) -> int:
    """The most calls the journal shows inside the switch at one moment."""
    edges = []
    for recorded in calls:
        came = datetime.strptime(recorded["at"], AT).replace(tzinfo=UTC).timestamp() * 1000
        edges += [(came, 1), (came + recorded["duration_ms"], -1)]
    inside = most = 0
    for _, step in sorted(edges):  # at the same moment an end sorts before a start
        inside += step
        most = max(most, inside)
    return most


async def test_a_fixed_latency_holds_the_call_that_long(client):
    await add_rule(client, latency={"fixed_ms": 100})

    took, entry = await timed_get(client)

    assert took >= 0.095
    assert entry["latency_ms"] == 100.0
    assert entry["duration_ms"] >= 100.0
    assert entry["fault"] == {"rule": 1, "name": "", "action": None, "processed": True}
    assert entry["code"] == "200"  # latency only: the switch answers as usual


async def test_a_uniform_latency_stays_within_its_bounds(client):
    await add_rule(client, latency={"uniform_ms": [50, 150]})

    measured = await latencies(client, 20)

    delays = [ms for _, ms in measured]
    assert all(50 <= ms <= 150 for ms in delays), delays
    assert max(delays) - min(delays) > 30, delays  # spread out, not one value
    assert all(took >= ms / 1000 - 0.005 for took, ms in measured), measured


async def test_a_normal_latency_has_roughly_its_mean_and_spread(client):
    await add_rule(client, latency={"normal_ms": {"mean": 100, "stddev": 20}})

    delays = [ms for _, ms in await latencies(client, 50)]

    assert 85 <= statistics.fmean(delays) <= 115, delays
    assert 10 <= statistics.stdev(delays) <= 30, delays
    assert min(delays) >= 0


async def test_a_lognormal_latency_is_capped_by_its_max(client):
    await add_rule(client, latency={"lognormal_ms": {"median": 60, "sigma": 1.5, "max": 150}})

    measured = await latencies(client, 50)

    delays = [ms for _, ms in measured]
    assert max(delays) == 150.0, delays  # a long tail, cut at the cap
    assert delays.count(150.0) < 40, delays  # yet most calls stay under it
    assert 20 <= statistics.median(delays) <= 150, delays


async def test_the_default_latency_applies_when_no_rule_fires_and_null_turns_it_off(client):
    response = await client.put("/_mock/faults/default-latency", json={"fixed_ms": 150})
    assert response.status == 200
    assert await response.json() == {"rules": [], "default_latency": {"fixed_ms": 150.0}}

    took, entry = await timed_get(client)
    assert took >= 0.145
    assert (entry["fault"], entry["latency_ms"]) == (None, 150.0)
    assert entry["duration_ms"] >= 150.0

    response = await client.put(
        "/_mock/faults/default-latency", data=b"null", headers={"Content-Type": JSON}
    )
    assert await response.json() == {"rules": [], "default_latency": None}
    _, entry = await timed_get(client)
    assert (entry["fault"], entry["latency_ms"]) == (None, 0.0)  # no delay slept


async def test_a_rule_with_its_own_latency_overrides_the_default_and_one_without_uses_it(
    client,
):
    await client.put("/_mock/faults/default-latency", json={"fixed_ms": 80})
    await add_rule(client, match={"params": {"id": "123"}}, latency={"fixed_ms": 20}, times=1)
    await add_rule(client, match={"params": {"id": "123"}}, action={"type": "malformed"})

    _, first = await client_entry(client)
    _, second = await client_entry(client)

    assert (first["fault"]["rule"], first["latency_ms"]) == (1, 20.0)
    assert (second["fault"]["rule"], second["latency_ms"]) == (2, 80.0)


async def client_entry(client: TestClient) -> tuple[int, dict[str, Any]]:
    """One read whose answer may not parse: its status and journal entry."""
    response = await client.get(GET_PATH, params=QUERY)
    recorded = await client.get(f"/_mock/calls/{response.headers[CALL_ID]}")
    return response.status, await recorded.json()


async def test_a_bad_default_latency_is_refused_and_the_old_one_kept(client):
    await client.put("/_mock/faults/default-latency", json={"fixed_ms": 10})

    response = await client.put("/_mock/faults/default-latency", json={"fixed_ms": -1})

    assert response.status == 400
    assert await response.json() == {
        "error": {"status": 400, "message": "must be at least 0", "field": "latency.fixed_ms"}
    }
    listed = await client.get("/_mock/faults")
    assert (await listed.json())["default_latency"] == {"fixed_ms": 10.0}


async def test_two_hundred_delayed_calls_at_once_take_little_more_than_one_delay():
    # A server in its own thread, as `mockswitch serve` runs: with the client in the same
    # event loop, 200 simultaneous connects overflow the listen backlog (128) before the
    # server gets to accept them, and the kernel's one-second SYN retry is what gets timed.
    with ServerThread() as served:
        connector = aiohttp.TCPConnector(limit=200)
        async with aiohttp.ClientSession(base_url=served.url, connector=connector) as session:
            await add_rule(
                session, match={"function": "bulk/campaigns/get"}, latency={"fixed_ms": 200}
            )

            async def one() -> tuple[int, bytes]:
                async with session.get(GET_PATH, params=QUERY) as response:
                    return response.status, await response.read()

            started = time.perf_counter()
            answers = await asyncio.gather(*(one() for _ in range(200)))
            took = time.perf_counter() - started

            journal = await session.get("/_mock/calls", params={"limit": "1000"})
            calls = (await journal.json())["calls"]

    assert took >= 0.2
    # The delays overlap: one after another, the journal would show one call at a time.
    assert most_at_once(calls) >= 100, [(c["at"], c["duration_ms"]) for c in calls]
    assert {status for status, _ in answers} == {200}
    assert all(b'"code":"200"' in body for _, body in answers)
    assert [c["latency_ms"] for c in calls] == [200.0] * 200
