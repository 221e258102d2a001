"""The direct lane (mockswitch/web/direct.py) answers exactly as the routed path does.

Plain API calls without an `Origin` skip the router and the middlewares; every other request
is routed. The same calls are sent both ways (an `Origin` header sends a call the routed way)
and must get the same answers and leave the same journal entries.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from mockswitch.config import Settings
from mockswitch.web.direct import DirectLane, api_path
from tests.cast import PASSWORD
from tests.helpers import OK_204, bad, no_campaign

AUTH = f"auth_username=user&auth_password={PASSWORD}"
# Each call's path and query: valid, invalid, refused, unknown, under a tenant, oddly shaped.
CALLS = [
    f"/api/json/bulk/campaigns/update/?{AUTH}&id=123&name=Lane",
    f"/api/json/bulk/campaigns/update/?{AUTH}&id=123&attempts=0",
    f"/api/json/bulk/campaigns/get/?{AUTH}&id=123",
    f"/api/json/bulk/campaigns/get/?{AUTH}&id=999",
    "/api/json/bulk/campaigns/get/?auth_username=user&auth_password=wrong&id=123",
    f"/api/json/no/such/function/?{AUTH}",
    f"/api/json/bulk/campaigns/list?{AUTH}",
    f"/api/json/bulk/campaigns/get/?{AUTH}&id=12%33",
    f"/api/json/bulk/campaigns/get/?{AUTH}&id=123&id=124",
    f"/t/lane/api/json/bulk/campaigns/update/?{AUTH}&id=124&retry=61",
    f"/t/lane/api/json/bulk/campaigns/get/?{AUTH}&id=124",
    f"/t/bad name/api/json/bulk/campaigns/get/?{AUTH}&id=124",
    f"/api/json/bulk//campaigns/get/?{AUTH}&id=125",
]
VOLATILE = ("id", "at", "duration_ms")  # differ between two calls however they are answered


def _routed(request: web.BaseRequest) -> Any:
    raise AssertionError("routed")


@pytest.mark.parametrize(
    ("method", "path", "headers", "direct"),
    [
        ("GET", "/api/json/bulk/campaigns/update/?id=1", {}, True),
        ("POST", "/api/json/bulk/campaigns/update/", {}, True),
        ("GET", "/t/a-b.c_1/api/json/bulk/campaigns/get/", {}, True),
        ("GET", "/local/api/json/bulk/campaigns/get/", {}, True),
        ("GET", "/local/t/x/api/json/bulk/campaigns/get/", {}, True),
        ("GET", "/api/json/", {}, True),
        # Each of these needs a layer of the routed path: CORS, preflight, other methods,
        # escapes and runs of slashes (the router decodes and merges), an invalid tenant name,
        # anything that is not the API.
        ("GET", "/api/json/bulk/campaigns/get/", {"Origin": "http://localhost:5173"}, False),
        ("POST", "/api/json/bulk/campaigns/update/", {"Expect": "100-continue"}, False),
        ("OPTIONS", "/api/json/bulk/campaigns/get/", {}, False),
        ("PUT", "/api/json/bulk/campaigns/get/", {}, False),
        ("HEAD", "/api/json/bulk/campaigns/get/", {}, False),
        ("GET", "/api/json/bulk/campaigns%2Fget/", {}, False),
        ("GET", "//api/json/bulk/campaigns/get/", {}, False),
        ("GET", "/api/json//bulk/campaigns/get/", {}, False),
        ("GET", "/t/%41/api/json/bulk/campaigns/get/", {}, False),
        ("GET", "/t/-x/api/json/bulk/campaigns/get/", {}, False),
        ("GET", "/other/api/json/bulk/campaigns/get/", {}, False),
        ("GET", "/_mock/calls", {}, False),
        ("POST", "/_mock/reset", {}, False),
        ("GET", "/api/jsonx/bulk", {}, False),
    ],
)
async def test_which_requests_take_the_lane(method, path, headers, direct):
    taken: list[str] = []

    async def routed(request: web.BaseRequest) -> web.StreamResponse:
        taken.append("routed")
        return web.Response(status=299)

    lane = DirectLane(web.Application(), routed, Settings(prefix="/local"))
    request = make_mocked_request(method, path, headers=headers)
    if direct:
        # The lane takes it: with no switch on this bare application, the handler fails,
        # and errors_as_json answers Enswitch's internal error, as the routed path would.
        answer = await lane(request)
        assert taken == []
        assert (answer.status, answer.body) == (
            200,
            b'{"responses":[{"code":"500","key":"","message":"Internal error"}]}',
        )
    else:
        answer = await lane(request)
        assert (taken, answer.status) == (["routed"], 299)


def test_the_lane_matches_the_routes_shapes_only():
    plain = api_path(Settings())
    assert plain.fullmatch("/api/json/bulk/campaigns/get/")["function"] == "bulk/campaigns/get/"
    assert plain.fullmatch("/t/x/api/json/a")["tenant"] == "x"
    assert plain.fullmatch("/local/api/json/a") is None  # no prefix set: not an API path
    prefixed = api_path(Settings(prefix="/local"))
    assert prefixed.fullmatch("/local/t/x/api/json/a").group("tenant", "function") == ("x", "a")


async def test_both_ways_answer_alike_and_journal_alike(serve):
    client = await serve()
    answers: dict[str, list[tuple[int, str, bytes, str]]] = {"direct": [], "routed": []}
    for way, headers in (("direct", {}), ("routed", {"Origin": "http://elsewhere.example"})):
        await client.post("/_mock/reset")
        await client.post("/t/lane/_mock/reset")
        for path in CALLS:
            for method in ("GET", "POST"):
                response = await client.request(method, path, headers=headers)
                answers[way].append(
                    (
                        response.status,
                        response.headers.get("Content-Type", ""),
                        await response.read(),
                        "call id" if "X-Mockswitch-Call" in response.headers else "no call id",
                    )
                )
        journals = []
        for tenant in ("", "/t/lane"):
            page = await (await client.get(f"{tenant}/_mock/calls?limit=1000")).json()
            journals.append(
                [{k: v for k, v in call.items() if k not in VOLATILE} for call in page["calls"]]
            )
        answers[way].append(journals)  # type: ignore[arg-type]
    assert answers["direct"] == answers["routed"]
    # And they are real answers: the GETs of the valid update, the 400 and the 404.
    bodies = [json.loads(body) for _, _, body, _ in answers["direct"][:-1]]  # type: ignore[misc]
    assert bodies[0] == OK_204
    assert bodies[2] == bad(("attempts", "must be at least 1"))
    assert bodies[6] == no_campaign("view it")


async def test_a_post_that_expects_100_continue_gets_it_then_its_answer(serve):
    """curl sends `Expect: 100-continue` with a form over 1 KiB and waits for the interim
    answer before the body: the server must give it, then answer the call."""
    client = await serve()
    text = f"auth_username=user;auth_password={PASSWORD};id=123;name={'x' * 200};"
    body = (text + f"description={'d' * 250}").encode()
    reader, writer = await asyncio.open_connection(client.host, client.port)
    try:
        writer.write(
            b"POST /api/json/bulk/campaigns/update/ HTTP/1.1\r\nHost: mock\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: %d\r\nExpect: 100-continue\r\n\r\n" % len(body)
        )
        await writer.drain()
        interim = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        writer.write(body)
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
        assert head.startswith(b"HTTP/1.1 200 OK\r\n"), head
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        assert json.loads(await reader.readexactly(length)) == OK_204
    finally:
        writer.close()
    campaign = await client.get(
        "/api/json/bulk/campaigns/get/",
        params={"auth_username": "user", "auth_password": PASSWORD, "id": "123"},
    )
    data = (await campaign.json())["data"]
    assert (data["name"], data["description"]) == ("x" * 200, "d" * 250)
