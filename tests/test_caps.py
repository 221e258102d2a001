"""Every collection the control API grows has a cap, and every cap holds under a burst.

Event streams (`max_event_streams`), long polls (`max_long_polls`) and a tenant's fault rules
(`max_fault_rules`): over a cap the answer is a 429 whose message names the setting. Each
check and the count it guards are one step, with no await between them, so clients that
arrive together cannot all pass the check before any of them is counted.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from typing import Any

import pytest

from mockswitch.cli import main
from tests.cast import PASSWORD

# A rule that never fires (allow_unknown: no function of that name is served or stubbed).
RULE = {
    "match": {"function": "nothing/at/all"},
    "action": {"type": "reset"},
    "allow_unknown": True,
}


def too_many(message: str) -> dict[str, Any]:
    return {"error": {"status": 429, "message": message}}


# -- event streams ---------------------------------------------------------------------------


REQUEST = b"GET /_mock/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


async def _answer(connection: Connection) -> tuple[int, bytes]:
    """The status of the answer to /_mock/events, and its body if it is a refusal."""
    reader, _ = connection
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    body = b""
    if status != 200:
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        body = await reader.readexactly(length)
    return status, body


async def _open_streams(port: int, count: int) -> tuple[list[Connection], list[tuple[int, bytes]]]:
    """Connect `count` clients, then send every request before the server reads any, so that
    all of them reach the server in the same turn of its loop."""
    connections = await asyncio.gather(
        *(asyncio.open_connection("127.0.0.1", port) for _ in range(count))
    )
    for _, writer in connections:
        writer.write(REQUEST)  # no await between the writes
    return connections, list(await asyncio.gather(*map(_answer, connections)))


def _close(connections: list[Connection]) -> None:
    for _, writer in connections:
        writer.close()


def _fill_journal(path: str, calls: int) -> None:
    """Give the default tenant a journal of `calls` calls, so that a stream's first look at
    it takes a while (it counts them): long enough for a burst to arrive meanwhile."""
    with sqlite3.connect(path) as db:
        (tenant,) = db.execute("SELECT id FROM tenants WHERE name = 'default'").fetchone()
        db.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO calls (tenant, at, method, path, function, query, params, unknown, "
            "username, code, key, http_status, body, body_truncated, latency_ms, duration_ms) "
            "SELECT ?, '2026-01-31T12:00:00.000Z', 'GET', '/api/json/x/', 'x', '', '{}', '[]', "
            "'', '404', '', 200, '', 0, 0, 0 FROM n",
            (calls, tenant),
        )


async def test_150_streams_opened_at_once_get_at_most_the_cap(serve, tmp_path):
    path = str(tmp_path / "events.sqlite3")
    await (await serve(db=path)).close()
    _fill_journal(path, 100_000)
    client = await serve(db=path)
    connections, answers = await _open_streams(client.port, 150)
    try:
        assert sorted(status for status, _ in answers) == [200] * 64 + [429] * 86
        assert [json.loads(body) for body in {body for status, body in answers if body}] == [
            too_many("there are already 64 event streams open (the max_event_streams setting)")
        ]
    finally:
        _close(connections)


async def test_a_closed_stream_frees_its_place(serve):
    client = await serve(max_event_streams=2)
    connections, answers = await _open_streams(client.port, 3)
    assert sorted(status for status, _ in answers) == [200, 200, 429]
    _close(connections[:1])
    # The next call wakes the streams; the one whose client left finds out and ends.
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        await client.get("/api/json/bulk/campaigns/get/", params={"auth_username": "x"})
        another, [(status, _)] = await _open_streams(client.port, 1)
        _close(another)
        if status == 200:
            break
        assert asyncio.get_running_loop().time() < deadline, "the place was never freed"
        await asyncio.sleep(0.05)
    _close(connections[1:])


# -- long polls ------------------------------------------------------------------------------


async def test_long_polls_over_the_cap_get_a_429(serve):
    client = await serve(max_long_polls=3)

    async def wait() -> tuple[int, Any]:
        response = await client.get("/_mock/calls/wait", params={"timeout": "30"})
        return response.status, await response.json()

    polls = [asyncio.ensure_future(wait()) for _ in range(10)]
    refused = []
    for finished in asyncio.as_completed(polls):
        refused.append(await finished)
        if len(refused) == 7:
            break
    # Seven were refused, so three were counted, and are waiting.
    assert (
        refused
        == [(429, too_many("there are already 3 long polls waiting (the max_long_polls setting)"))]
        * 7
    )
    answer = await client.get(
        "/api/json/bulk/campaigns/get/",
        params={"auth_username": "user", "auth_password": PASSWORD, "id": "123"},
    )
    call_id = int(answer.headers["X-Mockswitch-Call"])
    waited = [result for result in await asyncio.gather(*polls) if result[0] != 429]
    assert [(status, [c["id"] for c in body["calls"]]) for status, body in waited] == [
        (200, [call_id])
    ] * 3
    # The places are free again.
    again = await client.get("/_mock/calls/wait", params={"timeout": "0"})
    assert again.status == 200


# -- fault rules -----------------------------------------------------------------------------


async def test_a_batch_that_would_pass_the_rule_cap_adds_nothing(serve):
    client = await serve(max_fault_rules=5)
    assert (await client.post("/_mock/faults", json=[RULE] * 3)).status == 201
    refused = await client.post("/_mock/faults", json=[RULE] * 3)
    assert (refused.status, await refused.json()) == (
        429,
        too_many(
            "the tenant holds 3 fault rules and 3 more would pass the max_fault_rules "
            "setting (5): remove some first"
        ),
    )
    assert len((await (await client.get("/_mock/faults")).json())["rules"]) == 3
    assert (await client.post("/_mock/faults", json=[RULE] * 2)).status == 201
    assert (await client.post("/_mock/faults", json=RULE)).status == 429
    # The cap is per tenant.
    assert (await client.post("/t/other/_mock/faults", json=[RULE] * 5)).status == 201


@pytest.mark.parametrize("round_", range(10))
async def test_rules_added_at_once_to_a_new_tenant_stop_at_the_cap(serve, round_):
    """Adding to a new tenant awaits its creation: the check must come after that await."""
    client = await serve(max_fault_rules=10)
    tenant = f"/t/burst{round_}"
    answers = await asyncio.gather(
        *(client.post(f"{tenant}/_mock/faults", json=RULE) for _ in range(25))
    )
    assert sorted(answer.status for answer in answers) == [201] * 10 + [429] * 15
    rules = (await (await client.get(f"{tenant}/_mock/faults")).json())["rules"]
    assert len(rules) == 10


def test_start_rules_over_the_cap_stop_the_start(capsys, tmp_path):
    rules = json.dumps([RULE] * 3)
    flags = ["--faults", rules, "--max-fault-rules", "2"]
    status = main(["serve", "--db", str(tmp_path / "x.sqlite3"), "--port", "0", *flags])
    assert status != 0
    assert capsys.readouterr().err == (
        "mockswitch: the faults given inline: 3 rules, more than the max_fault_rules setting (2)\n"
    )


async def test_the_openapi_document_names_each_cap(serve):
    client = await serve()
    paths = (await (await client.get("/_mock/openapi.json")).json())["paths"]
    for path, method, setting in [
        ("/_mock/events", "get", "max_event_streams"),
        ("/_mock/calls/wait", "get", "max_long_polls"),
        ("/_mock/faults", "post", "max_fault_rules"),
        ("/t/{tenant}/_mock/faults", "post", "max_fault_rules"),
    ]:
        assert setting in paths[path][method]["responses"]["429"]["description"], path
