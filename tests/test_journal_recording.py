"""Every kind of Enswitch call lands in the journal with all its fields, and no password."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from yarl import URL

from tests.conftest import envelope

UPDATE = "/api/json/bulk/campaigns/update/"
GET = "/api/json/bulk/campaigns/get/"
AT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
MASK = "********"

CAMPAIGN_123 = {
    "id": 123,
    "customer": 10,
    "name": "Spring promo",
    "description": "Tell last year's buyers about the spring range",
    "dtype": "phone",
    "dnumber": "1001",
    "enabled": 0,
    "attempts": 3,
    "maximum": 5,
    "retry": 600,
    "machine": "failed",
    "success": "answer",
    "keep_agents_available": 0,
    "owner": 100,
    "recordgroup": 0,
    "timegroup": 5,
    "callerid": "2125550100",
}


def text(document: dict[str, Any]) -> str:
    """An envelope as the switch writes it: compact JSON, keys in order."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def parsed_at(at: str) -> datetime:
    assert AT.fullmatch(at), at
    return datetime.strptime(at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


async def send(
    client: TestClient, path: str, *, body: bytes | None = None, content_type: str = ""
) -> tuple[int, str, int]:
    """Send a request exactly as written (no re-encoding); its status, body and call id."""
    url = URL(path, encoded=True)
    if body is None:
        response = await client.get(url)
    else:
        response = await client.post(url, data=body, headers={"Content-Type": content_type})
    return response.status, await response.text(), int(response.headers["X-Mockswitch-Call"])


async def journal_entry(client: TestClient, call_id: int) -> dict[str, Any]:
    response = await client.get(f"/_mock/calls/{call_id}")
    assert response.status == 200
    return await response.json()


FORM = "application/x-www-form-urlencoded"
TOO_LONG = "x" * 3000

# (id, settings, path with its raw query, POST body or None, expected entry fields)
CASES = [
    pytest.param(
        {},
        f"{UPDATE}?auth_username=user;auth_password=password;id=124;calerid=2125550199;"
        "name=Renamed",
        None,
        {
            "method": "GET",
            "path": UPDATE,
            "function": "bulk/campaigns/update",
            "query": f"auth_username=user;auth_password={MASK};id=124;calerid=2125550199;"
            "name=Renamed",
            "params": [
                ["auth_username", "user"],
                ["auth_password", MASK],
                ["id", "124"],
                ["calerid", "2125550199"],
                ["name", "Renamed"],
            ],
            "unknown": ["calerid"],
            "username": "user",
            "code": "204",
            "key": "",
            "http_status": 200,
            "body": text(envelope(("204", "", "OK"))),
        },
        id="204-update-with-a-misspelt-parameter",
    ),
    pytest.param(
        {},
        f"{GET}?auth_username=user&auth_password=password&id=123",
        None,
        {
            "method": "GET",
            "path": GET,
            "function": "bulk/campaigns/get",
            "query": f"auth_username=user&auth_password={MASK}&id=123",
            "params": [["auth_username", "user"], ["auth_password", MASK], ["id", "123"]],
            "unknown": [],
            "username": "user",
            "code": "200",
            "key": "",
            "http_status": 200,
            "body": text(envelope(("200", "", "OK"), data=CAMPAIGN_123)),
        },
        id="200-get",
    ),
    pytest.param(
        {},
        f"{UPDATE}?auth_username=user;auth_password=password;id=123;maximum=4;validation=1",
        None,
        {
            "method": "GET",
            "path": UPDATE,
            "function": "bulk/campaigns/update",
            "query": f"auth_username=user;auth_password={MASK};id=123;maximum=4;validation=1",
            "params": [
                ["auth_username", "user"],
                ["auth_password", MASK],
                ["id", "123"],
                ["maximum", "4"],
                ["validation", "1"],
            ],
            "unknown": [],
            "username": "user",
            "code": "201",
            "key": "",
            "http_status": 200,
            "body": text(envelope(("201", "", "OK"))),
        },
        id="201-validation",
    ),
    pytest.param(
        {},
        f"{UPDATE}?auth_username=user;auth_password=password;id=123;attempts=0;maximum=0",
        None,
        {
            "method": "GET",
            "path": UPDATE,
            "function": "bulk/campaigns/update",
            "query": f"auth_username=user;auth_password={MASK};id=123;attempts=0;maximum=0",
            "params": [
                ["auth_username", "user"],
                ["auth_password", MASK],
                ["id", "123"],
                ["attempts", "0"],
                ["maximum", "0"],
            ],
            "unknown": [],
            "username": "user",
            "code": "400",
            "key": "attempts",
            "http_status": 200,
            "body": text(
                envelope(
                    ("400", "attempts", "must be at least 1"),
                    ("400", "maximum", "must be at least 1"),
                )
            ),
        },
        id="400-several-keys",
    ),
    pytest.param(
        {},
        f"{GET}?auth_username=user;auth_password=Wr0ng-Passw0rd-4e1f;id=123",
        None,
        {
            "method": "GET",
            "path": GET,
            "function": "bulk/campaigns/get",
            "query": f"auth_username=user;auth_password={MASK};id=123",
            "params": [["auth_username", "user"], ["auth_password", MASK], ["id", "123"]],
            "unknown": [],
            "username": "",
            "code": "401",
            "key": "",
            "http_status": 200,
            "body": text(envelope(("401", "", "The authentication details provided are invalid."))),
        },
        id="401-wrong-password",
    ),
    pytest.param(
        {},
        f"{GET}?auth_username=viewer;auth_password=password;id=123",
        None,
        {
            "method": "GET",
            "path": GET,
            "function": "bulk/campaigns/get",
            "query": f"auth_username=viewer;auth_password={MASK};id=123",
            "params": [["auth_username", "viewer"], ["auth_password", MASK], ["id", "123"]],
            "unknown": [],
            "username": "viewer",
            "code": "402",
            "key": "",
            "http_status": 200,
            "body": text(envelope(("402", "", "Your role does not allow this."))),
        },
        id="402-role",
    ),
    pytest.param(
        {"http_status": "mirror"},
        f"{GET}?auth_username=viewer;auth_password=password;id=123",
        None,
        {
            "method": "GET",
            "path": GET,
            "function": "bulk/campaigns/get",
            "query": f"auth_username=viewer;auth_password={MASK};id=123",
            "params": [["auth_username", "viewer"], ["auth_password", MASK], ["id", "123"]],
            "unknown": [],
            "username": "viewer",
            "code": "402",
            "key": "",
            "http_status": 402,
            "body": text(envelope(("402", "", "Your role does not allow this."))),
        },
        id="402-role-mirrored-http-status",
    ),
    pytest.param(
        {},
        f"{GET}?auth_username=initech;auth_password=password;id=300",
        None,
        {
            "method": "GET",
            "path": GET,
            "function": "bulk/campaigns/get",
            "query": f"auth_username=initech;auth_password={MASK};id=300",
            "params": [["auth_username", "initech"], ["auth_password", MASK], ["id", "300"]],
            "unknown": [],
            "username": "initech",
            "code": "403",
            "key": "",
            "http_status": 200,
            "body": text(envelope(("403", "", "Your rate plan does not allow this."))),
        },
        id="403-rate-plan",
    ),
    pytest.param(
        {},
        f"{GET}?auth_username=user;auth_password=password;id=999",
        None,
        {
            "method": "GET",
            "path": GET,
            "function": "bulk/campaigns/get",
            "query": f"auth_username=user;auth_password={MASK};id=999",
            "params": [["auth_username", "user"], ["auth_password", MASK], ["id", "999"]],
            "unknown": [],
            "username": "user",
            "code": "404",
            "key": "",
            "http_status": 200,
            "body": text(
                envelope(
                    (
                        "404",
                        "",
                        "The campaign does not exist, or you do not have permission to view it.",
                    )
                )
            ),
        },
        id="404-campaign",
    ),
    pytest.param(
        {},
        "/api/json/bulk/campaigns/frobnicate/?auth_username=user;auth_password=password;id=1",
        None,
        {
            "method": "GET",
            "path": "/api/json/bulk/campaigns/frobnicate/",
            "function": "bulk/campaigns/frobnicate",
            "query": f"auth_username=user;auth_password={MASK};id=1",
            "params": [["auth_username", "user"], ["auth_password", MASK], ["id", "1"]],
            "unknown": [],
            "username": "",
            "code": "404",
            "key": "",
            "http_status": 200,
            "body": text(envelope(("404", "", "No such function."))),
        },
        id="404-unknown-function",
    ),
    pytest.param(
        {},
        f"{UPDATE}?auth_username=user;auth_password=password;id=123;name=%zz",
        None,
        {
            "method": "GET",
            "path": UPDATE,
            "function": "bulk/campaigns/update",
            "query": f"auth_username=user;auth_password={MASK};id=123;name=%zz",
            "params": [],
            "unknown": [],
            "username": "",
            "code": "400",
            "key": "name",
            "http_status": 200,
            "body": text(envelope(("400", "name", "has malformed percent-encoding"))),
        },
        id="malformed-percent-encoding",
    ),
    pytest.param(
        {"max_request_bytes": 2048},
        f"{UPDATE}?auth_username=user;auth_password=password;id=123;description={TOO_LONG}",
        None,
        {
            "method": "GET",
            "path": UPDATE,
            "function": "bulk/campaigns/update",
            "query": f"auth_username=user;auth_password={MASK};id=123;description={TOO_LONG}",
            "params": [],
            "unknown": [],
            "username": "",
            "code": "413",
            "key": "",
            "http_status": 200,
            "body": text(
                envelope(("413", "", "The request is larger than the limit of 2048 bytes."))
            ),
        },
        id="413-too-large",
    ),
    pytest.param(
        {},
        f"{UPDATE}?auth_username=user",
        b"auth_password=password&id=123&maximum=4",
        {
            "method": "POST",
            "path": UPDATE,
            "function": "bulk/campaigns/update",
            "query": "auth_username=user",
            "params": [
                ["auth_username", "user"],
                ["auth_password", MASK],
                ["id", "123"],
                ["maximum", "4"],
            ],
            "unknown": [],
            "username": "user",
            "code": "204",
            "key": "",
            "http_status": 200,
            "body": text(envelope(("204", "", "OK"))),
        },
        id="post-form",
    ),
]


@pytest.mark.parametrize(("settings", "path", "body", "expected"), CASES)
async def test_each_kind_of_call_is_recorded_with_all_its_fields(
    serve, settings, path, body, expected
):
    client = await serve(**settings)
    before = datetime.now(UTC)
    status, answer, call_id = await send(client, path, body=body, content_type=FORM)
    after = datetime.now(UTC)

    entry = await journal_entry(client, call_id)
    # The moment and the handling time vary; every other field is known exactly.
    at, duration = entry.pop("at"), entry.pop("duration_ms")
    assert before - timedelta(milliseconds=1) <= parsed_at(at) <= after
    assert 0 < duration < 10_000
    entry["params"] = [list(pair) for pair in entry["params"].items()]  # order matters
    assert entry == {
        "id": 1,
        **expected,
        "body_truncated": False,
        "fault": None,
        "latency_ms": 0,
        "stub": None,
        "proxied": False,
    }
    assert call_id == 1
    # The journal keeps what the client received, byte for byte.
    assert (status, answer) == (expected["http_status"], expected["body"])


SECRETS = (
    "Wr0ngPass-7f3a9c",
    "P0stedSecret-91c2d",
    "Enc0dedSecret-k3v8",
    "Mult1partSecret-m4q2",
    "Malf0rmedSecret-p5z1",
    "Dupl1cateSecret-s6y0",
    "T0oLargeSecret-t7x9",
)
MARKERS = ("StoredMarker-a1b2", "StoredMarker-c3d4")


async def test_no_password_reaches_the_database_file(serve, tmp_path: Path):
    db = tmp_path / "j.sqlite3"
    client = await serve(db=str(db), max_request_bytes=2048)
    boundary = "mockswitch-boundary"
    multipart = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="auth_username"\r\n\r\nuser\r\n'
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="auth_password"\r\n\r\n{SECRETS[3]}\r\n'
        f"--{boundary}--\r\n"
    ).encode()
    requests = [
        (f"{GET}?auth_username=user;auth_password={SECRETS[0]};description={MARKERS[0]}", None, ""),
        (f"{UPDATE}?auth_username=user", f"auth_password={SECRETS[1]}&id=123".encode(), FORM),
        (f"{GET}?auth_username=user;auth%5Fpassword={SECRETS[2]};id=123", None, ""),
        (GET, multipart, f"multipart/form-data; boundary={boundary}"),
        (f"{GET}?auth_username=user;auth_password={SECRETS[4]};id=%zz", None, ""),
        (f"{GET}?auth_password={SECRETS[5]};auth_password={SECRETS[5]}x;id=1", None, ""),
        (f"{GET}?auth_password={SECRETS[6]};description={'y' * 3000}", None, ""),
        (f"/api/json/no/such/?auth_password=password;name={MARKERS[1]}", None, ""),
    ]
    codes = []
    for path, body, content_type in requests:
        _, answer, _ = await send(client, path, body=body, content_type=content_type)
        codes.append(json.loads(answer)["responses"][0]["code"])
    assert codes == ["401", "401", "401", "401", "400", "400", "413", "404"]

    listed = await (await client.get("/_mock/calls")).text()
    # Masked wherever readable: 7 in the queries (two in one), 5 in the parsed parameters.
    assert listed.count(MASK) == 12

    def files() -> bytes:
        return b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith(db.name))

    # While the server runs, the calls are in the write-ahead log; after it stops, in the file.
    for moment in ("running", "stopped"):
        stored = files()
        assert [m for m in MARKERS if m.encode() not in stored] == [], moment
        assert [s for s in SECRETS if s.encode() in stored] == [], moment
        await client.close()


async def test_a_body_longer_than_the_cap_is_cut_and_marked(serve):
    client = await serve(journal_body_cap=20)
    _, answer, call_id = await send(
        client, f"{GET}?auth_username=user;auth_password=password;id=123"
    )
    entry = await journal_entry(client, call_id)
    assert (entry["body"], entry["body_truncated"]) == (answer[:20], True)
    assert entry["body"] == '{"responses":[{"code'


async def test_a_body_exactly_as_long_as_the_cap_is_kept_whole(serve):
    ok = text(envelope(("204", "", "OK")))
    client = await serve(journal_body_cap=len(ok))
    _, answer, call_id = await send(
        client, f"{UPDATE}?auth_username=user;auth_password=password;id=123;maximum=4"
    )
    entry = await journal_entry(client, call_id)
    assert (answer, entry["body"], entry["body_truncated"]) == (ok, ok, False)
