"""Stubs: declared through /_mock/stubs or --stubs, served like any function (transport,
authentication, journal, faults, tenants), and refused with a 400 naming the bad field."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from mockswitch.cli import main
from tests.helpers import NO_SUCH_FUNCTION, NOT_AUTHENTICATED, call, envelope

PEOPLE = [{"id": 100, "username": "user"}, {"id": 101, "username": "admin"}]
PEOPLE_STUB = {"function": "people/list", "data": PEOPLE}
PEOPLE_ENVELOPE = envelope(("200", "", "OK"), data=PEOPLE)


async def add(client: TestClient, declaration: Any, path: str = "/_mock/stubs") -> Any:
    response = await client.post(path, json=declaration)
    assert response.status == 201, await response.text()
    return await response.json()


async def refused(client: TestClient, declaration: Any, status: int = 400) -> dict[str, Any]:
    response = await client.post("/_mock/stubs", json=declaration)
    assert response.status == status, await response.text()
    return (await response.json())["error"]


async def journal(client: TestClient, path: str = "/_mock/calls") -> list[dict[str, Any]]:
    response = await client.get(path)
    assert response.status == 200
    return (await response.json())["calls"]


async def test_a_stub_is_answered_by_get_and_post_with_either_separator(client: TestClient):
    stub = await add(client, PEOPLE_STUB)
    assert stub == {
        "id": 1,
        "function": "people/list",
        "responses": [{"code": "200", "key": "", "message": "OK"}],
        "data": PEOPLE,
    }
    auth = "auth_username=user;auth_password=password"
    for method, path, kwargs in (
        ("GET", f"/api/json/people/list/?{auth}", {}),
        ("GET", "/api/json/people/list?auth_username=user&auth_password=password", {}),
        (
            "POST",
            "/api/json/people/list/",
            {"data": {"auth_username": "user", "auth_password": "password"}},
        ),
        (
            "POST",
            "/api/json/people/list",
            {
                "data": auth.encode(),
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            },
        ),
    ):
        response = await client.request(method, path, **kwargs)
        assert (response.status, await response.json()) == (200, PEOPLE_ENVELOPE), (method, path)
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    calls = await journal(client)
    assert [(c["method"], c["stub"], c["proxied"], c["code"]) for c in calls] == [
        ("GET", 1, False, "200"),
        ("GET", 1, False, "200"),
        ("POST", 1, False, "200"),
        ("POST", 1, False, "200"),
    ]
    assert calls[0]["params"] == {"auth_username": "user", "auth_password": "********"}
    assert calls[0]["username"] == "user"


async def test_a_stub_authenticates_against_the_cast(client: TestClient):
    await add(client, PEOPLE_STUB)
    assert await call(client, "people/list", user="user") == (200, PEOPLE_ENVELOPE)
    assert await call(client, "people/list", user=None) == (200, NOT_AUTHENTICATED)
    response = await client.get(
        "/api/json/people/list/", params={"auth_username": "user", "auth_password": "wrong"}
    )
    assert await response.json() == NOT_AUTHENTICATED
    response = await client.get(
        "/api/json/people/list/", params={"auth_username": "nobody", "auth_password": "password"}
    )
    assert await response.json() == NOT_AUTHENTICATED
    codes = [(c["code"], c["stub"]) for c in await journal(client)]
    assert codes == [("200", 1), ("401", None), ("401", None), ("401", None)]


async def test_the_first_matching_stub_wins_and_a_stub_without_match_is_the_fallback(
    client: TestClient,
):
    fallback = await add(client, {"function": "people/get", "code": "404", "message": "Nope."})
    by_id = await add(
        client, {"function": "people/get", "data": {"id": 100}, "match": {"params": {"id": 100}}}
    )
    shadowed = await add(
        client, {"function": "people/get", "data": {"id": 0}, "match": {"params": {"id": "100"}}}
    )
    as_admin = await add(
        client,
        {"function": "people/get", "data": {"id": 101}, "match": {"username": "admin"}},
    )
    assert by_id["match"] == {"params": {"id": "100"}}
    ok = ("200", "", "OK")
    assert await call(client, "people/get", id=100) == (200, envelope(ok, data={"id": 100}))
    assert await call(client, "people/get", user="admin", id=7) == (
        200,
        envelope(ok, data={"id": 101}),
    )
    assert await call(client, "people/get", id=7) == (200, envelope(("404", "", "Nope.")))
    stubs = [c["stub"] for c in await journal(client)]
    assert stubs == [by_id["id"], as_admin["id"], fallback["id"]]
    assert shadowed["id"] not in stubs


async def test_without_a_fallback_a_call_no_stub_selects_is_no_such_function(client: TestClient):
    await add(client, {"function": "people/get", "data": {}, "match": {"params": {"id": "1"}}})
    assert await call(client, "people/get", id=2) == (200, NO_SUCH_FUNCTION)


async def test_a_whole_envelope_and_a_mirrored_status(serve):
    client = await serve(http_status="mirror")
    responses = [
        {"code": "400", "key": "name", "message": "Invalid name."},
        {"code": "400", "key": "mailbox", "message": "Invalid mailbox."},
    ]
    await add(client, {"function": "people/update", "responses": responses})
    await add(client, {"function": "people/delete", "code": 204})
    await add(client, {"function": "people/count", "data": {"count": 2}, "message": "Fine."})
    status, body = await call(client, "people/update")
    assert (status, body) == (400, {"responses": responses})
    assert await call(client, "people/delete") == (200, envelope(("204", "", "OK")))
    assert await call(client, "people/count") == (
        200,
        envelope(("200", "", "Fine."), data={"count": 2}),
    )


async def test_a_stub_obeys_fault_rules_and_latency(client: TestClient):
    await add(client, PEOPLE_STUB)
    response = await client.post(
        "/_mock/faults",
        json={
            "match": {"function": "people/*"},
            "action": {"type": "envelope", "code": "500"},
            "latency": {"fixed_ms": 30},
            "times": 1,
        },
    )
    assert response.status == 201
    assert await call(client, "people/list") == (200, envelope(("500", "", "Internal error")))
    assert await call(client, "people/list") == (200, PEOPLE_ENVELOPE)
    first, second = await journal(client)
    assert first["fault"]["action"] == "envelope"
    assert first["latency_ms"] >= 30
    assert (second["fault"], second["stub"]) == (None, 1)


async def test_stubs_belong_to_their_tenant(client: TestClient):
    await add(client, PEOPLE_STUB, "/t/acme/_mock/stubs")
    response = await client.get(
        "/t/acme/api/json/people/list/",
        params={"auth_username": "user", "auth_password": "password"},
    )
    assert await response.json() == PEOPLE_ENVELOPE
    assert await call(client, "people/list") == (200, NO_SUCH_FUNCTION)
    assert [c["stub"] for c in await journal(client, "/t/acme/_mock/calls")] == [1]
    assert (await (await client.get("/_mock/stubs")).json()) == {"stubs": []}
    response = await client.get("/t/nobody/_mock/stubs")
    assert response.status == 404


async def test_the_control_api_lists_reads_and_deletes_stubs(client: TestClient):
    added = await add(client, [PEOPLE_STUB, {"function": "phones/list", "data": []}])
    assert [s["id"] for s in added] == [1, 2]
    listed = await (await client.get("/_mock/stubs")).json()
    assert listed == {"stubs": added}
    assert await (await client.get("/_mock/stubs/2")).json() == added[1]
    response = await client.delete("/_mock/stubs/1")
    assert await response.json() == {"status": "deleted", "id": 1}
    for method in ("GET", "DELETE"):
        response = await client.request(method, "/_mock/stubs/1")
        assert response.status == 404
        assert await response.json() == {
            "error": {"status": 404, "message": "no stub 1", "field": "id"}
        }
    response = await client.get("/_mock/stubs/x")
    assert response.status == 400
    assert (await response.json())["error"]["field"] == "id"
    response = await client.delete("/_mock/stubs")
    assert await response.json() == {"status": "cleared"}
    assert await (await client.get("/_mock/stubs")).json() == {"stubs": []}
    assert await call(client, "phones/list") == (200, NO_SUCH_FUNCTION)


@pytest.mark.parametrize(
    ("declaration", "field"),
    [
        ({**PEOPLE_STUB, "bogus": 1}, "bogus"),
        ({"function": "people", "data": []}, "function"),
        ({"function": "people/list/all/now", "data": []}, "function"),
        ({"function": "people/li st", "data": []}, "function"),
        ({"function": 7, "data": []}, "function"),
        ({"function": "people/list", "code": "999", "message": "x"}, "code"),
        ({"function": "people/list", "code": "418", "message": "x"}, "code"),
        ({"function": "people/list", "code": "404"}, "message"),
        ({"function": "people/list", "message": "x"}, "code"),
        ({"function": "people/list", "code": "404", "message": "x", "data": []}, "data"),
        ({"function": "people/list"}, "data"),
        ({"function": "people/list", "responses": []}, "responses"),
        ({"function": "people/list", "responses": [{"code": "2"}]}, "responses[0].code"),
        ({"function": "people/list", "responses": [{"code": "200", "x": 1}]}, "responses[0].x"),
        ({"function": "people/list", "code": "204", "responses": [{"code": "204"}]}, "code"),
        ({**PEOPLE_STUB, "match": {"params": {"id": [1]}}}, "match.params.id"),
        (
            {**PEOPLE_STUB, "match": {"params": {"auth_password": "x"}}},
            "match.params.auth_password",
        ),
        ({**PEOPLE_STUB, "match": {"user": "x"}}, "match.user"),
        ({**PEOPLE_STUB, "match": {"username": 5}}, "match.username"),
        ([PEOPLE_STUB, {"function": "x/y", "code": "1"}], "[1].code"),
        ("people/list", "body"),
    ],
)
async def test_a_bad_stub_is_a_400_naming_the_field(client: TestClient, declaration, field):
    error = await refused(client, declaration)
    assert (error["status"], error["field"]) == (400, field), error
    assert await (await client.get("/_mock/stubs")).json() == {"stubs": []}  # all or none


async def test_a_body_over_the_request_cap_is_a_413_naming_the_body(serve):
    client = await serve(max_request_bytes=2048)
    error = await refused(client, {"function": "people/list", "data": ["x" * 4096]}, status=413)
    assert error == {
        "status": 413,
        "message": "the body is larger than the limit of 2048 bytes (max_request_bytes)",
        "field": "body",
    }
    for body in (b"", b"{", b"\xff"):
        response = await client.post("/_mock/stubs", data=body)
        assert response.status == 400
        assert (await response.json())["error"]["field"] == "body"


async def test_stubbing_a_simulated_function_is_a_409(client: TestClient):
    error = await refused(client, {"function": "bulk/campaigns/get", "data": {}}, status=409)
    assert error == {
        "status": 409,
        "message": "bulk/campaigns/get is simulated by mockswitch and cannot be stubbed; use a "
        "fault rule (POST /_mock/faults) to change its answer",
        "field": "function",
    }


async def test_a_tenant_holds_at_most_max_stubs(serve):
    client = await serve(max_stubs=2)
    await add(client, [PEOPLE_STUB, PEOPLE_STUB])
    error = await refused(client, PEOPLE_STUB, status=429)
    assert error == {
        "status": 429,
        "message": "the tenant holds 2 stubs and 1 more would pass the max_stubs setting (2): "
        "remove some first",
    }


async def test_stubs_given_at_start_come_back_with_a_reset(serve, tmp_path: Path):
    path = tmp_path / "stubs.yaml"
    path.write_text(
        "- function: people/list\n"
        "  data: [{id: 100, username: user}, {id: 101, username: admin}]\n"
        "- function: phones/list\n"
        "  code: '404'\n"
        "  message: No phones.\n"
    )
    client = await serve(stubs=str(path))
    assert await call(client, "people/list") == (200, PEOPLE_ENVELOPE)
    await client.delete("/_mock/stubs/1")
    await add(client, {"function": "queues/list", "data": []})
    assert await call(client, "people/list") == (200, NO_SUCH_FUNCTION)
    response = await client.post("/_mock/reset")
    assert response.status == 200
    listed = (await (await client.get("/_mock/stubs")).json())["stubs"]
    assert [(s["id"], s["function"]) for s in listed] == [(1, "people/list"), (2, "phones/list")]
    assert await call(client, "people/list") == (200, PEOPLE_ENVELOPE)
    # a new tenant starts from the same stubs
    response = await client.get("/t/fresh/_mock/stubs")
    assert response.status == 404  # reads never create a tenant
    await client.get("/t/fresh/api/json/phones/list/")
    listed = (await (await client.get("/t/fresh/_mock/stubs")).json())["stubs"]
    assert [s["function"] for s in listed] == ["people/list", "phones/list"]


def test_a_bad_stub_file_stops_the_start_with_one_line(tmp_path: Path, capsys):
    path = tmp_path / "stubs.json"
    path.write_text('[{"function": "people/list", "data": []}, {"function": "people"}]')
    assert main(["serve", "--db", ":memory:", "--port", "0", "--stubs", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        f"mockswitch: {path}: stub 2: function: must be a function name: word/word "
        "or word/word/word (letters, digits, '_')"
    )


async def test_the_openapi_document_lists_each_stubbed_function(client: TestClient):
    await add(client, [PEOPLE_STUB, {"function": "phones/list", "data": []}])
    document = await (await client.get("/_mock/openapi.json")).json()
    for name in ("people/list", "phones/list"):
        for path in (f"/api/json/{name}/", f"/t/{{tenant}}/api/json/{name}/"):
            assert set(document["paths"][path]) >= {"get", "post"}, path
    assert "/api/json/queues/list/" not in document["paths"]


async def test_concurrent_declarations_and_calls_keep_every_stub_and_answer_every_call(
    client: TestClient,
):
    for round_number in range(5):
        await client.delete("/_mock/stubs")
        declarations = [
            {"function": "people/get", "data": {"id": i}, "match": {"params": {"id": str(i)}}}
            for i in range(40)
        ]
        added, answers = await asyncio.gather(
            asyncio.gather(*(add(client, d) for d in declarations)),
            asyncio.gather(*(call(client, "people/get", id=i) for i in range(40))),
        )
        # Every stub got its own id, and every call had an answer: its stub, or a 404 when
        # it came before its stub did; never anything else.
        ids = [stub["id"] for stub in added]
        assert len(set(ids)) == 40, round_number
        for i, (status, body) in enumerate(answers):
            assert status == 200
            assert body in (envelope(("200", "", "OK"), data={"id": i}), NO_SUCH_FUNCTION)
        listed = (await (await client.get("/_mock/stubs")).json())["stubs"]
        assert sorted(s["id"] for s in listed) == sorted(ids)
        for i in range(40):
            assert await call(client, "people/get", id=i) == (
                200,
                envelope(("200", "", "OK"), data={"id": i}),
            )


def test_the_openapi_stub_schema_has_exactly_the_parsers_fields():
    from mockswitch.stubs.parse import ENTRY_FIELDS, FIELDS, MATCH_FIELDS
    from mockswitch.web.stubs import STUB_FIELDS

    assert set(STUB_FIELDS) == FIELDS
    assert set(STUB_FIELDS["match"]["properties"]) == MATCH_FIELDS
    assert set(STUB_FIELDS["responses"]["items"]["properties"]) == ENTRY_FIELDS
