"""Each fault action, as a real aiohttp client sees it over a real socket, and as the journal
records it.

A note on retries: aiohttp's `ClientSession` sends an idempotent request (GET) a second time
when the connection drops before an answer (RFC 9112, 9.3.1). A `reset` or `empty` rule
without `times` then fails both attempts (two journal entries); with `times: 1` the retry
succeeds and the caller never notices. aiohttp's own `TestClient` (the `client` fixture)
turns that retry off, so the retry tests use a plain `ClientSession`; the others use POST,
which is never retried, so that one call is one attempt whatever the client.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from mockswitch.faults.actions.malformed import GARBAGE
from mockswitch.testing import ServerThread
from mockswitch.web.exchange import AiohttpExchange
from tests.cast import PASSWORD
from tests.helpers import MASK, OK_204, call, envelope

UPDATE = "bulk/campaigns/update"
UPDATE_PATH = f"/api/json/{UPDATE}/"
OK_204_BYTES = b'{"responses":[{"code":"204","key":"","message":"OK"}]}'
SEED_NAME = "Spring promo"
CHANGE = {"auth_username": "user", "auth_password": PASSWORD, "id": "123", "name": "changed"}
CHANGE_RECORDED = {**CHANGE, "auth_password": MASK}
# How long a client waits for a hanging call, from when the test has seen the other calls
# answered (a clock started with the call would make "answered while it hangs" a race on a
# busy machine); a hang ends only when its client gives up.
HANGING_CLIENT_S = 2.0
# Longer than any test here takes on a busy machine: what only a handler left running reaches.
SHUTDOWN_TIMEOUT = 20.0


# The helpers take the `client` fixture or an aiohttp session with a base URL alike.
async def add_rule(client: TestClient | aiohttp.ClientSession, **rule: Any) -> dict[str, Any]:
    response = await client.post("/_mock/faults", json=rule)
    assert response.status == 201, await response.text()
    return await response.json()


async def journal(client: TestClient | aiohttp.ClientSession) -> list[dict[str, Any]]:
    """Every recorded call, oldest first, without the fields that vary from run to run."""
    response = await client.get("/_mock/calls")
    assert response.status == 200
    calls = (await response.json())["calls"]
    return [{k: v for k, v in c.items() if k not in ("id", "at", "duration_ms")} for c in calls]


async def campaign_name(client: TestClient | aiohttp.ClientSession) -> str:
    status, body = await call(client, "bulk/campaigns/get", id=123)
    assert status == 200
    return body["data"]["name"]


def post_entry(fault: dict[str, Any] | None, **outcome: Any) -> dict[str, Any]:
    """The journal entry of the POSTed change, with what was sent (`outcome`)."""
    return {
        "method": "POST",
        "path": UPDATE_PATH,
        "function": UPDATE,
        "query": "",
        "params": CHANGE_RECORDED,
        "unknown": [],
        "body_truncated": False,
        "truncated": [],
        "fault": fault,
        "latency_ms": 0.0,
        "stub": None,
        "proxied": False,
        "warnings": [],
        **outcome,
    }


# The fault struck before the switch looked: the journal keeps the auth_username sent.
NOTHING_SENT = {"username": "user", "code": "", "key": "", "http_status": 0, "body": ""}


def fired(action: str, processed: bool, rule: int = 1) -> dict[str, Any]:
    return {"rule": rule, "name": "", "action": action, "processed": processed}


async def test_the_default_seed_name_is_what_the_tests_expect(client):
    # The processed/not-processed tests below read the name back; this pins the premise.
    assert await campaign_name(client) == SEED_NAME


# -- envelope ------------------------------------------------------------------------------


ENVELOPES = [
    (
        {"code": "400", "key": "maximum", "message": "Must be at most 10."},
        ("400", "maximum", "Must be at most 10."),
    ),
    ({"code": "401"}, ("401", "", "The authentication details provided are invalid.")),
    ({"code": "402"}, ("402", "", "Your role does not allow this.")),
    ({"code": "403"}, ("403", "", "Your rate plan does not allow this.")),
    (
        {"code": 404},
        ("404", "", "The object does not exist, or you do not have permission to access it."),
    ),
    ({"code": "500", "message": "Internal error"}, ("500", "", "Internal error")),
    ({}, ("500", "", "Internal error")),
]


@pytest.mark.parametrize(("fields", "entry"), ENVELOPES)
async def test_an_envelope_fault_answers_that_envelope_instead_of_the_switch(client, fields, entry):
    await add_rule(client, match={"function": UPDATE}, action={"type": "envelope", **fields})

    response = await client.post(UPDATE_PATH, data=CHANGE)

    assert response.status == 200  # like the real switch, whatever the code
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert await response.json() == envelope(entry)
    assert await campaign_name(client) == SEED_NAME  # the switch never saw the change
    code, key, _ = entry
    body = json.dumps(envelope(entry), separators=(",", ":"))
    assert (await journal(client))[0] == post_entry(
        fired("envelope", False),
        username="user",  # as sent: the switch never authenticated it
        code=code,
        key=key,
        http_status=200,
        body=body,
    )


@pytest.mark.parametrize("code", ["400", "401", "402", "403", "404", "500"])
async def test_with_mirrored_statuses_the_envelope_code_is_the_http_status(serve, code):
    client = await serve(http_status="mirror")
    await add_rule(client, action={"type": "envelope", "code": code, "message": "no"})

    response = await client.post(UPDATE_PATH, data=CHANGE)

    assert response.status == int(code)
    assert await response.json() == envelope((code, "", "no"))
    assert (await journal(client))[0]["http_status"] == int(code)


# -- http -----------------------------------------------------------------------------------


async def test_an_http_fault_answers_its_status_body_and_content_type(client):
    await add_rule(
        client,
        match={"function": UPDATE},
        action={
            "type": "http",
            "status": 502,
            "body": "<h1>Bad Gateway</h1>",
            "content_type": "text/html",
        },
    )

    response = await client.post(UPDATE_PATH, data=CHANGE)

    assert response.status == 502
    assert response.headers["Content-Type"] == "text/html"
    assert await response.text() == "<h1>Bad Gateway</h1>"
    assert await campaign_name(client) == SEED_NAME
    assert (await journal(client))[0] == post_entry(
        fired("http", False),
        username="user",  # as sent: the switch never authenticated it
        code="",
        key="",
        http_status=502,
        body="<h1>Bad Gateway</h1>",
    )


async def test_an_http_fault_defaults_to_an_empty_plain_503(client):
    rule = await add_rule(client, action={"type": "http"})
    assert rule["action"] == {
        "type": "http",
        "processed": False,
        "status": 503,
        "body": "",
        "content_type": "text/plain; charset=utf-8",
    }

    response = await client.post(UPDATE_PATH, data=CHANGE)

    assert response.status == 503
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert await response.read() == b""


# -- reset ----------------------------------------------------------------------------------


async def test_a_reset_raises_a_connection_error_and_the_change_is_not_made(client):
    await add_rule(client, match={"function": UPDATE}, action={"type": "reset"})

    with pytest.raises(aiohttp.ClientConnectionError) as raised:
        await client.post(UPDATE_PATH, data=CHANGE)

    assert isinstance(raised.value, aiohttp.ClientOSError)  # ECONNRESET: a real TCP RST
    assert await campaign_name(client) == SEED_NAME
    calls = await journal(client)
    assert calls[0] == post_entry(fired("reset", False), **NOTHING_SENT)
    assert len(calls) == 2  # the reset, then the campaign read


def session_for(client: TestClient) -> aiohttp.ClientSession:
    """An ordinary aiohttp session on the test server: it retries like any application's."""
    return aiohttp.ClientSession(base_url=str(client.make_url("/")))


