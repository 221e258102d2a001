"""A call no stub selects: the same 404 as a function without stubs (it authenticates no one,
docs/api.md), and the journal entry's warnings and the log line name the stub that came
closest and every field that differed."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.helpers import NO_SUCH_FUNCTION
from tests.hostile import hostile_switch

MISSED_7 = (
    'no stub of people/get matched: the closest, stub 1, wants params.id "100" (the call: "7")'
)
BY_ID = {"function": "people/get", "data": {"id": 100}, "match": {"params": {"id": "100"}}}
AS_ADMIN = {
    "function": "people/get",
    "data": {"id": 101},
    "match": {"username": "admin", "params": {"id": "101", "detail": "full"}},
}


async def get(client: TestClient, function: str, **params: str) -> tuple[int, bytes]:
    response = await client.get(f"/api/json/{function}/", params=params)
    return response.status, await response.read()


async def journal(client: TestClient) -> list[dict[str, Any]]:
    return (await (await client.get("/_mock/calls")).json())["calls"]


async def test_a_near_miss_names_the_closest_stub_and_what_differed(serve, caplog):
    client = await serve(quiet=False)
    for stub in (BY_ID, AS_ADMIN):
        assert (await client.post("/_mock/stubs", json=stub)).status == 201
    auth = {"auth_username": "user", "auth_password": "password"}
    with caplog.at_level(logging.INFO, logger="mockswitch.calls"):
        missed = [
            await get(client, "people/get", **auth, id="7"),
            await get(client, "people/get", **auth),
            await get(client, "people/get", **auth, id="101", detail="full"),
        ]
    # The client's answer is the one a function without stubs gets.
    unstubbed = await get(client, "phones/get", **auth, id="7")
    assert missed == [unstubbed] * 3
    assert json.loads(unstubbed[1]) == NO_SUCH_FUNCTION
    warnings = [c["warnings"] for c in await journal(client)]
    assert warnings == [
        [MISSED_7],
        [
            'no stub of people/get matched: the closest, stub 1, wants params.id "100" '
            "(the call: absent)"
        ],
        [
            'no stub of people/get matched: the closest, stub 2, wants username "admin" (the '
            'call: "user")'
        ],
        # No stub at all for it: the nearest function's name instead (issue 27).
        ["no function `phones/get` is served or stubbed here (did you mean `people/get`?)"],
    ]
    lines = [r.getMessage() for r in caplog.records if " people/get " in r.getMessage()]
    assert len(lines) == 3
    for line, said in zip(lines, warnings[:3], strict=True):
        assert line.endswith(f" warning: {said[0]}")


async def test_a_near_miss_goes_to_the_switch_with_its_warning(serve):
    with hostile_switch({}) as switch:
        client = await serve(proxy_to=switch.url)
        assert (await client.post("/_mock/stubs", json=BY_ID)).status == 201
        status, body = await get(client, "people/get", auth_username="user", id="7")
        assert (status, json.loads(body)["data"]) == (200, {"function": "people/get", "id": "7"})
    [entry] = await journal(client)
    assert (entry["proxied"], entry["username"], entry["warnings"]) == (
        True,
        "user",
        [MISSED_7],
    )


@pytest.mark.parametrize("stubbed", [False, True], ids=["without stubs", "with stubs"])
async def test_an_unknown_function_authenticates_no_one_with_or_without_stubs(serve, stubbed: bool):
    client = await serve()
    if stubbed:  # people/get has a stub, but none selects these calls
        assert (await client.post("/_mock/stubs", json=BY_ID)).status == 201
    credentials = [
        {"auth_username": "user", "auth_password": "password"},
        {"auth_username": "user", "auth_password": "wrong"},
        {"auth_username": "nobody", "auth_password": "password"},
        {},
    ]
    for given in credentials:
        assert await get(client, "people/get", **given, id="7") == (
            200,
            json.dumps(NO_SUCH_FUNCTION, separators=(",", ":")).encode(),
        )
    entries = await journal(client)
    assert [(c["code"], c["username"], c["stub"]) for c in entries] == [("404", "", None)] * 4
    # A call a stub does select is that function's: it authenticates first.
    _, body = await get(client, "people/get", auth_username="user", auth_password="wrong", id="100")
    expected = (
        "The authentication details provided are invalid." if stubbed else "No such function."
    )
    assert json.loads(body)["responses"][0]["message"] == expected
