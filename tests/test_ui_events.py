"""`/_mock/events`: the journal as server-sent events, in order, from a cursor, per tenant."""

from __future__ import annotations

import asyncio
import http.client
import json
import socket
import time
import urllib.parse
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from mockswitch.testing import ServerThread
from mockswitch.web import events
from tests.cast import PASSWORD

GET, UPDATE = "bulk/campaigns/get", "bulk/campaigns/update"


async def api(client: TestClient, function: str, scope: str = "", **params: Any) -> int:
    """Call a function as `user`; the call's journal id."""
    query = {"auth_username": "user", "auth_password": PASSWORD, **params}
    response = await client.get(f"{scope}/api/json/{function}/", params=query)
    await response.read()
    return int(response.headers["X-Mockswitch-Call"])


async def next_event(response: ClientResponse, within: float = 5.0) -> dict[str, str]:
    """The next event with data (comments and `retry` alone are skipped)."""
    fields: dict[str, str] = {}
    async with asyncio.timeout(within):
        while True:
            raw = await response.content.readline()
            if not raw:
                raise EOFError("the stream ended")
            line = raw.decode().rstrip("\n")
            if not line:
                if "data" in fields:
                    return fields
                fields = {}
            elif not line.startswith(":"):
                name, _, value = line.partition(":")
                fields[name] = value.removeprefix(" ")


async def next_call(response: ClientResponse) -> dict[str, Any]:
    event = await next_event(response)
    assert event["event"] == "call", event
    call = json.loads(event["data"])
    assert event["id"] == str(call["id"])
    return call


async def open_stream(
    client: TestClient, scope: str = "", headers: dict[str, str] | None = None, **query: Any
) -> ClientResponse:
    response = await client.get(f"{scope}/_mock/events", params=query, headers=headers)
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"].startswith("text/event-stream")
    return response


async def test_new_calls_arrive_in_order_as_the_calls_api_shows_them(client: TestClient):
    before = await api(client, GET, id=123)
    stream = await open_stream(client)
    ids = [
        await api(client, GET, id=123),
        await api(client, UPDATE, id=123, name="Renamed"),
        await api(client, GET, id=124),
    ]
    received = [await next_call(stream) for _ in ids]
    assert [c["id"] for c in received] == ids  # not `before`: without since, new calls only
    assert before < ids[0]
    assert [c["function"] for c in received] == [GET, UPDATE, GET]
    shown = await (await client.get(f"/_mock/calls/{ids[1]}")).json()
    assert received[1] == shown
    stream.close()


async def test_since_replays_the_calls_after_it_then_follows(client: TestClient):
    first, second, third = [await api(client, GET, id=123) for _ in range(3)]
    stream = await open_stream(client, since=first)
    assert [(await next_call(stream))["id"] for _ in range(2)] == [second, third]
    fourth = await api(client, GET, id=124)
    assert (await next_call(stream))["id"] == fourth
    stream.close()
    everything = await open_stream(client, since=0)
    assert [(await next_call(everything))["id"] for _ in range(4)] == [first, second, third, fourth]
    everything.close()


async def test_last_event_id_wins_over_since(client: TestClient):
    ids = [await api(client, GET, id=123) for _ in range(3)]
    # A reconnecting browser repeats its URL (since=0) and says where it got to.
    stream = await open_stream(client, headers={"Last-Event-ID": str(ids[1])}, since=0)
    assert (await next_call(stream))["id"] == ids[2]
    stream.close()


async def test_each_tenant_streams_only_its_own_calls(client: TestClient):
    await api(client, GET, scope="/t/alpha", id=123)
    alpha = await open_stream(client, "/t/alpha")
    default = await open_stream(client)
    await api(client, GET, scope="/t/beta", id=123)
    in_default = await api(client, GET, id=123)
    in_alpha = await api(client, UPDATE, scope="/t/alpha", id=123, name="Alpha")
    got = await next_call(alpha)
    assert (got["id"], got["function"]) == (in_alpha, UPDATE)
    assert (await next_call(default))["id"] == in_default
    with pytest.raises(TimeoutError):  # beta's and alpha's calls never reach the default stream
        await next_event(default, within=0.3)
    alpha.close()
    default.close()


async def test_a_reset_says_the_journal_was_emptied(client: TestClient):
    stream = await open_stream(client)
    await api(client, GET, id=123)
    await next_call(stream)
    assert (await client.post("/_mock/reset")).status == 200
    event = await next_event(stream)
    assert (event["event"], json.loads(event["data"])) == ("journal", {"oldest": None})
    after = await api(client, GET, id=123)
    assert (await next_call(stream))["id"] == after
    stream.close()


