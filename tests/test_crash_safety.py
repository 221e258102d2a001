"""kill -9 in the middle of the load, start again on the same file: nothing answered is lost.

`mockswitch serve --db <file>` (WAL, synchronous=normal, the defaults) takes writes from
several clients; every call whose answer arrived is noted with its `X-Mockswitch-Call` id
and code. The process is then killed with SIGKILL, mid-load, and afterwards:

- SQLite's `PRAGMA integrity_check` says ok (the file, recovered from its WAL);
- a new server starts on the file, and every answered call is in its journal with that id,
  function, code and body; the journal is the calls 1 to N without a gap (a tail of calls
  that were never answered may be missing, never one in the middle);
- the data equals the journal's successful updates replayed in id order: a change and its
  journal entry are committed together, or not at all;
- numbering goes on after the last id kept.

Bounded: about 2 s; each request has a 10 s timeout, the load 30 s, and both server
processes are killed in a `finally` whatever happens.
"""

from __future__ import annotations

import asyncio
import json
import random
import signal
import sqlite3
from pathlib import Path
from typing import Any

import aiohttp

from tests.cast import DESTINATIONS, PASSWORD
from tests.process import serving
from tests.test_concurrency_mixed import OWNED, replay

TASKS = 6
OWNER = f"auth_username=owner;auth_password={PASSWORD}"
KILL_AFTER = 300  # answered calls before the kill; the tasks keep sending meanwhile


async def writer(
    session: aiohttp.ClientSession,
    url: str,
    task: int,
    answered: list[dict[str, Any]],
    killed: asyncio.Event,
) -> bool:
    """Write until the server is gone; whether a call was cut off by the kill."""
    rng = random.Random(task)
    number = 0
    while not killed.is_set():
        number += 1
        user = rng.choice(list(OWNED))
        campaign = rng.choice(OWNED[user])
        params = {"auth_username": user, "auth_password": PASSWORD}
        if rng.random() < 0.7:
            function = "bulk/campaigns/update"
            params |= {"id": str(campaign), "name": f"t{task}-{number}"}
            params["maximum"] = str(rng.randint(1, 50))
        else:
            function = "bulk/destinations/create"
            dnumbers = ",".join(str(rng.randint(10**9, 10**10)) for _ in range(5))
            params |= {"campaign": str(campaign), "dnumbers": dnumbers}
        try:
            async with session.post(f"{url}/api/json/{function}/", data=params) as response:
                body = await response.read()
                answered.append(
                    {
                        "id": int(response.headers["X-Mockswitch-Call"]),
                        "function": function,
                        "code": json.loads(body)["responses"][0]["code"],
                        "body": body.decode(),
                    }
                )
        except (aiohttp.ClientError, TimeoutError):
            return True  # the server is gone, with this call in flight
    return False


async def load_until_killed(url: str, process) -> list[dict[str, Any]]:
    answered: list[dict[str, Any]] = []
    killed = asyncio.Event()
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        tasks = [
            asyncio.create_task(writer(session, url, task, answered, killed))
            for task in range(TASKS)
        ]
        while len(answered) < KILL_AFTER:
            await asyncio.sleep(0.001)
            assert not all(t.done() for t in tasks), "the writers stopped before the kill"
        process.send_signal(signal.SIGKILL)  # mid-load: the writers are still sending
        killed.set()
        cut_off = await asyncio.wait_for(asyncio.gather(*tasks), 30)
    process.wait(10)
    assert any(cut_off), "the kill came while calls were in flight"
    return answered


async def test_kill_9_during_load_loses_nothing_that_was_answered(tmp_path: Path):
    db = tmp_path / "switch.sqlite3"
    with serving(tmp_path, "--db", str(db)) as server:
        answered = await load_until_killed(server.url, server.process)
        assert server.process.returncode == -signal.SIGKILL
    assert len(answered) >= KILL_AFTER

    # The file, as the killed process left it (WAL and all), is sound.
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]

    with serving(tmp_path, "--db", str(db)) as again:
        status, _, body = again.request("GET", "/_mock/calls?format=ndjson", timeout=30)
        assert status == 200
        calls = {c["id"]: c for c in map(json.loads, body.splitlines())}
        # Every answered call is there, as it was answered.
        missing = [a for a in answered if a["id"] not in calls]
        assert missing == []
        for call in answered:
            kept = calls[call["id"]]
            assert (kept["function"], kept["code"], kept["body"]) == (
                call["function"],
                call["code"],
                call["body"],
            )
        # A prefix of the calls: none missing in the middle.
        assert sorted(calls) == list(range(1, len(calls) + 1))
        assert len(calls) >= max(a["id"] for a in answered)
        # The numbering goes on after the last id kept.
        _, headers, _ = again.request("GET", f"/api/json/bulk/campaigns/get/?{OWNER};id=1")
        assert int(headers["X-Mockswitch-Call"]) == len(calls) + 1
        # The data is the journal's writes, no more and no less.
        expected = replay(list(calls.values()))
        written: dict[int, set[str]] = {}
        for call in calls.values():
            if call["function"] == "bulk/destinations/create" and call["code"] == "200":
                numbers = call["params"]["dnumbers"].split(",")
                written.setdefault(int(call["params"]["campaign"]), set()).update(numbers)
        assert written, "destinations were written too"
        for campaign_id in (*OWNED["user"], *OWNED["globex"]):
            _, _, body = again.request(
                "GET", f"/api/json/bulk/campaigns/get/?{OWNER};id={campaign_id}"
            )
            assert json.loads(body)["data"] == expected[campaign_id], campaign_id
            _, _, body = again.request(
                "GET", f"/api/json/bulk/destinations/list/?{OWNER};campaign={campaign_id}"
            )
            present = {d["dnumber"] for d in json.loads(body)["data"]}
            added = present - set(DESTINATIONS[campaign_id])
            assert added == written.get(campaign_id, set()), campaign_id
