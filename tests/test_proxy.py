"""--proxy-to and --record-stubs, against a second mockswitch process as the "real switch":
forwarding with the caller's parameters, the switch's bytes and status, the journal, the
envelope for a switch that fails, the bounds, and replaying what was recorded offline."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from mockswitch.web.keys import SWITCH
from tests.cast import campaign
from tests.helpers import NO_SUCH_FUNCTION, envelope, ok
from tests.process import Server, free_port, json_file, serving

PEOPLE = [{"id": 100, "username": "user"}, {"id": 101, "username": "admin"}]
UPSTREAM_STUBS = [
    {"function": "people/list", "data": PEOPLE},
    {"function": "people/get", "data": {"id": 100}, "match": {"params": {"id": "100"}}},
    {"function": "people/get", "code": "404", "message": "No such person."},
    {"function": "people/huge", "data": ["x" * 4000]},
]
AUTH = {"auth_username": "user", "auth_password": "password"}


@pytest.fixture
def upstream(tmp_path: Path) -> Iterator[Server]:
    """The "real switch": a mockswitch process that answers people/* with stubs."""
    stubs = json_file(tmp_path, "upstream-stubs.json", UPSTREAM_STUBS)
    with serving(tmp_path, "--db", ":memory:", "--quiet", "--stubs", stubs) as server:
        yield server


def upstream_calls(server: Server, function: str) -> list[dict[str, Any]]:
    return server.json("GET", f"/_mock/calls?function={function}")["calls"]


async def get(client: TestClient, function: str, **params: str) -> tuple[int, bytes, Any]:
    response = await client.get(f"/api/json/{function}/", params={**AUTH, **params})
    body = await response.read()
    return response.status, body, response.headers


async def recorded(client: TestClient, recording: Path) -> str:
    """The recording, once every answer recorded so far is written (it is written off the
    event loop, after the calls are answered)."""
    recorder = client.server.app[SWITCH].beyond.recorder
    await recorder.written()
    return await asyncio.to_thread(recording.read_text)


async def journal(client: TestClient) -> list[dict[str, Any]]:
    return (await (await client.get("/_mock/calls")).json())["calls"]


async def test_an_unknown_function_is_forwarded_with_the_callers_parameters(
    serve, upstream: Server
):
    client = await serve(proxy_to=upstream.url)
    status, body, _headers = await get(client, "people/get", id="100")
    direct = upstream.request(
        "GET", "/api/json/people/get/?auth_username=user;auth_password=password;id=100"
    )
    assert (status, body) == (200, direct[2])
    assert json.loads(body) == envelope(("200", "", "OK"), data={"id": 100})
    response = await client.post("/api/json/people/get", data={**AUTH, "id": "7"})
    assert await response.json() == envelope(("404", "", "No such person."))
    # The switch saw the caller's parameters, as sent, by the method sent.
    seen = upstream_calls(upstream, "people/get")
    assert [(c["method"], c["params"]) for c in seen] == [
        ("GET", {"auth_username": "user", "auth_password": "********", "id": "100"}),
        ("GET", {"auth_username": "user", "auth_password": "********", "id": "100"}),
        ("POST", {"auth_username": "user", "auth_password": "********", "id": "7"}),
    ]
    ours = await journal(client)
    assert [(c["function"], c["code"], c["proxied"], c["stub"]) for c in ours] == [
        ("people/get", "200", True, None),
        ("people/get", "404", True, None),
    ]
    assert ours[0]["params"] == {"auth_username": "user", "auth_password": "********", "id": "100"}
    assert "password;" not in ours[0]["query"]
    assert "auth_password=********" in ours[0]["query"]
    assert ours[0]["username"] == "user"
    # Metrics count forwarded calls under one label, whatever the switch's function names.
    metrics = await (await client.get("/_mock/metrics")).text()
    assert 'mockswitch_calls_total{code="200",fault="none",function="proxied"} 1.0' in metrics
    assert 'mockswitch_calls_total{code="404",fault="none",function="proxied"} 1.0' in metrics


async def test_simulated_and_stubbed_functions_are_never_forwarded(serve, upstream: Server):
    client = await serve(proxy_to=upstream.url)
    await client.post("/_mock/stubs", json={"function": "people/list", "data": []})
    _, body, _ = await get(client, "bulk/campaigns/get", id="123")
    assert json.loads(body) == ok(campaign(123))
    _, body, _ = await get(client, "people/list")
    assert json.loads(body) == envelope(("200", "", "OK"), data=[])
    _, body, _ = await get(client, "not/a/function/name")
    assert json.loads(body) == NO_SUCH_FUNCTION
    assert upstream.json("GET", "/_mock/calls")["calls"] == []
    assert [c["proxied"] for c in await journal(client)] == [False, False, False]


async def test_a_stopped_upstream_gives_the_documented_envelope(serve, upstream: Server):
    client = await serve(proxy_to=upstream.url)
    upstream.stop()
    status, body, _ = await get(client, "people/list")
    assert status == 200
    document = json.loads(body)
    message = document["responses"][0]["message"]
    assert document == envelope(("500", "", message))
    assert message.startswith(f"The switch at {upstream.url} did not answer: cannot connect (")
    (entry,) = await journal(client)
    assert (entry["code"], entry["proxied"], entry["body"]) == ("500", True, body.decode())


async def test_a_slow_upstream_times_out_and_a_large_answer_is_refused(serve, upstream: Server):
    rule = {"match": {"function": "people/list"}, "latency": {"fixed_ms": 3000}}
    assert upstream.request("POST", "/_mock/faults", rule)[0] == 201
    client = await serve(proxy_to=upstream.url, proxy_timeout=0.2, proxy_max_response_bytes=2048)
    _, body, _ = await get(client, "people/list")
    assert json.loads(body) == envelope(
        (
            "500",
            "",
            f"The switch at {upstream.url} did not answer: no answer within 0.2 s (proxy_timeout).",
        )
    )
    _, body, _ = await get(client, "people/huge")
    assert json.loads(body) == envelope(
        (
            "500",
            "",
            f"The switch at {upstream.url} did not answer: its answer is larger than 2048 bytes "
            "(proxy_max_response_bytes).",
        )
    )
    assert [(c["code"], c["proxied"]) for c in await journal(client)] == [
        ("500", True),
        ("500", True),
    ]


async def test_no_more_than_proxy_max_concurrency_calls_are_in_flight(serve, upstream: Server):
    rule = {"match": {"function": "people/list"}, "latency": {"fixed_ms": 150}}
    assert upstream.request("POST", "/_mock/faults", rule)[0] == 201
    client = await serve(proxy_to=upstream.url, proxy_max_concurrency=2)
    answers = await asyncio.gather(*(get(client, "people/list") for _ in range(6)))
    assert {json.loads(body)["responses"][0]["code"] for _, body, _ in answers} == {"200"}
    seen = upstream_calls(upstream, "people/list")
    spans = [
        (at, at + timedelta(milliseconds=c["duration_ms"]))
        for c in seen
        for at in [datetime.fromisoformat(c["at"].replace("Z", "+00:00"))]
    ]
    # At the moment each call arrived upstream, how many were being answered there.
    in_flight = [sum(1 for s, e in spans if s <= start < e) for start, _ in spans]
    assert len(seen) == 6
    assert max(in_flight) == 2


async def test_recorded_answers_replay_offline_without_passwords(
    serve, upstream: Server, tmp_path: Path
):
    recording = tmp_path / "recorded.json"
    client = await serve(proxy_to=upstream.url, record_stubs=str(recording))
    captured = [await get(client, "people/list"), await get(client, "people/get", id="100")]
    await get(client, "people/get", id="100")  # the same call again replaces, not adds
    text = await recorded(client, recording)
    assert "password" not in text.replace("auth_password", "")
    assert json.loads(text) == {
        "stubs": [
            {
                "function": "people/list",
                "responses": [{"code": "200", "key": "", "message": "OK"}],
                "data": PEOPLE,
                "match": {"username": "user"},
            },
            {
                "function": "people/get",
                "responses": [{"code": "200", "key": "", "message": "OK"}],
                "data": {"id": 100},
                "match": {"params": {"id": "100"}, "username": "user"},
            },
        ]
    }
    upstream.stop()
    offline = await serve(stubs=str(recording))
    replayed = [await get(offline, "people/list"), await get(offline, "people/get", id="100")]
    assert [body for _, body, _ in replayed] == [body for _, body, _ in captured]
    assert [c["stub"] for c in await journal(offline)] == [1, 2]


def test_an_unreachable_upstream_at_start_is_one_line_and_the_start_goes_on(tmp_path: Path):
    nowhere = f"http://127.0.0.1:{free_port()}"
    with serving(tmp_path, "--db", ":memory:", "--quiet", "--proxy-to", nowhere) as server:
        status, _, body = server.request(
            "GET", "/api/json/people/list/?auth_username=user&auth_password=password"
        )
        assert status == 200
        assert nowhere in json.loads(body)["responses"][0]["message"]
        lines = [line for line in server.stderr.splitlines() if "proxy" in line]
    assert len(lines) == 1, server.stderr
    assert f"--proxy-to {nowhere} is not reachable now (" in lines[0]


@pytest.mark.parametrize("url", ["switch.example.com", "ftp://x", "http://a b", "http://h/?q=1"])
def test_a_bad_proxy_address_stops_the_start(url: str, capsys):
    from mockswitch.cli import main

    assert main(["serve", "--db", ":memory:", "--proxy-to", url]) == 2
    assert capsys.readouterr().err.startswith("mockswitch: --proxy-to: ")


async def test_concurrent_proxied_calls_are_all_recorded_in_one_valid_file(
    serve, upstream: Server, tmp_path: Path
):
    recording = tmp_path / "recorded.json"
    client = await serve(proxy_to=upstream.url, record_stubs=str(recording))
    ids = range(90, 120)  # the switch knows person 100, and no other
    answers = await asyncio.gather(*(get(client, "people/get", id=str(i)) for i in ids))
    assert {json.loads(body)["responses"][0]["code"] for _, body, _ in answers} == {"200", "404"}
    stubs = json.loads(await recorded(client, recording))["stubs"]
    assert sorted(int(s["match"]["params"]["id"]) for s in stubs) == list(ids)
    assert all(s["match"]["username"] == "user" for s in stubs)


# -- a proxied call whose tenant is reset or dropped while it waits ---------------------------

HELD_BACK = {"match": {"function": "people/get"}, "latency": {"fixed_ms": 400}}


async def held_in_flight(client: TestClient) -> asyncio.Task:
    """A proxied call to tenant "flight", held back by a latency rule; returned once the rule
    has matched it, so that it is in flight and not yet forwarded."""
    added = await client.post("/t/flight/_mock/faults", json=HELD_BACK)
    assert added.status == 201
    call = asyncio.create_task(
        client.get("/t/flight/api/json/people/get/", params={**AUTH, "id": "100"})
    )
    for _ in range(2000):
        rules = await (await client.get("/t/flight/_mock/faults")).json()
        if rules["rules"][0]["matched"]:
            return call
        await asyncio.sleep(0.002)
    raise AssertionError("the call never reached the fault rules")


async def test_a_proxied_call_of_a_tenant_dropped_in_flight_is_never_forwarded(
    serve, upstream: Server
):
    client = await serve(proxy_to=upstream.url)
    call = await held_in_flight(client)
    dropped = await client.delete("/t/flight/_mock")
    assert dropped.status == 200
    response = await call
    assert await response.json() == envelope(
        ("404", "", "The tenant was dropped while this call was in flight.")
    )
    assert response.headers["X-Mockswitch-Call"] == "0"
    assert upstream_calls(upstream, "people/get") == []  # the switch never ran it


async def test_a_proxied_call_of_a_tenant_reset_in_flight_is_sent_once_by_the_fresh_tenant(
    serve, upstream: Server
):
    # The old rule held it back; after the reset it is decided again, by the fresh tenant
    # (no rule), forwarded then, and journaled there, without the old rule's mark.
    client = await serve(proxy_to=upstream.url)
    call = await held_in_flight(client)
    reset = await client.post("/t/flight/_mock/reset")
    assert reset.status == 200
    response = await call
    assert await response.json() == envelope(("200", "", "OK"), data={"id": 100})
    assert len(upstream_calls(upstream, "people/get")) == 1
    calls = (await (await client.get("/t/flight/_mock/calls")).json())["calls"]
    assert [(c["function"], c["proxied"], c["fault"]) for c in calls] == [
        ("people/get", True, None)
    ]
    assert response.headers["X-Mockswitch-Call"] == str(calls[0]["id"])
