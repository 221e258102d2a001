"""Every journal entry is bounded, whatever the client sent, and so is a page of them.

The path, the function, the query string, the username, the key and each parameter's name
and value are kept up to `journal_field_cap` characters, the body up to `journal_body_cap`;
`truncated` lists what was cut. Calls refused with 413 are covered too: their path and
query string were stored whole before.
"""

from __future__ import annotations

from pathlib import Path

from yarl import URL

from tests.helpers import NO_SUCH_FUNCTION, envelope

AUTH = "auth_username=user;auth_password=password"
FIELD_CAP = 16384  # the default journal_field_cap
TOO_LARGE = envelope(("413", "", "The request is larger than the limit of 262144 bytes."))


async def entry(client, response) -> dict:
    found = await client.get(f"/_mock/calls/{response.headers['X-Mockswitch-Call']}")
    return await found.json()


def db_bytes(tmp_path: Path) -> int:
    return sum(p.stat().st_size for p in tmp_path.iterdir() if p.name.startswith("j.sqlite3"))


async def test_a_2_mb_path_and_a_1_mb_query_leave_a_small_page(serve, tmp_path):
    client = await serve(db=str(tmp_path / "j.sqlite3"))
    before = db_bytes(tmp_path)
    long_path = "/api/json/" + "p" * 2**21
    long_query = "q=" + "x" * 2**20
    both = await client.get(URL(f"{long_path}?{long_query}", encoded=True))
    assert await both.json() == TOO_LARGE
    path_only = await client.get(URL(f"{long_path}?{AUTH}", encoded=True))
    assert await path_only.json() == NO_SUCH_FUNCTION
    query_only = await client.get(URL(f"/api/json/bulk/campaigns/get/?{long_query}", encoded=True))
    assert await query_only.json() == TOO_LARGE

    page = await client.get("/_mock/calls", params={"limit": "2"})
    assert len(await page.read()) < 300_000
    listed = await (await client.get("/_mock/calls")).read()
    assert len(listed) < 300_000

    first = await entry(client, both)
    # The warning quotes the function sent, and is cut like it.
    assert first["truncated"] == ["path", "function", "query", "warnings"]
    assert first["warnings"] == [f"no function `{'p' * 2**21}"[:FIELD_CAP]]
    assert first["body_truncated"] is False
    assert first["path"] == long_path[:FIELD_CAP]
    assert first["function"] == ("p" * 2**21)[:FIELD_CAP]
    assert first["query"] == long_query[:FIELD_CAP]
    assert first["params"] == {}
    second = await entry(client, path_only)
    assert (second["truncated"], second["query"]) == (
        ["path", "function", "warnings"],
        "auth_username=user;auth_password=********",
    )
    assert (await entry(client, query_only))["truncated"] == ["query"]
    await client.close()  # everything reaches the file
    assert db_bytes(tmp_path) - before < 1_000_000


async def test_a_value_as_long_as_the_cap_is_kept_whole(serve):
    client = await serve(journal_field_cap=64)
    response = await client.get(
        URL(f"/api/json/bulk/campaigns/get/?{AUTH};id=123;note={'n' * 64}", encoded=True)
    )
    recorded = await entry(client, response)
    # The query string as a whole is longer than the cap; no parameter is.
    assert (recorded["truncated"], recorded["body_truncated"]) == (["query"], False)
    assert recorded["params"]["note"] == "n" * 64
    assert (
        recorded["query"]
        == f"{AUTH};id=123;note={'n' * 64}".replace("password=password", "password=********")[:64]
    )


async def test_an_ordinary_call_is_not_flagged(client):
    response = await client.get(f"/api/json/bulk/campaigns/get/?{AUTH};id=123")
    recorded = await entry(client, response)
    assert (recorded["truncated"], recorded["body_truncated"]) == ([], False)


async def test_parameter_names_and_values_are_cut_to_the_setting(serve):
    client = await serve(journal_field_cap=64)
    long_name, long_value = "n" * 100, "v" * 5000
    response = await client.post(
        "/api/json/bulk/campaigns/update/",
        data={
            "auth_username": "user",
            "auth_password": "password",
            "id": "124",
            "description": "d" * 200,
            "note": long_value,
            long_name: "1",
        },
    )
    assert await response.json() == envelope(("204", "", "OK"))
    recorded = await entry(client, response)
    assert recorded["truncated"] == ["params", "unknown"]
    assert recorded["params"] == {
        "auth_username": "user",
        "auth_password": "********",
        "id": "124",
        "description": "d" * 64,
        "note": "v" * 64,
        "n" * 64: "1",
    }
    assert recorded["unknown"] == ["note", "n" * 64]
    # The change itself is whole: only the record of it is cut.
    got = await client.get(f"/api/json/bulk/campaigns/get/?{AUTH};id=124")
    assert (await got.json())["data"]["description"] == "d" * 200


async def test_the_username_and_the_key_are_cut_too(serve):
    client = await serve(journal_field_cap=64)
    rule = {"match": {"function": "bulk/campaigns/get"}, "action": {"type": "http"}}
    assert (await client.post("/_mock/faults", json=rule)).status == 201
    faulted = await client.get(
        URL(f"/api/json/bulk/campaigns/get/?auth_username={'u' * 80}", encoded=True)
    )
    assert faulted.status == 503
    recorded = await entry(client, faulted)
    assert (recorded["username"], recorded["truncated"]) == (
        "u" * 64,
        ["query", "params", "username"],
    )
    bad = await client.get(
        URL(f"/api/json/bulk/campaigns/update/?{AUTH};id=123;{'k' * 80}=%zz", encoded=True)
    )
    body = await bad.json()
    assert body == envelope(("400", "k" * 80, "has malformed percent-encoding"))
    recorded = await entry(client, bad)
    assert (recorded["key"], recorded["truncated"]) == ("k" * 64, ["query", "key"])