CAMPAIGN_QUERY = {"auth_username": "user", "auth_password": PASSWORD, "id": "123"}


@pytest.mark.parametrize(
    ("kind", "error"),
    [("reset", aiohttp.ClientOSError), ("empty", aiohttp.ServerDisconnectedError)],
)
async def test_aiohttp_sends_a_dropped_get_twice_so_the_journal_has_two_attempts(
    client, kind, error
):
    await add_rule(client, match={"function": "bulk/campaigns/get"}, action={"type": kind})

    async with session_for(client) as session:
        with pytest.raises(error):
            await session.get("/api/json/bulk/campaigns/get/", params=CAMPAIGN_QUERY)

    calls = await journal(client)
    assert [(c["method"], c["fault"], c["http_status"]) for c in calls] == [
        ("GET", fired(kind, False), 0),
        ("GET", fired(kind, False), 0),
    ]


async def test_a_get_reset_once_is_retried_by_aiohttp_and_succeeds_unnoticed(client):
    await add_rule(
        client, match={"function": "bulk/campaigns/get"}, action={"type": "reset"}, times=1
    )

    async with (
        session_for(client) as session,
        session.get("/api/json/bulk/campaigns/get/", params=CAMPAIGN_QUERY) as response,
    ):
        body = await response.json()

    assert (response.status, body["data"]["name"]) == (200, SEED_NAME)
    calls = await journal(client)
    assert [(c["fault"], c["code"]) for c in calls] == [
        (fired("reset", False), ""),
        (None, "200"),
    ]


