"""--proxy-to and --record-stubs against a hostile switch (tests/hostile.py): big answers in
small pieces, lone surrogates, deep nesting, echoed secrets, slow bytes, HTML, forged log
lines. Whatever it sends, the call is answered and journaled, and the next ordinary proxied
call still works and is journaled."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from mockswitch.enswitch.jsontext import ESCAPED
from mockswitch.switch import recording
from mockswitch.web.keys import SWITCH
from tests.helpers import MASK, envelope
from tests.hostile import OK, Answer, HostileSwitch, Sent, answering, hostile_switch
from tests.hostile import envelope as raw_envelope

PASSWORD = "s3cret-Pa55/word"
AUTH = {"auth_username": "user", "auth_password": PASSWORD}
ROWS = [{"id": i, "username": f"user{i}", "email": f"user{i}@example.com"} for i in range(80000)]
FIVE_MB = raw_envelope(ROWS)
SURROGATE = b'{"responses":[{"code":"200","key":"","message":"OK"}],"data":{"name":"\\udc80"}}'
DEEP = 50_000
NESTED = b'{"responses":[{"code":"200","key":"","message":"OK"}],"data":%s}' % (
    b"[" * DEEP + b"]" * DEEP
)
NESTED_FIRST = b'{"data":%s,"responses":[{"code":"200","key":"","message":"OK"}]}' % (
    b"[" * DEEP + b"]" * DEEP
)
FORGED = "200\n2026-01-31 12:00:00,000 mockswitch.calls #99 GET forged 200 admin 1.0ms"


def echo(sent: Sent) -> Answer:
    """A switch that echoes back everything it was sent, secrets too, in its message and data."""
    said = ", ".join(f"{name}={value}" for name, value in sent.params.items())
    first = {"code": "400", "key": "", "message": f"Refused: {said}"}
    return Answer(json.dumps({"responses": [first]}).encode())


def echo_ok(sent: Sent) -> Answer:
    return Answer(raw_envelope({"echo": sent.params}))


BEHAVIOURS = {
    "people/big": answering(FIVE_MB, piece=1024),
    "people/bigger": answering(FIVE_MB, piece=1024, length=False),
    "people/surrogate": answering(SURROGATE),
    "people/nested": answering(NESTED, piece=4096),
    "people/nestedfirst": answering(NESTED_FIRST),
    "people/html": answering(
        b"<html><script>fetch('/_mock/reset',{method:'POST'})</script></html>",
        status=502,
        content_type="text/html",
    ),
    "people/forged": answering(
        json.dumps(
            {"responses": [{"code": FORGED, "key": "k\x1b[31m\nforged", "message": "x"}]}
        ).encode()
    ),
    "people/echo": echo,
    "people/echook": echo_ok,
    "people/gzip": answering(b"this is not gzip", headers=(("Content-Encoding", "gzip"),)),
    "people/slow": answering(raw_envelope({"slow": True}), piece=1, pause=0.4),
    "people/unauthorised": answering(
        raw_envelope(first={"code": "401", "key": "", "message": "Invalid login."})
    ),
    "people/nan": answering(b'{"responses":[{"code":"200","key":"","message":"OK"}],"data":NaN}'),
    "people/switching": answering(b"", status=101),
}


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileSwitch]:
    with hostile_switch(BEHAVIOURS) as switch:
        yield switch


async def get(client: TestClient, function: str, **params: str) -> tuple[int, Any, bytes]:
    response = await client.get(f"/api/json/{function}/", params={**AUTH, **params})
    return response.status, response.headers, await response.read()


async def journal(client: TestClient) -> list[dict[str, Any]]:
    return (await (await client.get("/_mock/calls?limit=1000")).json())["calls"]


async def assert_still_works(client: TestClient) -> None:
    """The next ordinary proxied call is answered, and journaled."""
    before = len(await journal(client))
    status, _, body = await get(client, "people/ordinary", id="7")
    expected = envelope(("200", "", "OK"), data={"function": "people/ordinary", "id": "7"})
    assert (status, json.loads(body)) == (200, expected)
    calls = await journal(client)
    assert len(calls) == before + 1
    last = calls[-1]
    assert (last["function"], last["code"], last["proxied"], last["warnings"]) == (
        "people/ordinary",
        "200",
        True,
        [],
    )


def failure(hostile: HostileSwitch, reason: str) -> dict[str, Any]:
    return envelope(("500", "", f"The switch at {hostile.url} did not answer: {reason}."))


@pytest.mark.parametrize("function", ["people/big", "people/bigger"])
async def test_a_5_mb_answer_in_1_kb_pieces_passes_byte_for_byte(
    serve, hostile: HostileSwitch, function: str
):
    client = await serve(proxy_to=hostile.url, proxy_max_response_bytes=6 * 2**20)
    status, headers, body = await get(client, function)
    assert len(FIVE_MB) > 5 * 10**6
    assert (status, headers["Content-Type"], body) == (200, "application/json", FIVE_MB)
    (entry,) = await journal(client)
    assert (entry["code"], entry["proxied"], entry["body_truncated"]) == ("200", True, True)
    assert entry["body"] == FIVE_MB[:65536].decode()
    await assert_still_works(client)


async def test_an_answer_over_the_bound_is_the_failure_envelope_however_it_comes(
    serve, hostile: HostileSwitch
):
    client = await serve(proxy_to=hostile.url, proxy_max_response_bytes=2**20)
    too_large = failure(
        hostile, f"its answer is larger than {2**20} bytes (proxy_max_response_bytes)"
    )
    for function in ("people/big", "people/bigger"):  # with a Content-Length, and without
        status, _, body = await get(client, function)
        assert (status, json.loads(body)) == (200, too_large)
    assert [(c["code"], c["proxied"]) for c in await journal(client)] == [("500", True)] * 2
    await assert_still_works(client)


async def test_a_lone_surrogate_is_passed_on_journaled_and_recorded_as_its_escape(
    serve, hostile: HostileSwitch, tmp_path: Path
):
    recorded = tmp_path / "recorded.json"
    client = await serve(proxy_to=hostile.url, record_stubs=str(recorded))
    status, _, body = await get(client, "people/surrogate", id="1")
    assert (status, body) == (200, SURROGATE)
    (entry,) = await journal(client)
    assert (entry["code"], entry["body"], entry["warnings"]) == ("200", SURROGATE.decode(), [])
    await client.server.app[SWITCH].beyond.recorder.written()
    assert json.loads(recorded.read_text()) == {
        "stubs": [
            {
                "function": "people/surrogate",
                "responses": [OK],
                "data": {"name": "\udc80"},
                "match": {"params": {"id": "1"}, "username": "user"},
            }
        ]
    }
    await assert_still_works(client)
    # Replayed offline: the same bytes, and the journal says what was escaped.
    offline = await serve(stubs=str(recorded))
    response = await offline.get(
        "/api/json/people/surrogate/",
        params={"auth_username": "user", "auth_password": "password", "id": "1"},
    )
    assert await response.read() == SURROGATE
    (replayed,) = await journal(offline)
    assert (replayed["stub"], replayed["warnings"]) == (1, [ESCAPED])


@pytest.mark.parametrize(
    ("function", "code"), [("people/nested", "200"), ("people/nestedfirst", "")]
)
async def test_an_answer_nested_50000_deep_is_passed_on_and_not_recorded(
    serve, hostile: HostileSwitch, tmp_path: Path, function: str, code: str
):
    recorded = tmp_path / "recorded.json"
    client = await serve(proxy_to=hostile.url, record_stubs=str(recorded))
    status, _, body = await get(client, function)
    assert (status, body) == (200, BEHAVIOURS[function](Sent("GET", function, {})).body)
    (entry,) = await journal(client)
    assert (entry["code"], entry["proxied"]) == (code, True)
    assert entry["warnings"] == [
        f"not recorded to {recorded}: the answer is not JSON (nested too deeply to read)"
    ]
    await assert_still_works(client)
    await client.server.app[SWITCH].beyond.recorder.written()
    stubs = json.loads(recorded.read_text())["stubs"]
    assert [s["function"] for s in stubs] == ["people/ordinary"]


async def test_an_answer_that_is_not_json_is_served_sandboxed(serve, hostile: HostileSwitch):
    client = await serve(proxy_to=hostile.url)
    status, headers, body = await get(client, "people/html")
    assert (status, headers["Content-Type"], body) == (
        502,
        "text/html",
        BEHAVIOURS["people/html"](Sent("GET", "", {})).body,
    )
    assert headers["Content-Security-Policy"] == "sandbox"
    assert headers["X-Content-Type-Options"] == "nosniff"
    (entry,) = await journal(client)
    assert (entry["code"], entry["http_status"], entry["proxied"]) == ("", 502, True)
    # A JSON answer is the switch's envelope, served as it is.
    _, headers, _ = await get(client, "people/ordinary")
    assert "Content-Security-Policy" not in headers
    await assert_still_works(client)


async def test_the_switchs_code_and_key_cannot_forge_a_log_line(
    serve, hostile: HostileSwitch, caplog
):
    client = await serve(proxy_to=hostile.url, quiet=False)
    with caplog.at_level(logging.INFO, logger="mockswitch.calls"):
        status, _, _ = await get(client, "people/forged")
    assert status == 200
    (line,) = [r.getMessage() for r in caplog.records if "people/forged" in r.getMessage()]
    # The code shortened to 16 characters and escaped: one line, whatever the switch said.
    assert re.fullmatch(r"#1 GET people/forged 200\\n2026-01-31 1 user \d+\.\dms proxied", line)
    (entry,) = await journal(client)
    assert (entry["code"], entry["key"]) == (FORGED[:16], "k\x1b[31m\nforged")
    await assert_still_works(client)


async def test_echoed_secrets_are_masked_in_the_journal_and_the_recording(
    serve, hostile: HostileSwitch, tmp_path: Path
):
    recorded = tmp_path / "recorded.json"
    client = await serve(proxy_to=hostile.url, record_stubs=str(recorded))
    secrets = {"password": "hunter2-new", "api_token": "tok-123456", "sip_secret": "s1p-s3cret"}
    status, _, body = await get(client, "people/echo", id="100", **secrets)
    # The client sent them: it gets the switch's answer as it came.
    assert status == 200
    assert PASSWORD in body.decode()
    assert "hunter2-new" in body.decode()
    _, _, body = await get(client, "people/echook", id="100", **secrets)
    assert json.loads(body)["data"]["echo"]["api_token"] == "tok-123456"
    entries = await journal(client)
    kept = json.dumps(entries)
    for secret in (PASSWORD, *secrets.values()):
        assert secret not in kept
    assert entries[0]["params"] == {
        "auth_username": "user",
        "auth_password": MASK,
        "id": "100",
        "password": MASK,
        "api_token": MASK,
        "sip_secret": MASK,
    }
    assert json.loads(entries[0]["body"]) == {
        "responses": [
            {
                "code": "400",
                "key": "",
                "message": f"Refused: auth_username=user, auth_password={MASK}, id=100, "
                f"password={MASK}, api_token={MASK}, sip_secret={MASK}",
            }
        ]
    }
    await client.server.app[SWITCH].beyond.recorder.written()
    text = recorded.read_text()
    for secret in (PASSWORD, *secrets.values()):
        assert secret not in text
    stubs = json.loads(text)["stubs"]
    assert [s["match"] for s in stubs] == [{"params": {"id": "100"}, "username": "user"}] * 2
    assert stubs[1]["data"]["echo"] == {
        "auth_username": "user",
        "auth_password": MASK,
        "id": "100",
        "password": MASK,
        "api_token": MASK,
        "sip_secret": MASK,
    }
    await assert_still_works(client)


@pytest.mark.parametrize(
    ("function", "reason"),
    [
        ("people/gzip", "ClientPayloadError: 400, message: Can not decode content-encoding: gzip"),
        ("people/switching", "it answered HTTP 101, not an answer"),
        ("people/slow", "no answer within 0.5 s (proxy_timeout)"),
    ],
)
async def test_an_answer_that_cannot_be_read_is_the_failure_envelope(
    serve, hostile: HostileSwitch, function: str, reason: str
):
    client = await serve(proxy_to=hostile.url, proxy_timeout=0.5)
    status, _, body = await get(client, function)
    assert (status, json.loads(body)) == (200, failure(hostile, reason))
    (entry,) = await journal(client)
    assert (entry["code"], entry["proxied"]) == ("500", True)
    await assert_still_works(client)


async def test_the_switchs_401_and_an_answer_with_nan_are_passed_on(
    serve, hostile: HostileSwitch, tmp_path: Path
):
    recorded = tmp_path / "recorded.json"
    client = await serve(proxy_to=hostile.url, record_stubs=str(recorded))
    _, _, body = await get(client, "people/unauthorised")
    assert json.loads(body) == envelope(("401", "", "Invalid login."))
    _, _, body = await get(client, "people/nan")
    assert body == BEHAVIOURS["people/nan"](Sent("GET", "", {})).body
    entries = await journal(client)
    assert [(c["code"], c["warnings"]) for c in entries] == [
        ("401", []),
        ("200", [f"not recorded to {recorded}: the answer is not JSON (NaN is not JSON)"]),
    ]
    await assert_still_works(client)


async def test_recording_never_holds_up_calls_and_the_file_is_always_whole(
    serve, hostile: HostileSwitch, tmp_path: Path, monkeypatch
):
    recorded = tmp_path / "recorded.json"
    disk_free, writes = threading.Event(), []
    real_write = recording.write_lines

    def slow_disk(path: str, lines: list[bytes]) -> None:
        disk_free.wait(30)  # a disk that does not answer until the test says so
        writes.append(len(lines))
        real_write(path, lines)

    monkeypatch.setattr(recording, "write_lines", slow_disk)
    client = await serve(proxy_to=hostile.url, record_stubs=str(recorded))
    for person in range(20):  # answered and journaled while the first write is stuck
        status, _, _ = await get(client, "people/ordinary", id=str(person))
        assert status == 200
    assert len(await journal(client)) == 20
    assert not recorded.exists()
    disk_free.set()
    await client.server.app[SWITCH].beyond.recorder.written()
    # The first write took the first call; the second every call made while it was stuck.
    assert writes == [1, 20]
    stubs = json.loads(recorded.read_text())["stubs"]
    assert [s["match"]["params"]["id"] for s in stubs] == [str(p) for p in range(20)]


async def test_recording_stops_at_its_byte_bound_and_says_so(
    serve, hostile: HostileSwitch, tmp_path: Path, caplog
):
    recorded = tmp_path / "recorded.json"
    client = await serve(
        proxy_to=hostile.url, record_stubs=str(recorded), record_stubs_max_bytes=4096, quiet=False
    )
    with caplog.at_level(logging.WARNING, logger="mockswitch.proxy"):
        for person in range(40):
            await get(client, "people/ordinary", id=str(person))
    entries = await journal(client)
    skipped = [c for c in entries if c["warnings"]]
    assert skipped, "4096 bytes hold fewer than 40 declarations"
    first = entries.index(skipped[0])
    assert all(c["warnings"] for c in entries[first:])  # past the bound, every one is skipped
    assert skipped[0]["warnings"][0].startswith(
        f"not recorded to {recorded}: the file would pass the record_stubs_max_bytes setting "
        "(4096 bytes; it holds "
    )
    # The log says so once: the same line again is held back by the repeat limiter
    # (log_repeat_interval), which counts what it left out.
    assert sum("record_stubs_max_bytes" in r.getMessage() for r in caplog.records) == 1
    await client.server.app[SWITCH].beyond.recorder.written()
    assert len(recorded.read_bytes()) <= 4096
    stubs = json.loads(recorded.read_text())["stubs"]
    assert [s["match"]["params"]["id"] for s in stubs] == [str(p) for p in range(first)]
