"""500 calls at once: every one recorded, and each visible the moment its answer arrives."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp.test_utils import TestClient

CALLS = 500
USER = {"auth_username": "user", "auth_password": "password"}


def request_for(n: int) -> tuple[str, dict[str, str]]:
    """A mix of changes, reads and invalid calls."""
    kind = n % 3
    if kind == 0:
        return "bulk/campaigns/update", {**USER, "id": "123", "maximum": str(n % 9 + 1)}
    if kind == 1:
        return "bulk/campaigns/get", {**USER, "id": "123"}
    return "bulk/campaigns/update", {**USER, "id": "123", "maximum": "none"}


async def call_and_look(client: TestClient, n: int) -> dict[str, Any]:
    """Make call `n`, then at once read its own journal entry."""
    function, params = request_for(n)
    response = await client.get(f"/api/json/{function}/", params=params)
    code = (await response.json())["responses"][0]["code"]
    call_id = response.headers["X-Mockswitch-Call"]
    looked = await client.get(f"/_mock/calls/{call_id}")
    entry = await looked.json() if looked.status == 200 else None
    return {"n": n, "id": int(call_id), "code": code, "status": looked.status, "entry": entry}


async def test_500_concurrent_calls_make_500_entries_each_visible_at_once(serve, tmp_path):
    # A file database: the control API reads through its own connection, as in real use.
    client = await serve(db=str(tmp_path / "j.sqlite3"))
    results = await asyncio.gather(*(call_and_look(client, n) for n in range(CALLS)))

    unseen = [r for r in results if r["status"] != 200]
    assert unseen == []
    mismatched = [
        r
        for r in results
        if (r["entry"]["id"], r["entry"]["code"], r["entry"]["params"])
        != (r["id"], r["code"], {**request_for(r["n"])[1], "auth_password": "********"})
    ]
    assert mismatched == []
    assert sorted(r["code"] for r in results).count("400") == CALLS // 3

    count = await (await client.get("/_mock/calls/count")).json()
    assert count == {"count": CALLS, "evicted": 0}
    response = await client.get("/_mock/calls", params={"format": "ndjson"})
    journal = [line for line in (await response.text()).splitlines() if line]
    assert len(journal) == CALLS
    assert sorted(r["id"] for r in results) == list(range(1, CALLS + 1))

    # The journal's order is the order of the writes: the last update it lists is the one
    # whose value the campaign holds.
    updates = await (
        await client.get(
            "/_mock/calls",
            params={"function": "bulk/campaigns/update", "code": "204", "order": "desc"},
        )
    ).json()
    last_written = updates["calls"][0]["params"]["maximum"]
    campaign = await (
        await client.get("/api/json/bulk/campaigns/get/", params={**USER, "id": "123"})
    ).json()
    assert str(campaign["data"]["maximum"]) == last_written
