"""Request bodies in a content coding: gzip and deflate decoded, any other coding (and data
that does not decode) answered with an envelope and journaled, on both lanes.

`Content-Encoding: br` got aiohttp's plain-text 400 before any handler ran (aiohttp decodes
br only when a Brotli package happens to be installed), and nothing was journaled.
"""

from __future__ import annotations

import gzip
import json
import zlib
from typing import Any

import pytest

from tests.helpers import MASK, OK_204, envelope, read_campaign

UPDATE = "/api/json/bulk/campaigns/update/"
FORM = "application/x-www-form-urlencoded"
AUTH = "auth_username=user&auth_password=password"
SENT = f"{AUTH}&id=123&name=Packed".encode()
# An Origin sends a call down the routed lane (aiohttp's router and the middlewares); without
# one it takes the direct lane (web/direct.py): both must answer alike.
LANES = [pytest.param({}, id="direct"), pytest.param({"Origin": "http://127.0.0.1"}, id="routed")]


def gzipped(data: bytes) -> bytes:
    """gzip with a fixed time in its header: the same bytes (and test ids) in every worker."""
    return gzip.compress(data, mtime=0)


def not_supported(coding: str) -> dict[str, Any]:
    return envelope(
        (
            "415",
            "",
            f"The content coding {coding} is not supported: send the body as it is, or with "
            "gzip or deflate.",
        )
    )


def not_decoded(message: str) -> dict[str, Any]:
    return envelope(("400", "", message))


async def post(client, body: bytes, coding: str, lane: dict[str, str], path: str = UPDATE):
    headers = {"Content-Type": FORM, "Content-Encoding": coding, **lane}
    response = await client.post(path, data=body, headers=headers)
    return response.status, await response.json(), int(response.headers["X-Mockswitch-Call"])


async def entry(client, call_id: int) -> dict[str, Any]:
    response = await client.get(f"/_mock/calls/{call_id}")
    assert response.status == 200
    found = await response.json()
    return {
        name: found[name]
        for name in ("method", "path", "function", "params", "username", "code", "body", "fault")
    }


@pytest.mark.parametrize("lane", LANES)
@pytest.mark.parametrize(
    ("coding", "body"),
    [
        ("gzip", gzipped(SENT)),
        ("x-gzip", gzipped(SENT)),
        ("deflate", zlib.compress(SENT)),
        ("deflate", zlib.compress(SENT)[2:-4]),  # raw deflate, without the zlib header
        ("gzip, identity", gzipped(SENT)),
        ("identity", SENT),
        # Applied in the order named, undone last first:
        ("deflate, GZIP", gzipped(zlib.compress(SENT))),
        ("gzip", gzipped(SENT[:20]) + gzipped(SENT[20:])),  # two gzip members
    ],
)
async def test_gzip_and_deflate_bodies_are_decoded(client, lane, coding, body):
    status, answer, call_id = await post(client, body, coding, lane)
    assert (status, answer) == (200, OK_204)
    assert (await read_campaign(client, 123))["name"] == "Packed"
    recorded = await entry(client, call_id)
    assert recorded["params"] == {
        "auth_username": "user",
        "auth_password": MASK,
        "id": "123",
        "name": "Packed",
    }


@pytest.mark.parametrize("lane", LANES)
@pytest.mark.parametrize("coding", ["br", "zstd", "compress", "x-unknown", "gzip, br"])
async def test_a_coding_mockswitch_does_not_decode_is_a_415_envelope_journaled(
    client, lane, coding
):
    # The query's credentials are still read: the journal says who called.
    path = f"{UPDATE}?{AUTH}"
    status, answer, call_id = await post(client, b"\x0b\x02\x80id=123", coding, lane, path)
    expected = not_supported(coding.split(", ")[-1])
    assert (status, answer) == (200, expected)
    assert call_id > 0
    assert await entry(client, call_id) == {
        "method": "POST",
        "path": UPDATE,
        "function": "bulk/campaigns/update",
        "params": {"auth_username": "user", "auth_password": MASK},
        "username": "user",
        "code": "415",
        "body": json.dumps(expected, separators=(",", ":")),
        "fault": None,
    }
    assert (await read_campaign(client, 123))["name"] == "Spring promo"


