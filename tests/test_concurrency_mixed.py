"""Many clients at once, valid, invalid and faulted calls mixed, against a real server process.

40 tasks send 1000 calls between them (POST, so that no client library quietly resends one
on a dropped connection) to `mockswitch serve` on a database file, while fault rules with
seeded dice fail some calls (an envelope 500, a proxy's 503, half an answer after the change
was made, a reset connection) and delay others, and more tasks read the journal meanwhile.
Afterwards:

- the journal holds exactly the calls sent: ids 1 to 1000, one per call, `/_mock/calls/count`
  says 1000, every `X-Mockswitch-Call` id that came back is one of them, each with the status
  its client received;
- "database is locked" never surfaced: in no answer, no journal entry, no line of the log,
  and no internal error (an envelope 500 that no fault rule injected) either;
- each campaign's final state is what replaying the journal's successful updates (code 204,
  not stopped by a fault before the switch saw it) in id order gives, as bulk/campaigns/get
  shows it: the journal's order is the order of the writes.

Bounded: about 2 s here; every request has a 30 s timeout and the server is killed afterwards
whatever happens.
"""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path
from typing import Any

import aiohttp

from tests.cast import CAMPAIGNS, PASSWORD
from tests.process import Server, serving

TASKS = 40
CALLS_PER_TASK = 25
READERS = 4
LOCKED = "database is locked"
OWNED = {"user": (123, 124, 125), "globex": (200, 201)}
INT_FIELDS = {c for c, v in CAMPAIGNS[123].items() if isinstance(v, int)}
RULES = [
    {
        "name": "flaky 500",
        "match": {"function": "bulk/campaigns/update"},
        "action": {"type": "envelope", "code": "500", "message": "Injected failure"},
        "probability": 0.1,
        "seed": 11,
    },
    {
        "name": "proxy 503",
        "match": {"function": "bulk/campaigns/*"},
        "action": {"type": "http", "status": 503, "body": "injected"},
        "probability": 0.05,
        "seed": 12,
    },
    {
        "name": "half an answer, after the change",
        "match": {"function": "bulk/campaigns/update"},
        "action": {"type": "malformed"},
        "probability": 0.05,
        "seed": 13,
    },
    {
        "name": "reset before the switch looks",
        "match": {"function": "bulk/campaigns/*"},
        "action": {"type": "reset"},
        "probability": 0.03,
        "seed": 14,
    },
    {"name": "slow", "latency": {"uniform_ms": [0, 10]}, "probability": 0.3, "seed": 15},
]


def a_call(rng: random.Random, task: int, number: int) -> tuple[str, dict[str, str]]:
    """One call of the mix: mostly valid updates, then reads, invalid calls and strangers."""
    user = rng.choice(list(OWNED))
    auth = {"auth_username": user, "auth_password": PASSWORD}
    campaign = rng.choice(OWNED[user])
    roll = rng.random()
    if roll < 0.55:  # a valid update
        params = {"id": str(campaign), "name": f"t{task}-{number}"}
        for field, values in (
            ("maximum", range(1, 20)),
            ("attempts", range(1, 5)),
            ("retry", range(0, 5000, 60)),
            ("enabled", (0, 1)),
        ):
            if rng.random() < 0.5:
                params[field] = str(rng.choice(values))
        if rng.random() < 0.3:
            params["description"] = f"described by {task}-{number}"
        return "bulk/campaigns/update", {**auth, **params}
    if roll < 0.65:
        return "bulk/campaigns/get", {**auth, "id": str(campaign)}
    if roll < 0.75:  # 400: two bad parameters
        return "bulk/campaigns/update", {**auth, "id": str(campaign), "maximum": "0", "name": ""}
    if roll < 0.80:  # 401
        return "bulk/campaigns/update", {**auth, "auth_password": "wrong", "id": str(campaign)}
    if roll < 0.85:  # 404: another customer's campaign
        stranger = 200 if user == "user" else 123
        return "bulk/campaigns/update", {**auth, "id": str(stranger), "name": "mine now"}
    if roll < 0.90:  # 404: no such function
        return "bulk/campaigns/updat", {**auth, "id": str(campaign)}
    if roll < 0.95:  # 201: validated only, nothing changes
        return "bulk/campaigns/update", {
            **auth,
            "id": str(campaign),
            "name": "never",
            "validation": "1",
        }
    return "bulk/campaigns/list", auth


async def client_task(
    session: aiohttp.ClientSession, url: str, task: int, results: list[dict[str, Any]]
) -> None:
    rng = random.Random(task)
    for number in range(CALLS_PER_TASK):
        function, params = a_call(rng, task, number)
        result: dict[str, Any] = {"function": function}
        try:
            async with session.post(f"{url}/api/json/{function}/", data=params) as response:
                result["status"] = response.status
                result["id"] = response.headers.get("X-Mockswitch-Call")
                result["body"] = await response.read()
        except aiohttp.ClientError as error:  # a reset or a malformed answer
            result["error"] = repr(error)
        results.append(result)


