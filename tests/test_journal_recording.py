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

from tests.cast import CAMPAIGNS, PASSWORD
from tests.helpers import (
    MASK,
    NO_SUCH_FUNCTION,
    NOT_AUTHENTICATED,
    OK_204,
    RATEPLAN_FORBIDS,
    ROLE_FORBIDS,
    UNTOUCHED,
    VALIDATED,
    bad,
    envelope,
    no_campaign,
    ok,
)

UPDATE = "/api/json/bulk/campaigns/update/"
GET = "/api/json/bulk/campaigns/get/"
AT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


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


def case(
    name: str,
    path: str,
    query: str,
    answer: dict[str, Any],
    *,
    username: str = "user",
    password: str = PASSWORD,
    settings: dict[str, Any] | None = None,
    body: bytes | None = None,
    params: list[list[str]] | None = None,
    unknown: tuple[str, ...] = (),
    http_status: int = 200,
    warnings: tuple[str, ...] = (),
) -> Any:
    """A call sent to `path` with `query` (its password masked as the journal shows it), and
    the journal entry it must leave: by default its parameters are the query's pairs."""
    if params is None:
        params = [pair.split("=", 1) for pair in re.split("[;&]", query)]
    first = answer["responses"][0]
    expected = {
        "method": "GET" if body is None else "POST",
        "path": path,
        "function": path.removeprefix("/api/json/").strip("/"),
        "query": query,
        "params": params,
        "unknown": list(unknown),
        "username": username,
        "code": first["code"],
        "key": first["key"],
        "http_status": http_status,
        "body": text(answer),
        "warnings": list(warnings),
    }
    sent = f"{path}?{query.replace(MASK, password)}"
    return pytest.param(settings or {}, sent, body, expected, id=name)


AS_USER = f"auth_username=user;auth_password={MASK}"

# (settings, path with its raw query, POST body or None, expected entry fields)
CASES = [
    case(
        "204-update-with-a-misspelt-parameter",
        UPDATE,
        f"{AS_USER};id=124;calerid=2125550199;name=Renamed",
        OK_204,
        unknown=("calerid",),
    ),
    case("200-get", GET, f"auth_username=user&auth_password={MASK}&id=123", ok(CAMPAIGNS[123])),
    case("201-validation", UPDATE, f"{AS_USER};id=123;maximum=4;validation=1", VALIDATED),
    case(
        "400-several-keys",
        UPDATE,
        f"{AS_USER};id=123;attempts=0;maximum=0",
        bad(("attempts", "must be at least 1"), ("maximum", "must be at least 1")),
    ),
    case(
        "401-wrong-password",
        GET,
        f"{AS_USER};id=123",
        NOT_AUTHENTICATED,
        username="",
        password="Wr0ng-Passw0rd-4e1f",
        warnings=("login failed: wrong password for 'user'",),
    ),
    case(
        "402-role",
        GET,
        f"auth_username=viewer;auth_password={MASK};id=123",
        ROLE_FORBIDS,
        username="viewer",
    ),
    case(
        "402-role-mirrored-http-status",
        GET,
        f"auth_username=viewer;auth_password={MASK};id=123",
        ROLE_FORBIDS,
        username="viewer",
        settings={"http_status": "mirror"},
        http_status=402,
    ),
    case(
        "403-rate-plan",
        GET,
        f"auth_username=initech;auth_password={MASK};id=300",
        RATEPLAN_FORBIDS,
        username="initech",
    ),
    case("404-campaign", GET, f"{AS_USER};id=999", no_campaign("view it")),
    case(
        "404-unknown-function",
        "/api/json/bulk/campaigns/frobnicate/",
        f"{AS_USER};id=1",
        NO_SUCH_FUNCTION,
        username="",
        warnings=(
            "no function `bulk/campaigns/frobnicate` is served or stubbed here "
            "(did you mean `bulk/campaigns/create`?)",
        ),
    ),
    case(
        "malformed-percent-encoding",
        UPDATE,
        f"{AS_USER};id=123;name=%zz",
        bad(("name", "has malformed percent-encoding")),
        # Refused, but what could be read is kept, and the credentials were right.
        params=[["auth_username", "user"], ["auth_password", MASK], ["id", "123"]],
    ),
    case(
        "413-too-large",
        UPDATE,
        f"{AS_USER};id=123;description={TOO_LONG}",
        envelope(("413", "", "The request is larger than the limit of 2048 bytes.")),
        username="",
        params=[],
        settings={"max_request_bytes": 2048},
    ),
    case(
        "post-form",
        UPDATE,
        "auth_username=user",
        OK_204,
        body=b"auth_password=password&id=123&maximum=4",
        params=[
            ["auth_username", "user"],
            ["auth_password", MASK],
            ["id", "123"],
            ["maximum", "4"],
        ],
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
        **UNTOUCHED,
        **expected,
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
    # Masked wherever readable: 7 in the queries (two in one), 7 in the parameters read (all
    # but the 413's, whose parameters are never read).
    assert listed.count(MASK) == 14

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


NOT_A_FORM = text(
    envelope(
        (
            "400",
            "",
            "the request body must be application/x-www-form-urlencoded or "
            "multipart/form-data, not application/json",
        )
    )
)


@pytest.mark.parametrize(
    ("password", "username"), [("password", "user"), ("wrong", "")], ids=["right", "wrong"]
)
async def test_a_post_whose_body_is_not_a_form_records_its_query(serve, password, username):
    """The answer stays the 400 it was; the entry keeps the query's parameters, and the name
    of whoever authenticated, so that filters find it."""
    client = await serve()
    status, answer, call_id = await send(
        client,
        f"{UPDATE}?auth_username=user;auth_password={password};id=123",
        body=b'{"name": "From JSON"}',
        content_type="application/json",
    )
    assert (status, answer) == (200, NOT_A_FORM)
    entry = await journal_entry(client, call_id)
    assert (entry["params"], entry["username"], entry["code"], entry["unknown"]) == (
        {"auth_username": "user", "auth_password": MASK, "id": "123"},
        username,
        "400",
        [],
    )
    for query in ({"param.id": "123"}, {"param.auth_username": "user"}):
        found = await (await client.get("/_mock/calls", params=query)).json()
        assert [call["id"] for call in found["calls"]] == [call_id], query
    by_name = await (await client.get("/_mock/calls", params={"username": "user"})).json()
    assert [call["id"] for call in by_name["calls"]] == ([call_id] if username else [])
    # Nothing changed.
    _, got, _ = await send(client, f"{GET}?auth_username=user;auth_password=password;id=123")
    assert json.loads(got)["data"]["name"] == "Spring promo"


async def test_a_refused_call_records_every_parameter_it_could_read(serve):
    client = await serve()
    _, answer, call_id = await send(
        client, f"{UPDATE}?auth_username=user;auth_password=password;id=123;name=%zz;maximum=4"
    )
    assert json.loads(answer) == envelope(("400", "name", "has malformed percent-encoding"))
    entry = await journal_entry(client, call_id)
    assert (entry["params"], entry["username"]) == (
        {"auth_username": "user", "auth_password": MASK, "id": "123", "maximum": "4"},
        "user",
    )