@pytest.mark.parametrize("lane", LANES)
@pytest.mark.parametrize(
    ("coding", "body", "message"),
    [
        (
            "gzip",
            b"not gzip at all",
            "The request body is not valid gzip data (Error -3 while decompressing data: "
            "incorrect header check).",
        ),
        ("gzip", gzipped(SENT)[:-12], "The request body's gzip data is cut short."),
        (
            "deflate",
            zlib.compress(SENT) + b"tail",
            "The request body has bytes after its deflate data.",
        ),
        (
            "gzip",
            gzipped(SENT) + b"garbage",
            "The request body is not valid gzip data (Error -3 while decompressing data: "
            "incorrect header check).",
        ),
    ],
)
async def test_gzip_or_deflate_data_that_does_not_decode_is_a_400_envelope_journaled(
    client, lane, coding, body, message
):
    status, answer, call_id = await post(client, body, coding, lane)
    assert (status, answer) == (200, not_decoded(message))
    recorded = await entry(client, call_id)
    assert (recorded["code"], recorded["body"]) == (
        "400",
        json.dumps(answer, separators=(",", ":")),
    )


async def test_the_http_status_mirrors_the_envelope_in_mirror_mode(serve):
    client = await serve(http_status="mirror")
    status, answer, _ = await post(client, SENT, "br", {})
    assert (status, answer) == (415, not_supported("br"))
    status, answer, _ = await post(client, b"junk", "gzip", {})
    assert status == 400


@pytest.mark.parametrize("lane", LANES)
async def test_a_small_body_that_unfolds_past_the_limit_is_a_413(serve, lane):
    """A decoded body is bounded like a plain one: 10 MB of zeros gzip to 10 kB."""
    client = await serve(max_request_bytes=65536)
    bomb = gzipped(f"{AUTH}&id=123&name=".encode() + b"0" * 10_000_000)
    assert len(bomb) < 65536
    status, answer, call_id = await post(client, bomb, "gzip", lane)
    assert (status, answer) == (
        200,
        envelope(("413", "", "The request is larger than the limit of 65536 bytes.")),
    )
    assert (await entry(client, call_id))["code"] == "413"


async def test_no_fault_rule_sees_a_body_it_could_not_read(client):
    """Refused before the switch looked: a rule for every call neither fires nor counts it."""
    rule = {"action": {"type": "envelope", "code": "500"}}
    response = await client.post("/_mock/faults", json=rule)
    assert response.status == 201
    status, answer, _ = await post(client, SENT, "br", {})
    assert (status, answer) == (200, not_supported("br"))
    shown = await (await client.get("/_mock/faults/1")).json()
    assert (shown["matched"], shown["fired"]) == (0, 0)


# -- the control API ---------------------------------------------------------------------------

RULE = {
    "action": {"type": "envelope", "code": "500"},
    "match": {"function": "x/y"},
    "allow_unknown": True,
}


async def test_a_gzip_control_body_is_decoded(client):
    body = gzipped(json.dumps(RULE).encode())
    response = await client.post(
        "/_mock/faults",
        data=body,
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert response.status == 201, await response.text()
    assert (await response.json())["match"] == {"function": "x/y"}


@pytest.mark.parametrize(
    ("coding", "body", "status", "message", "field"),
    [
        (
            "br",
            b"{}",
            415,
            "the content coding br is not supported: send the body as it is, or with gzip or "
            "deflate",
            "Content-Encoding",
        ),
        (
            "gzip",
            b"{}",
            400,
            "the request body is not valid gzip data (Error -3 while decompressing data: "
            "incorrect header check)",
            "body",
        ),
        (
            "gzip",
            gzipped(b" " * 300_000),
            413,
            "the body is larger than the limit of 262144 bytes (max_request_bytes) once decoded",
            "body",
        ),
    ],
)
async def test_a_control_body_that_does_not_decode_is_a_json_error(
    client, coding, body, status, message, field
):
    response = await client.post(
        "/_mock/faults",
        data=body,
        headers={"Content-Type": "application/json", "Content-Encoding": coding},
    )
    assert (response.status, await response.json()) == (
        status,
        {"error": {"status": status, "message": message, "field": field}},
    )
    assert (await (await client.get("/_mock/faults")).json())["rules"] == []