async def reader_task(
    session: aiohttp.ClientSession, url: str, stop: asyncio.Event, bodies: list[bytes]
) -> None:
    """The control API's reads, on their own connection, while the writes go on."""
    while not stop.is_set():
        for path in ("/_mock/calls?order=desc&limit=5", "/_mock/calls/count?code=204"):
            async with session.get(url + path) as response:
                body = await response.read()
                assert response.status == 200, body
                bodies.append(body)
        await asyncio.sleep(0.005)


def replay(calls: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Each campaign as the journal's successful updates, applied in id order, leave it."""
    state = {campaign_id: dict(fields) for campaign_id, fields in CAMPAIGNS.items()}
    for call in sorted(calls, key=lambda c: c["id"]):
        fault = call["fault"]
        if call["function"] != "bulk/campaigns/update" or call["code"] != "204":
            continue
        if fault is not None and fault["action"] is not None and not fault["processed"]:
            continue  # the fault answered before the switch saw the call
        campaign = state[int(call["params"]["id"])]
        for name, value in call["params"].items():
            if name in campaign and name not in ("id", "customer"):
                campaign[name] = int(value) if name in INT_FIELDS else value
        # The vendor's default: an update without keep_agents_available sets it to 0.
        campaign["keep_agents_available"] = int(call["params"].get("keep_agents_available", 0))
    return state


def journal(server: Server) -> list[dict[str, Any]]:
    status, _, body = server.request("GET", "/_mock/calls?format=ndjson", timeout=30)
    assert status == 200
    return [json.loads(line) for line in body.splitlines()]


async def test_mixed_load_keeps_the_journal_exact_and_the_data_in_write_order(tmp_path: Path):
    with serving(tmp_path, "--db", str(tmp_path / "switch.sqlite3")) as server:
        for rule in RULES:
            status, _, body = server.request("POST", "/_mock/faults", rule)
            assert status == 201, body
        results: list[dict[str, Any]] = []
        read_bodies: list[bytes] = []
        stop = asyncio.Event()
        timeout = aiohttp.ClientTimeout(total=30)
        connector = aiohttp.TCPConnector(limit=TASKS + READERS)
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
            readers = [
                asyncio.create_task(reader_task(session, server.url, stop, read_bodies))
                for _ in range(READERS)
            ]
            await asyncio.gather(
                *(client_task(session, server.url, task, results) for task in range(TASKS))
            )
            stop.set()
            await asyncio.gather(*readers)

        sent = TASKS * CALLS_PER_TASK
        assert len(results) == sent
        calls = journal(server)

        # Exactly the calls sent: one entry each, numbered without a gap.
        assert [c["id"] for c in calls] == list(range(1, sent + 1))
        count = server.json("GET", "/_mock/calls/count")
        assert count == {"count": sent, "evicted": 0}
        by_id = {c["id"]: c for c in calls}
        answered = [r for r in results if "status" in r]
        ids = [int(r["id"]) for r in answered]
        assert len(set(ids)) == len(ids) == len(answered)
        for result in answered:
            call = by_id[int(result["id"])]
            assert call["function"] == result["function"]
            assert call["http_status"] == result["status"]
            assert call["body"].encode() == result["body"]
        # The mix was mixed: every kind of outcome and fault happened.
        codes = {c["code"] for c in calls}
        assert codes >= {"", "200", "201", "204", "400", "401", "404", "500"}, codes
        faults = {c["fault"]["name"] for c in calls if c["fault"]}
        assert faults == {r["name"] for r in RULES}, faults
        assert any("error" in r for r in results), "some connections were reset"

        # Never "database is locked", and no internal error that no rule injected.
        assert not [r for r in answered if LOCKED.encode() in r["body"]]
        assert not [b for b in read_bodies if LOCKED.encode() in b]
        assert not [c for c in calls if LOCKED in c["body"]]
        assert LOCKED not in server.stderr
        assert "Traceback" not in server.stderr
        injected = [c for c in calls if c["fault"] and c["fault"]["action"] == "envelope"]
        internal = [c for c in calls if c["code"] == "500" and c not in injected]
        assert internal == []

        # The final state is the journal's last write for each campaign.
        server.json("DELETE", "/_mock/faults")
        expected = replay(calls)
        for campaign_id in (*OWNED["user"], *OWNED["globex"]):
            status, _, body = server.request(
                "GET",
                "/api/json/bulk/campaigns/get/?auth_username=owner;"
                f"auth_password={PASSWORD};id={campaign_id}",
            )
            assert json.loads(body)["data"] == expected[campaign_id], campaign_id
        assert expected != CAMPAIGNS, "the load changed the data"