async def test_retention_says_which_calls_remain(serve):
    client = await serve(journal_max=2)
    ids = [await api(client, GET, id=123) for _ in range(2)]
    stream = await open_stream(client, since=0)
    assert [(await next_call(stream))["id"] for _ in ids] == ids
    third = await api(client, GET, id=123)
    assert (await next_call(stream))["id"] == third
    event = await next_event(stream)
    assert (event["event"], json.loads(event["data"])) == ("journal", {"oldest": ids[1]})
    stream.close()


async def test_a_dropped_tenant_ends_its_stream(client: TestClient):
    await api(client, GET, scope="/t/short-lived", id=123)
    stream = await open_stream(client, "/t/short-lived")
    assert (await client.delete("/t/short-lived/_mock")).status == 200
    assert (await next_event(stream))["event"] == "gone"
    with pytest.raises(EOFError):
        await next_event(stream)


async def test_idle_streams_get_heartbeats(client: TestClient, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(events, "HEARTBEAT_SECONDS", 0.05)
    stream = await open_stream(client)
    async with asyncio.timeout(5):
        lines = [await stream.content.readline() for _ in range(4)]
    assert b": heartbeat\n" in lines
    stream.close()


@pytest.mark.parametrize(
    ("query", "headers", "field", "message"),
    [
        ({"since": "soon"}, {}, "since", "must be an integer"),
        ({"since": "-1"}, {}, "since", "must be at least 0"),
        ({}, {"Last-Event-ID": "x"}, "Last-Event-ID", "must be an integer"),
        ({"sinse": "3"}, {}, "sinse", "unknown parameter 'sinse' (known: since)"),
    ],
)
async def test_a_bad_cursor_is_a_400_naming_it(client: TestClient, query, headers, field, message):
    response = await client.get("/_mock/events", params=query, headers=headers)
    assert (response.status, await response.json()) == (
        400,
        {"error": {"status": 400, "message": message, "field": field}},
    )


async def test_a_tenant_never_used_is_a_404(client: TestClient):
    response = await client.get("/t/nobody/_mock/events")
    assert (response.status, await response.json()) == (
        404,
        {"error": {"status": 404, "message": "no tenant called 'nobody'", "field": "tenant"}},
    )


async def test_a_client_that_stops_reading_is_dropped(serve, monkeypatch: pytest.MonkeyPatch):
    """Bounded: the stream waits for the socket, then gives up; nothing piles up."""
    monkeypatch.setattr(events, "WRITE_TIMEOUT_SECONDS", 0.3)
    client = await serve(journal_field_cap=150_000)  # the journal keeps the padding whole
    big = "x" * 150_000  # each event carries it twice: in the query and in the parameters
    for _ in range(40):  # about 12 MB of events, more than the socket buffers hold
        await api(client, GET, id=123, padding=big)
    streams = client.server.app[events.STREAMS]
    reader = socket.socket()
    reader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    reader.setblocking(False)
    loop = asyncio.get_running_loop()
    try:
        await loop.sock_connect(reader, (client.server.host, client.server.port))
        await loop.sock_sendall(
            reader, b"GET /_mock/events?since=0 HTTP/1.1\r\nHost: test\r\n\r\n"
        )  # and never read
        opened = dropped = False
        for _ in range(1000):  # 10 s at most
            opened = opened or bool(streams)
            dropped = opened and not streams
            if dropped:
                break
            await asyncio.sleep(0.01)
        assert opened, "the stream never opened"
        assert dropped, "a client that stopped reading still holds its stream"
    finally:
        reader.close()


def test_stopping_the_server_ends_open_streams_at_once():
    # A stream left open would hold the stop for the whole shutdown timeout: a minute here,
    # so that the bound below (half of it) is wide for a loaded machine and still tells.
    server = ServerThread(shutdown_timeout=60).start()
    connection = http.client.HTTPConnection(urllib.parse.urlsplit(server.url).netloc, timeout=10)
    try:
        connection.request("GET", "/_mock/events")
        response = connection.getresponse()
        assert response.status == 200
        assert response.readline() == b"retry: 1000\n"
        started = time.monotonic()
        server.stop(timeout=120)
        took = time.monotonic() - started
        rest = response.read()  # the server ended the stream: no more bytes, no hang
    finally:
        connection.close()
        server.stop()
    assert took < 30, f"stopping waited {took:.1f}s for an open event stream"
    assert b"event: call" not in rest
