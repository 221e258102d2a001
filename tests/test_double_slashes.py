"""Empty path segments are absent, as a web server in front of the real switch reads them.

A PHP SDK joins `https://host/api/json/` and `'/' . $function`, so every call it makes
arrives as `/api/json//bulk/campaigns/get/`. The answer is the function's; the journal files
the call under the clean name and keeps the path as it was sent.
"""

from __future__ import annotations

import json

import pytest
from yarl import URL

from tests.cast import campaign
from tests.helpers import NO_TOKEN, envelope, was_reset

AUTH = "auth_username=user;auth_password=password"
OK_204 = json.dumps(envelope(("204", "", "OK")), separators=(",", ":"))
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def raw(client, target: str) -> URL:
    """`target` exactly as written, even one starting with `//` (which a relative URL reads
    as a host name)."""
    return URL(f"http://{client.host}:{client.port}{target}", encoded=True)


async def entry(client, call_id: str, tenant: str = "") -> dict:
    response = await client.get(f"{tenant}/_mock/calls/{call_id}")
    assert response.status == 200
    return await response.json()


@pytest.mark.parametrize(
    "path",
    [
        "/api/json//bulk/campaigns/get/",
        "/api/json//bulk//campaigns///get//",
        "//api/json/bulk/campaigns/get",
        "/api//json/bulk/campaigns/get/",
        "//api///json///bulk/campaigns/get",
    ],
)
async def test_a_get_with_double_slashes_reaches_the_function(serve, path):
    client = await serve()
    clean = await client.get(f"/api/json/bulk/campaigns/get/?{AUTH};id=124")
    response = await client.session.get(raw(client, f"{path}?{AUTH};id=124"))
    # The whole answer is the clean path's, byte for byte.
    assert (response.status, await response.read()) == (200, await clean.read())
    document = await response.json()
    assert document["responses"] == [{"code": "200", "key": "", "message": "OK"}]
    assert document["data"]["name"] == "Support callback"
    recorded = await entry(client, response.headers["X-Mockswitch-Call"])
    assert (recorded["path"], recorded["function"], recorded["code"]) == (
        path,
        "bulk/campaigns/get",
        "200",
    )


@pytest.mark.parametrize(
    "path",
    ["/api/json//bulk/campaigns/update/", "//api//json//bulk/campaigns/update"],
)
async def test_a_post_with_double_slashes_changes_the_data(serve, path):
    client = await serve()
    response = await client.session.post(
        raw(client, path), data=f"{AUTH};id=123;name=Slashed".encode(), headers=FORM
    )
    assert (response.status, await response.text()) == (200, OK_204)
    recorded = await entry(client, response.headers["X-Mockswitch-Call"])
    assert (recorded["method"], recorded["path"], recorded["function"]) == (
        "POST",
        path,
        "bulk/campaigns/update",
    )
    assert recorded["params"] == {
        "auth_username": "user",
        "auth_password": "********",
        "id": "123",
        "name": "Slashed",
    }
    got = await client.get(f"/api/json/bulk/campaigns/get/?{AUTH};id=123")
    assert (await got.json())["data"] == campaign(123, name="Slashed")


async def test_a_named_tenant_with_double_slashes_everywhere(serve):
    client = await serve()
    path = "/t/acme//api/json//bulk//campaigns/update"
    response = await client.session.post(
        raw(client, path), data=f"{AUTH};id=123;name=Acme".encode(), headers=FORM
    )
    assert (response.status, await response.text()) == (200, OK_204)
    recorded = await entry(client, response.headers["X-Mockswitch-Call"], "/t/acme")
    assert (recorded["path"], recorded["function"]) == (path, "bulk/campaigns/update")
    # The tenant's copy changed, the default tenant's did not.
    acme = await client.get(f"/t/acme/api/json/bulk/campaigns/get/?{AUTH};id=123")
    plain = await client.get(f"/api/json/bulk/campaigns/get/?{AUTH};id=123")
    assert (await acme.json())["data"] == campaign(123, name="Acme")
    assert (await plain.json())["data"] == campaign(123)


async def test_double_slashes_under_the_prefix(serve):
    client = await serve(prefix="/local")
    clean = await client.get(f"/local/api/json/bulk/campaigns/get/?{AUTH};id=123")
    response = await client.session.get(
        raw(client, f"//local//api/json//bulk/campaigns/get/?{AUTH};id=123")
    )
    assert (response.status, await response.read()) == (200, await clean.read())
    assert (await response.json())["data"] == campaign(123)


async def test_an_unknown_function_with_double_slashes_is_still_unknown(serve):
    client = await serve()
    response = await client.session.get(raw(client, f"/api/json//no//such/?{AUTH}"))
    assert await response.json() == envelope(("404", "", "No such function."))
    recorded = await entry(client, response.headers["X-Mockswitch-Call"])
    assert (recorded["path"], recorded["function"]) == ("/api/json//no//such/", "no/such")


async def test_a_path_that_is_not_the_api_stays_a_404(serve):
    client = await serve()
    clean = await client.get("/api/jsonx/bulk/campaigns/get")
    response = await client.session.get(raw(client, "//api/jsonx//bulk/campaigns/get"))
    # The web server's own 404, as for the clean path: not an envelope, and not recorded.
    assert (response.status, await response.read()) == (404, await clean.read())
    assert (clean.status, await clean.text()) == (404, "404: Not Found")
    assert "X-Mockswitch-Call" not in response.headers
    calls = await client.get("/_mock/calls")
    assert (await calls.json())["calls"] == []


async def test_the_admin_token_guards_a_control_call_with_double_slashes(serve):
    client = await serve(admin_token="s3cret")
    response = await client.session.post(raw(client, "//_mock//reset"))
    assert response.status == 401
    assert await response.json() == NO_TOKEN
    allowed = await client.session.post(
        raw(client, "//_mock//reset"), headers={"Authorization": "Bearer s3cret"}
    )
    assert await was_reset(allowed)
