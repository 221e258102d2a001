"""Calls that were answered `Internal error` and never journaled, now answered, journaled, and
followed by calls that work: text UTF-8 cannot carry (in a messages file) escaped and said
so in the entry's warnings, a body its Content-Encoding cannot decode refused with a 400
envelope; and every secret masked in what the journal keeps.

The other cases of issue 25 are where their subject is tested: stub data holding "\\ud800"
(test_stub_bounds.py), an upstream answer nested 50,000 deep (test_proxy_hostile.py), a
`--stubs` YAML file with a cycle (test_stub_bounds.py: refused at start, one line, exit 2).
"""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from mockswitch.enswitch import masking
from mockswitch.enswitch.jsontext import ESCAPED
from tests.helpers import MASK, NO_SUCH_FUNCTION, call, envelope, ok

DOCS = Path(__file__).resolve().parent.parent / "docs"
UPDATE = "/api/json/bulk/campaigns/update/"


async def journal(client: TestClient) -> list[dict[str, Any]]:
    return (await (await client.get("/_mock/calls")).json())["calls"]


async def test_a_messages_file_holding_a_lone_surrogate_then_a_wrong_password(
    serve, tmp_path: Path
):
    path = tmp_path / "messages.json"
    path.write_text('{"messages": [{"code": "401", "message": "Bad login \\ud800."}]}')
    client = await serve(messages=str(path))
    response = await client.get(
        "/api/json/bulk/campaigns/get/",
        params={"auth_username": "user", "auth_password": "wrong", "id": "123"},
    )
    body = await response.read()
    assert (response.status, body) == (
        200,
        b'{"responses":[{"code":"401","key":"","message":"Bad login \\ud800."}]}',
    )
    # Why the login failed (issue 27), and that the answer was escaped to be sent.
    warnings = ["login failed: wrong password for 'user'", ESCAPED]
    [entry] = await journal(client)
    assert (entry["code"], entry["body"], entry["warnings"]) == ("401", body.decode(), warnings)
    status, answer = await call(client, "bulk/campaigns/get", id=123)
    assert (status, answer["responses"]) == (200, ok(None)["responses"])
    assert [c["warnings"] for c in await journal(client)] == [warnings, []]


@pytest.mark.parametrize(
    ("encoding", "why"),
    [
        ("gzip", "Error -3 while decompressing data: incorrect header check"),
        ("deflate", "Error -3 while decompressing data: invalid stored block lengths"),
    ],
)
async def test_a_body_its_content_encoding_cannot_decode_is_a_400_and_journaled(
    client: TestClient, encoding: str, why: str
):
    response = await client.post(
        UPDATE,
        data=b"auth_username=user&auth_password=password&id=123&name=x",
        headers={
            "Content-Encoding": encoding,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    refused = envelope(("400", "", f"The request body is not valid {encoding} data ({why})."))
    assert (response.status, await response.json()) == (200, refused)
    [entry] = await journal(client)
    assert (entry["function"], entry["code"], entry["params"]) == (
        "bulk/campaigns/update",
        "400",
        {},
    )
    # An unknown function is a 404, whatever it was sent; a real gzip body is read.
    response = await client.post(
        "/api/json/no/such/", data=b"not compressed", headers={"Content-Encoding": encoding}
    )
    assert await response.json() == NO_SUCH_FUNCTION
    compressed = zlib.compress(b"auth_username=user&auth_password=password&id=123&name=Zipped")
    response = await client.post(
        UPDATE,
        data=compressed,
        headers={
            "Content-Encoding": "deflate",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert await response.json() == envelope(("204", "", "OK"))
    assert [c["code"] for c in await journal(client)] == ["400", "404", "204"]


async def test_every_secret_parameter_is_masked_in_the_journal(client: TestClient):
    query = (
        "auth_username=user;auth_password=password;id=123;name=Masked;password=p1;"
        "new_password=p2;sip_secret=p3;api_token=p4;passwords=kept;token=kept"
    )
    response = await client.get(f"{UPDATE}?{query}")
    assert await response.json() == envelope(("204", "", "OK"))
    [entry] = await journal(client)
    assert entry["params"] == {
        "auth_username": "user",
        "auth_password": MASK,
        "id": "123",
        "name": "Masked",
        "password": MASK,
        "new_password": MASK,
        "sip_secret": MASK,
        "api_token": MASK,
        "passwords": "kept",
        "token": "kept",
    }
    assert entry["query"] == (
        f"auth_username=user;auth_password={MASK};id=123;name=Masked;password={MASK};"
        f"new_password={MASK};sip_secret={MASK};api_token={MASK};passwords=kept;token=kept"
    )
    assert sorted(entry["unknown"]) == [
        "api_token",
        "new_password",
        "password",
        "passwords",
        "sip_secret",
        "token",
    ]


def test_the_secret_rule_is_written_where_users_look():
    for page in ("real-switch.md", "api.md"):
        assert masking.RULE in " ".join((DOCS / page).read_text().split()), page