async def test_a_post_is_never_retried_one_reset_is_one_failure(client):
    await add_rule(client, match={"function": UPDATE}, action={"type": "reset"}, times=1)

    async with session_for(client) as session:
        with pytest.raises(aiohttp.ClientOSError):
            await session.post(UPDATE_PATH, data=CHANGE)

    assert [c["fault"] for c in await journal(client)] == [fired("reset", False)]


# -- hang -----------------------------------------------------------------------------------
# aiohttp's TestServer cancels a handler whose client has gone (handler_cancellation=True);
# `mockswitch serve` does not, so a hang must notice the client leaving by itself. These
# tests therefore run on a server started the way `mockswitch serve` starts it.


@pytest.fixture
def served() -> Iterator[ServerThread]:
    with ServerThread() as server:
        yield server


async def test_a_hang_trips_the_client_timeout_without_blocking_other_calls(served):
    async with aiohttp.ClientSession(base_url=served.url) as session:
        await add_rule(session, match={"function": UPDATE}, action={"type": "hang"})
        hanging = asyncio.create_task(session.post(UPDATE_PATH, data=CHANGE))
        waited = await session.get(
            "/_mock/calls/wait", params={"function": UPDATE, "timeout": "30"}
        )
        assert waited.status == 200  # the hanging call is recorded: the server holds it

        status, body = await call(session, "bulk/campaigns/get", id=123)

        assert (status, body["data"]["name"]) == (200, SEED_NAME)
        # Answered while the other call hangs: a hang ends only when its client gives up.
        assert not hanging.done()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(hanging, HANGING_CLIENT_S)
        assert (await journal(session))[0] == post_entry(fired("hang", False), **NOTHING_SENT)


async def test_a_processed_hang_holds_no_lock_other_changes_go_through(served):
    async with aiohttp.ClientSession(base_url=served.url) as session:
        await add_rule(
            session,
            match={"function": UPDATE, "params": {"id": "123"}},
            action={"type": "hang", "processed": True},
        )
        hanging = asyncio.create_task(session.post(UPDATE_PATH, data=CHANGE))
        waited = await session.get(
            "/_mock/calls/wait", params={"function": UPDATE, "timeout": "30"}
        )
        assert waited.status == 200

        answered = await call(session, UPDATE, method="POST", id=124, name="other")

        assert answered == (200, OK_204)
        # Written while the other change still hangs: it released the write lock first.
        assert not hanging.done()
        assert await campaign_name(session) == "changed"  # and was applied
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(hanging, HANGING_CLIENT_S)


