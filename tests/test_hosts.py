"""The host allow-list: a page whose name is rebound to 127.0.0.1 (DNS rebinding) reaches
nothing, neither the control API nor the Enswitch API; the names rebinding cannot forge, and
those listed with `allowed_hosts`, reach everything as before.

The reproduction: a page on evil.example, its name rebound to 127.0.0.1, sent
`POST /_mock/reset` with `Host: evil.example:8080`, `Origin: http://evil.example:8080` and
`Sec-Fetch-Site: same-origin`, and got a 200; it added a stub and set a real clock at 3600x.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from typing import Any

import pytest

from mockswitch.config import Settings
from mockswitch.web.hosts import CACHE_MOST, HostPolicy
from mockswitch.web.openapi import CONTROL
from mockswitch.web.openapi_control import SCOPES
from tests.helpers import MASK, OK_204, call, envelope, read_campaign, stored_campaign

EVIL = "evil.example:8080"
# What a rebound page's browser sends with each of its requests.
REBOUND = {"Host": EVIL, "Origin": "http://evil.example:8080", "Sec-Fetch-Site": "same-origin"}
AUTH = "auth_username=user&auth_password=password"
MESSAGE = (
    "this server does not answer to the host name {host}: a web page could reach it under a "
    "name of its own (DNS rebinding); if the name is yours, add it with --allowed-hosts "
    "(MOCKSWITCH_ALLOWED_HOSTS)"
)


def refused(host: str = EVIL) -> dict[str, Any]:
    return {"error": {"status": 421, "message": MESSAGE.format(host=host), "field": "Host"}}


def refused_envelope(host: str = EVIL) -> dict[str, Any]:
    text = MESSAGE.format(host=host)
    return envelope(("421", "", f"{text[0].upper()}{text[1:]}."))


def changing_routes() -> list[tuple[str, str]]:
    """Every changing control route the server has, on each of its paths."""
    found = []
    settings = Settings()
    for table in CONTROL:
        for route in table:
            if route.method in ("GET", "HEAD") or not route.enabled(settings):
                continue
            for scope in SCOPES[route.scope]:
                path = (scope + route.path).replace("{tenant}", "acme").replace("{id}", "1")
                found.append((route.method, path))
    return found


async def state(client) -> tuple[Any, ...]:
    """What a changing call could change: the data, the journal, rules, stubs, clock, tenants."""
    reads = ["/_mock/calls", "/_mock/faults", "/_mock/stubs", "/_mock/clock", "/_mock/tenants"]
    documents = [await (await client.get(path)).json() for path in reads]
    return (await stored_campaign(client, 123))["name"], documents


@pytest.mark.parametrize(("method", "path"), changing_routes())
async def test_a_foreign_host_changes_nothing_on_any_changing_control_route(serve, method, path):
    client = await serve()
    assert await call(client, "bulk/campaigns/update", id=123, name="Mine") == (200, OK_204)
    assert await call(client, "bulk/campaigns/get", tenant="acme", id=123)  # acme exists
    before = await state(client)
    response = await client.request(method, path, data=b"{}", headers=REBOUND)
    assert (response.status, await response.json()) == (421, refused())
    assert await state(client) == before


async def test_the_rebinding_reproduction_does_no_harm(client):
    assert await call(client, "bulk/campaigns/update", id=123, name="Mine") == (200, OK_204)
    before = await state(client)
    reset = await client.post("/_mock/reset", headers=REBOUND)
    stub = await client.post(
        "/_mock/stubs", json={"function": "people/list", "data": []}, headers=REBOUND
    )
    clock = await client.put("/_mock/clock", json={"mode": "real", "speed": 3600}, headers=REBOUND)
    for response in (reset, stub, clock):
        assert (response.status, await response.json()) == (421, refused())
    assert await state(client) == before
    # Nor can it read: the journal holds the parameters the developer's tests sent.
    for path in ("/_mock/calls", "/_mock/data/campaigns", "/_mock/ui", "/_mock/openapi.json", "/"):
        response = await client.get(path, headers=REBOUND)
        assert (response.status, await response.json()) == (421, refused()), path


# Without an Origin an API call takes the direct lane (web/direct.py), with one the routed
# lane: the host is judged on both.
LANES = [
    pytest.param({}, id="direct"),
    pytest.param({"Origin": "http://evil.example"}, id="routed"),
]


@pytest.mark.parametrize("lane", LANES)
async def test_an_api_call_to_a_foreign_host_is_a_421_envelope_and_journaled(client, lane):
    rule = await client.post("/_mock/faults", json={"action": {"type": "envelope", "code": "500"}})
    assert rule.status == 201
    response = await client.post(
        f"/api/json/bulk/campaigns/update/?{AUTH}",
        data={"id": "123", "name": "Rebound"},
        headers={"Host": EVIL, **lane},
    )
    answer = refused_envelope()
    assert (response.status, await response.json()) == (421, answer)
    call_id = int(response.headers["X-Mockswitch-Call"])
    entry = await (await client.get(f"/_mock/calls/{call_id}")).json()
    assert {name: entry[name] for name in ("function", "params", "username", "code", "fault")} == {
        "function": "bulk/campaigns/update",
        "params": {"auth_username": "user", "auth_password": MASK},  # the body is not read
        "username": "user",
        "code": "421",
        "fault": None,  # no fault rule sees it, nor counts it
    }
    assert (entry["http_status"], entry["body"]) == (421, json.dumps(answer, separators=(",", ":")))
    shown = await (await client.get("/_mock/faults/1")).json()
    assert (shown["matched"], shown["fired"]) == (0, 0)
    await client.delete("/_mock/faults")
    assert (await read_campaign(client, 123))["name"] == "Spring promo"


async def test_the_421_holds_in_mirror_mode_and_for_unknown_functions(serve):
    client = await serve(http_status="mirror")
    response = await client.get("/api/json/no/such/function/", headers={"Host": EVIL})
    assert (response.status, await response.json()) == (421, refused_envelope())
    entry = await (await client.get("/_mock/calls", params={"limit": "1", "order": "desc"})).json()
    assert (entry["calls"][0]["code"], entry["calls"][0]["http_status"]) == ("421", 421)


async def test_a_foreign_host_is_journaled_in_its_tenant_and_makes_none(client):
    assert (await call(client, "bulk/campaigns/get", tenant="acme", id=123))[0] == 200
    acme = await client.get(f"/t/acme/api/json/bulk/campaigns/get/?{AUTH}&id=1", headers=REBOUND)
    assert (acme.status, await acme.json()) == (421, refused_envelope())
    journal = await (await client.get("/t/acme/_mock/calls")).json()
    assert [c["code"] for c in journal["calls"]] == ["200", "421"]
    ghost = await client.get(f"/t/ghost/api/json/bulk/campaigns/get/?{AUTH}&id=1", headers=REBOUND)
    assert (ghost.status, await ghost.json()) == (421, refused_envelope())
    assert ghost.headers["X-Mockswitch-Call"] == "0"
    tenants = await (await client.get("/_mock/tenants")).json()
    assert sorted(tenants["tenants"]) == ["acme", "default"]


# -- which names the server answers to ---------------------------------------------------------

ANSWERED = [
    "127.0.0.1:8080",
    "10.1.2.3",
    "[::1]:8080",
    "[fe80::1]",
    "localhost",
    "LOCALHOST.:8080",
    "app.localhost:5173",
    "mockswitch:8080",  # a compose service's name
    "mockswitch",
    "host.docker.internal:8080",
    "host.containers.internal",
    "",
]
REFUSED = [
    "evil.example",
    "evil.example.",
    "mockswitch.evil.example:8080",
    "localhost.evil.example",
    "127.0.0.1.nip.io",
    "evil.internal",
    ":8080",
    "[not-an-address]",
]


async def health(client, host: str) -> int:
    response = await client.get("/_mock/health", headers={"Host": host})
    return response.status


async def test_the_defaults_answer_to_what_rebinding_cannot_forge(client):
    for host in ANSWERED:
        assert await health(client, host) == 200, host
    assert await health(client, socket.gethostname()) == 200  # the machine's own name
    for host in REFUSED:
        response = await client.get("/_mock/health", headers={"Host": host})
        assert (response.status, await response.json()) == (421, refused(host)), host


async def test_a_request_without_a_host_is_answered(client):
    """HTTP/1.0 needs no Host, and no browser sends a request without one."""
    reader, writer = await asyncio.open_connection("127.0.0.1", client.port)
    writer.write(b"GET /_mock/health HTTP/1.0\r\n\r\n")
    await writer.drain()
    answer = await reader.read()
    writer.close()
    assert answer.startswith(b"HTTP/1.0 200 OK\r\n"), answer[:80]


async def test_listed_names_and_domains_are_answered(serve):
    client = await serve(allowed_hosts="mock.example,*.ci.example")
    for host in ("mock.example", "Mock.Example.:8080", "runner-7.ci.example", "a.b.ci.example"):
        assert await health(client, host) == 200, host
    for host in ("ci.example", "evil.example", "mock.example.evil.example", "xci.example"):
        assert await health(client, host) == 421, host
    status, body = await call(client, "bulk/campaigns/get", id=123)
    assert (status, body["responses"][0]["code"]) == (200, "200")


async def test_a_star_answers_to_any_host_and_says_so_at_start(serve, caplog):
    with caplog.at_level(logging.WARNING, logger="mockswitch"):
        client = await serve(allowed_hosts="*")
    assert await health(client, EVIL) == 200
    warnings = [r.getMessage() for r in caplog.records if r.name == "mockswitch"]
    assert warnings == [
        "--allowed-hosts '*': the server answers to any Host, so a web page whose name is "
        "rebound to this machine (DNS rebinding) can call it and its control API; list the "
        "names instead"
    ]


# -- the policy itself ---------------------------------------------------------------------------


def test_the_judgements_kept_are_bounded():
    """Every Host value judged once is kept, but only so many: a client cannot grow it."""
    policy = HostPolicy("", own_name="devbox.corp.example")
    assert policy.allows("devbox.corp.example:8080")
    assert not policy.allows("other.corp.example")
    for number in range(3 * CACHE_MOST):
        assert not policy.allows(f"n{number}.evil.example")
    assert len(policy._judged) == CACHE_MOST
    assert not policy.allows(f"n{3 * CACHE_MOST - 1}.evil.example")  # judged afresh, the same
    assert policy.allows("mockswitch:8080")
