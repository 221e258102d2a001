"""A reset or a drop is one instant for everything a tenant holds (mockswitch/tenancy).

Each round sets the tenant up with everything it can hold besides its data: fault rules (one
that only delays, one that answers an error to about half of all calls), a stub, outcome
rules, a moved clock, and a campaign dialling 2,000 destinations on a week's advance still
in flight. Then 8 clients send 40 calls each (updates, reads and the stubbed function), and
the barrier falls among them: a reset, or a drop and a recreation. After it, nothing of the
old generation may show in the new one: no faulted call in its journal, no old stub's answer,
no dial, the seed's destinations and statuses, and the start's rules, stubs, outcomes and
clock. The advance cut off by a reset answers 409 (by a drop, 404). Through real HTTP,
against a server process on a real SQLite file.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from tests.cast import DESTINATIONS, PASSWORD
from tests.test_barriers import control, mockswitch

ROUNDS = 30
CLIENTS, CALLS_EACH = 8, 40
DESTINATIONS_ADDED = 2000
TENANT = "whole"
T = f"/t/{TENANT}"
AUTH = {"auth_username": "user", "auth_password": PASSWORD}
UPDATE, LIST, STUBBED = "bulk/campaigns/update", "bulk/campaigns/list", "people/list"

DELAYING_RULE = {
    "name": "delays updates",
    "match": {"function": UPDATE},
    "latency": {"uniform_ms": [5, 40]},
}
FAILING_RULE = {
    "name": "fails half of everything",
    "match": {},
    "action": {"type": "envelope", "code": "500"},
    "probability": 0.5,
}
STUB = {"function": STUBBED, "data": [{"id": 100, "username": "from the old generation"}]}
OUTCOMES = {"rules": [{"dnumber": "*", "outcome": "busy"}], "seed": 7}
NO_SUCH_FUNCTION = {"responses": [{"code": "404", "key": "", "message": "No such function."}]}


async def api(client: aiohttp.ClientSession, function: str, **params: Any) -> dict[str, Any]:
    response = await client.get(f"{T}/api/json/{function}/", params={**AUTH, **params})
    assert response.status == 200
    return await response.json()


async def answer(client: aiohttp.ClientSession, method: str, path: str, **options: Any) -> tuple:
    response = await client.request(method, path, **options)
    return response.status, await response.json()


async def start_state(client: aiohttp.ClientSession) -> dict[str, Any]:
    """What a tenant holds when it is made: read from a tenant made for the purpose."""
    await control(client, "POST", "/t/fresh/_mock/reset")
    return {
        "faults": await control(client, "GET", "/t/fresh/_mock/faults"),
        "stubs": await control(client, "GET", "/t/fresh/_mock/stubs"),
        "outcomes": await control(client, "GET", "/t/fresh/_mock/outcomes"),
        "clock": await control(client, "GET", "/t/fresh/_mock/clock"),
    }


async def set_up(client: aiohttp.ClientSession, round_: int) -> asyncio.Task:
    """Everything the tenant can hold, and a week's advance dialling; the advance's task."""
    await control(client, "POST", f"{T}/_mock/faults", json={**DELAYING_RULE, "seed": round_})
    await control(client, "POST", f"{T}/_mock/faults", json={**FAILING_RULE, "seed": round_})
    await control(client, "POST", f"{T}/_mock/stubs", json=STUB)
    await control(client, "PUT", f"{T}/_mock/outcomes", json=OUTCOMES)
    await control(client, "POST", f"{T}/_mock/clock/advance", json={"seconds": 90})
    # Rules decided before the call reaches the switch: retry until the update gets through.
    for _ in range(100):
        found = await api(
            client, UPDATE, id="123", enabled="1", timegroup="0", attempts="99", retry="1"
        )
        if found["responses"][0]["code"] == "204":
            break
    else:
        raise AssertionError("the campaign was never enabled")
    numbers = [f"44{round_:02d}{n:07d}" for n in range(DESTINATIONS_ADDED)]
    for _ in range(100):
        found = await api(
            client, "bulk/destinations/create", campaign="123", dnumbers=",".join(numbers)
        )
        if found["responses"][0]["code"] != "500":
            break
    advance = asyncio.create_task(
        answer(client, "POST", f"{T}/_mock/clock/advance", json={"seconds": 604800})
    )
    for _ in range(5000):  # until the dialler is at work on the advance
        page = await control(client, "GET", f"{T}/_mock/dials", params={"limit": "1"})
        if page["total"]:
            break
        await asyncio.sleep(0.002)
    else:
        raise AssertionError("the campaign never dialled")
    return advance


async def calls_of(client: aiohttp.ClientSession, worker: int) -> list[dict[str, Any]]:
    """One client's calls, in turn an update (a description of its own), a read and the
    stubbed function; each answer with its journal id."""
    answers = []
    for n in range(CALLS_EACH):
        function = (UPDATE, LIST, STUBBED)[n % 3]
        params = {"id": "124", "description": f"{worker}.{n}"} if function == UPDATE else {}
        response = await client.get(f"{T}/api/json/{function}/", params={**AUTH, **params})
        answers.append(
            {
                "function": function,
                "id": int(response.headers.get("X-Mockswitch-Call", "0")),
                "body": await response.json(),
            }
        )
    return answers


async def whole_round(client: aiohttp.ClientSession, round_: int, start: dict[str, Any]) -> bool:
    """One round; whether the barrier cut the advance off."""
    advance = await set_up(client, round_)
    workers = [asyncio.create_task(calls_of(client, w)) for w in range(CLIENTS)]
    await asyncio.sleep(0.01)  # some calls are answered, most are still to come
    if round_ % 2 == 0:
        status, body = await answer(client, "POST", f"{T}/_mock/reset")
        assert (status, body["status"]) == (200, "reset")
        cut = {"status": 409, "field": "tenant"}
    else:
        status, body = await answer(client, "DELETE", f"{T}/_mock")
        assert (status, body) == (200, {"status": "dropped", "tenant": TENANT})
        await control(client, "POST", f"{T}/_mock/reset")  # made again (or reset, if a call did)
        cut = {"status": 404, "field": "tenant"}
    answers = [a for found in await asyncio.gather(*workers) for a in found]
    status, body = await advance
    cut_off = status != 200
    if cut_off:
        assert (status, {k: body["error"][k] for k in cut}) == (cut["status"], cut), body
    # A call of the old generation that reached the stub or a fault rule answered then; the
    # new generation has neither: its journal holds none of those answers.
    journal = (await control(client, "GET", f"{T}/_mock/calls", params={"limit": "1000"}))["calls"]
    assert [c["id"] for c in journal if c["fault"] is not None] == []
    assert [c["id"] for c in journal if c["stub"] is not None] == []
    journaled = {c["id"]: c for c in journal}
    for found in answers:
        if found["id"] in journaled and found["function"] == STUBBED:
            assert found["body"] == NO_SUCH_FUNCTION
    page = await control(client, "GET", f"{T}/_mock/dials")
    assert (page["total"], page["dials"]) == (0, []), "a dial of the old generation"
    listed = await api(client, "bulk/destinations/list", campaign="123")
    assert {d["dnumber"]: d["status"] for d in listed["data"]} == DESTINATIONS[123]
    campaign = (await api(client, "bulk/campaigns/get", id="123"))["data"]
    assert (campaign["enabled"], campaign["timegroup"]) == (0, 5)
    # The last journaled update's description is the data's: nothing else wrote it.
    updates = [c for c in journal if c["function"] == UPDATE and c["code"] == "204"]
    description = (await api(client, "bulk/campaigns/get", id="124"))["data"]["description"]
    if updates:
        assert description == updates[-1]["params"]["description"]
    for name, path in (
        ("faults", "faults"),
        ("stubs", "stubs"),
        ("outcomes", "outcomes"),
        ("clock", "clock"),
    ):
        assert await control(client, "GET", f"{T}/_mock/{path}") == start[name], name
    # And it stays so: nothing of the old generation writes later.
    again = await control(client, "GET", f"{T}/_mock/dials")
    assert again["total"] == 0
    await control(client, "DELETE", f"{T}/_mock/calls")
    return cut_off


async def test_a_reset_or_a_drop_leaves_nothing_of_the_old_generation(tmp_path):
    async with mockswitch(tmp_path / "whole.sqlite3") as client:
        start = await start_state(client)
        cut = [await whole_round(client, round_, start) for round_ in range(ROUNDS)]
    # The barrier fell while the advance ran in (nearly) every round: the test tried what it
    # says it tries.
    assert sum(cut) >= ROUNDS - 2, cut