async def test_a_hang_ends_when_its_client_gives_up():
    # Stopping waits for the handlers still running, for at most the shutdown timeout: a hang
    # left behind (max_ms defaults to a minute) would hold the stop for all of it.
    served = ServerThread(shutdown_timeout=SHUTDOWN_TIMEOUT).start()
    try:
        async with aiohttp.ClientSession(base_url=served.url) as session:
            await add_rule(session, action={"type": "hang"})
            hanging = asyncio.create_task(session.post(UPDATE_PATH, data=CHANGE))
            # The hang has begun (its call is journaled) before the client gives up on it:
            # a client that gave up earlier would leave nothing to end.
            waited = await session.get(
                "/_mock/calls/wait", params={"function": UPDATE, "timeout": "30"}
            )
            assert waited.status == 200
            with pytest.raises(TimeoutError):  # the client gives up: its connection closes
                await asyncio.wait_for(hanging, 0.3)
    finally:
        started = time.perf_counter()
        served.stop()
    assert time.perf_counter() - started < SHUTDOWN_TIMEOUT


async def test_a_hang_gives_up_after_max_ms_and_closes_without_an_answer(served):
    async with aiohttp.ClientSession(base_url=served.url) as session:
        await add_rule(session, action={"type": "hang", "max_ms": 300})

        started = time.perf_counter()
        # Closed by the server (a disconnect), long before the client would give up (a timeout).
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await session.post(UPDATE_PATH, data=CHANGE, timeout=aiohttp.ClientTimeout(30))
        took = time.perf_counter() - started

        assert took >= 0.28
        assert (await journal(session))[0] == post_entry(fired("hang", False), **NOTHING_SENT)


# -- empty ----------------------------------------------------------------------------------


async def test_an_empty_reply_closes_the_connection_without_a_byte(client):
    await add_rule(client, match={"function": UPDATE}, action={"type": "empty"})

    with pytest.raises(aiohttp.ServerDisconnectedError):
        await client.post(UPDATE_PATH, data=CHANGE)

    assert await campaign_name(client) == SEED_NAME
    assert (await journal(client))[0] == post_entry(fired("empty", False), **NOTHING_SENT)


# -- processed ------------------------------------------------------------------------------


DROPS = [
    ("reset", {}, aiohttp.ClientOSError),
    ("empty", {}, aiohttp.ServerDisconnectedError),
    ("hang", {"max_ms": 100}, aiohttp.ServerDisconnectedError),
]


@pytest.mark.parametrize(("kind", "fields", "error"), DROPS)
async def test_a_processed_drop_applies_the_change_though_the_client_saw_a_failure(
    client, kind, fields, error
):
    await add_rule(
        client, match={"function": UPDATE}, action={"type": kind, "processed": True, **fields}
    )

    with pytest.raises(error):
        await client.post(UPDATE_PATH, data=CHANGE, timeout=aiohttp.ClientTimeout(total=5))

    assert await campaign_name(client) == "changed"
    # The switch handled it (so `username` is known), but nothing reached the client.
    assert (await journal(client))[0] == post_entry(fired(kind, True), **NOTHING_SENT)


@pytest.mark.parametrize(("kind", "fields", "error"), DROPS)
async def test_a_drop_is_not_processed_unless_asked(client, kind, fields, error):
    rule = await add_rule(client, match={"function": UPDATE}, action={"type": kind, **fields})
    assert rule["action"]["processed"] is False

    with pytest.raises(error):
        await client.post(UPDATE_PATH, data=CHANGE, timeout=aiohttp.ClientTimeout(total=5))

    assert await campaign_name(client) == SEED_NAME


# -- malformed ------------------------------------------------------------------------------


