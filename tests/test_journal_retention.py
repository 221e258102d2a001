"""`--journal-max N` keeps the newest N calls, and every answer says how many were evicted."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.helpers import OK_204, call

UPDATE, GET = "bulk/campaigns/update", "bulk/campaigns/get"


async def journal(client: TestClient, **params: str) -> tuple[list[int], int, int, Any]:
    """The ids held, the total and evicted of /_mock/calls, and /_mock/calls/count."""
    page = await (await client.get("/_mock/calls", params=params)).json()
    counted = await (await client.get("/_mock/calls/count", params=params)).json()
    return [c["id"] for c in page["calls"]], page["total"], page["evicted"], counted


async def five_calls(client: TestClient) -> None:
    for maximum in range(1, 6):
        await call(client, UPDATE, id=123, maximum=maximum)


async def test_the_newest_are_kept_and_the_evicted_counted(serve):
    client = await serve(journal_max=3)
    await five_calls(client)
    assert await journal(client) == ([3, 4, 5], 3, 2, {"count": 3, "evicted": 2})
    # A filtered answer says so too: what it matched may not be all there was.
    assert await journal(client, **{"param.maximum": "1"}) == (
        [],
        0,
        2,
        {"count": 0, "evicted": 2},
    )
    kept = await (await client.get("/_mock/calls")).json()
    assert [c["params"]["maximum"] for c in kept["calls"]] == ["3", "4", "5"]


async def test_reset_and_clear_zero_the_evicted_count_and_retention_starts_again(serve):
    client = await serve(journal_max=3)
    await five_calls(client)
    assert (await client.post("/_mock/reset")).status == 200
    assert await journal(client) == ([], 0, 0, {"count": 0, "evicted": 0})
    # Room for three again: two calls after the reset are both kept.
    await call(client, GET, id=123)
    await call(client, GET, id=124)
    assert await journal(client) == ([6, 7], 2, 0, {"count": 2, "evicted": 0})

    await call(client, GET, id=125)
    await call(client, GET, id=123)
    assert await journal(client) == ([7, 8, 9], 3, 1, {"count": 3, "evicted": 1})
    assert (await client.delete("/_mock/calls")).status == 200
    assert await journal(client) == ([], 0, 0, {"count": 0, "evicted": 0})


async def test_without_a_maximum_nothing_is_evicted(client):
    await five_calls(client)
    assert await journal(client) == ([1, 2, 3, 4, 5], 5, 0, {"count": 5, "evicted": 0})


async def test_retention_survives_a_restart_on_a_file_database(serve, tmp_path):
    db = str(tmp_path / "j.sqlite3")
    client = await serve(db=db, journal_max=3)
    await five_calls(client)
    await client.close()

    client = await serve(db=db, journal_max=3)
    assert await journal(client) == ([3, 4, 5], 3, 2, {"count": 3, "evicted": 2})
    await call(client, GET, id=123)  # the journal is full: the oldest goes
    assert await journal(client) == ([4, 5, 6], 3, 3, {"count": 3, "evicted": 3})


async def test_the_maximum_holds_for_each_tenant_on_its_own(serve):
    client = await serve(journal_max=3)
    await five_calls(client)
    for maximum in (1, 2):
        assert await call(client, UPDATE, tenant="acme", id=123, maximum=maximum) == (200, OK_204)
    acme = await (await client.get("/t/acme/_mock/calls")).json()
    assert ([c["id"] for c in acme["calls"]], acme["evicted"]) == ([6, 7], 0)
    assert await journal(client) == ([3, 4, 5], 3, 2, {"count": 3, "evicted": 2})