async def test_a_truncated_body_is_half_the_real_answer_and_does_not_parse(client):
    await add_rule(client, match={"function": UPDATE}, action={"type": "malformed"})

    response = await client.post(UPDATE_PATH, data=CHANGE)

    assert response.status == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    truncated = OK_204_BYTES[: len(OK_204_BYTES) // 2]
    assert await response.read() == truncated
    with pytest.raises(json.JSONDecodeError):
        await response.json()
    assert await campaign_name(client) == "changed"  # malformed is processed by default
    assert (await journal(client))[0] == post_entry(
        fired("malformed", True),
        username="user",
        code="204",
        key="",
        http_status=200,
        body=truncated.decode(),
    )


async def test_a_garbage_body_does_not_parse_either(client):
    await add_rule(client, action={"type": "malformed", "mode": "garbage"})

    response = await client.post(UPDATE_PATH, data=CHANGE)

    assert response.status == 200
    assert await response.read() == GARBAGE
    with pytest.raises(UnicodeDecodeError):  # not even UTF-8
        await response.json()
    with pytest.raises(json.JSONDecodeError):
        json.loads(GARBAGE.decode("latin-1"))
    assert (await journal(client))[0]["body"] == GARBAGE.decode("utf-8", "replace")


async def test_a_malformed_answer_to_a_read_truncates_the_data_envelope(client):
    await add_rule(client, match={"function": "bulk/campaigns/get"}, action={"type": "malformed"})

    response = await client.get(
        "/api/json/bulk/campaigns/get/",
        params={"auth_username": "user", "auth_password": PASSWORD, "id": "123"},
    )

    text = await response.text()
    assert text.startswith('{"responses":[{"code":"200","key":"","message":"OK"}],"data":{')
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)


# -- slow_body ------------------------------------------------------------------------------


async def test_a_slow_body_arrives_whole_but_takes_about_its_duration(client):
    await add_rule(
        client,
        match={"function": UPDATE},
        action={"type": "slow_body", "duration_ms": 600, "chunks": 6},
    )

    started = time.perf_counter()
    async with client.post(UPDATE_PATH, data=CHANGE) as response:
        headers_after = time.perf_counter() - started
        pieces = [piece async for piece in response.content.iter_any()]
    took = time.perf_counter() - started

    # The status line comes at once and the body dribbles after it, in several pieces.
    assert took - headers_after >= 0.45
    assert 2 <= len(pieces) <= 6, pieces
    body = b"".join(pieces)
    assert response.status == 200
    assert body == OK_204_BYTES
    assert json.loads(body) == OK_204
    assert await campaign_name(client) == "changed"
    assert (await journal(client))[0] == post_entry(
        fired("slow_body", True),
        username="user",
        code="204",
        key="",
        http_status=200,
        body=OK_204_BYTES.decode(),
    )


async def test_a_client_giving_up_on_a_slow_body_is_no_server_error(served, caplog, monkeypatch):
    finished = threading.Event()
    respond_slowly = AiohttpExchange.respond_slowly

    async def noting_the_end(self, *args: Any) -> None:
        try:
            await respond_slowly(self, *args)
        finally:
            finished.set()

    monkeypatch.setattr(AiohttpExchange, "respond_slowly", noting_the_end)
    async with aiohttp.ClientSession(base_url=served.url) as session:
        await add_rule(session, action={"type": "slow_body", "duration_ms": 600, "chunks": 6})
        async with session.post(UPDATE_PATH, data=CHANGE) as response:
            # The body has begun (a client giving up before would leave nothing to write);
            # the rest comes over half a second: the client gives up on it, and leaving the
            # block with the body unread closes the connection.
            assert await response.content.readany()
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(response.read(), 0.1)
        # The server writes its next pieces to the closed connection, then stops writing.
        assert await asyncio.to_thread(finished.wait, 30)

        assert [r.getMessage() for r in caplog.records if r.name.startswith("mockswitch")] == []
        await session.delete("/_mock/faults")
        assert await call(session, "bulk/campaigns/update", id=124, name="x") == (200, OK_204)


# -- latency with an action -----------------------------------------------------------------


async def test_a_rule_can_delay_and_then_fail_and_the_journal_shows_both(client):
    await add_rule(
        client,
        name="slow then broken",
        match={"function": UPDATE},
        action={"type": "envelope", "code": "500"},
        latency={"fixed_ms": 120},
    )

    started = time.perf_counter()
    response = await client.post(UPDATE_PATH, data=CHANGE)
    took = time.perf_counter() - started

    assert await response.json() == envelope(("500", "", "Internal error"))
    assert took >= 0.115
    assert (await journal(client))[0] == post_entry(
        {"rule": 1, "name": "slow then broken", "action": "envelope", "processed": False},
        username="user",  # as sent: the switch never authenticated it
        code="500",
        key="",
        http_status=200,
        body='{"responses":[{"code":"500","key":"","message":"Internal error"}]}',
        latency_ms=120.0,
    )
