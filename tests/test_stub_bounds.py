"""What a stub may hold, and how much: bytes per tenant and in total (413), NaN, Infinity and
nesting beyond max_stub_depth (400), text UTF-8 cannot carry (escaped, and the journal says
so), YAML anchors and aliases in stub files (one line, exit 2); and whatever is accepted can
be listed."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from mockswitch.cli import main
from mockswitch.enswitch.jsontext import ESCAPED
from tests.helpers import call, envelope

AUTH = {"auth_username": "user", "auth_password": "password"}
STUB_OVERHEAD = 1024


def people(size: int) -> dict[str, Any]:
    """A people/list stub whose envelope is exactly `size` bytes long."""
    head = len('{"responses":[{"code":"200","key":"","message":"OK"}],"data":[""]}')
    return {"function": "people/list", "data": ["x" * (size - head)]}


async def post(client: TestClient, document: Any, path: str = "/_mock/stubs") -> tuple[int, Any]:
    response = await client.post(path, json=document)
    return response.status, await response.json()


async def listed(client: TestClient, path: str = "/_mock/stubs") -> list[dict[str, Any]]:
    response = await client.get(path)
    assert response.status == 200
    return (await response.json())["stubs"]


async def test_a_tenant_holds_at_most_max_stub_bytes(serve):
    client = await serve(max_stub_bytes=10 * 4096)
    status, _ = await post(client, [people(4096 - STUB_OVERHEAD)] * 10)  # exactly the bound
    assert status == 201
    status, body = await post(client, people(100))
    assert (status, body) == (
        413,
        {
            "error": {
                "status": 413,
                "message": f"the tenant's stubs hold {10 * 4096} bytes, and these "
                f"{100 + STUB_OVERHEAD} more would pass the max_stub_bytes setting "
                f"({10 * 4096}): remove some first",
                "field": "body",
            }
        },
    )
    assert len(await listed(client)) == 10  # nothing of the refused post was kept
    assert (await client.delete("/_mock/stubs/3")).status == 200
    status, _ = await post(client, people(4096 - STUB_OVERHEAD))  # room again
    assert status == 201
    # Another tenant has a bound of its own.
    status, _ = await post(client, [people(4096 - STUB_OVERHEAD)] * 10, "/t/other/_mock/stubs")
    assert status == 201


async def test_every_tenant_together_holds_at_most_max_stub_bytes_total(serve):
    client = await serve(max_stub_bytes=3 * 4096, max_stub_bytes_total=5 * 4096)
    stub = people(4096 - STUB_OVERHEAD)
    assert (await post(client, [stub] * 3, "/t/a/_mock/stubs"))[0] == 201
    assert (await post(client, [stub] * 2, "/t/b/_mock/stubs"))[0] == 201
    status, body = await post(client, stub, "/t/c/_mock/stubs")
    assert (status, body["error"]["message"]) == (
        413,
        f"the stubs of every tenant hold {5 * 4096} bytes, and these 4096 more would pass the "
        f"max_stub_bytes_total setting ({5 * 4096}): remove some first",
    )
    # A tenant dropped, or reset, gives its bytes back.
    assert (await client.delete("/t/a/_mock")).status == 200
    assert (await post(client, [stub] * 3, "/t/c/_mock/stubs"))[0] == 201
    assert (await post(client, stub, "/t/d/_mock/stubs"))[0] == 413
    assert (await client.post("/t/b/_mock/reset")).status == 200
    assert (await post(client, [stub] * 2, "/t/d/_mock/stubs"))[0] == 201


async def test_the_defaults_bound_four_tenants_to_128_mib(serve):
    # 32 MiB a tenant, 128 MiB in all: four tenants fill the total, a fifth gets nothing.
    client = await serve(max_request_bytes=5 * 2**20)
    body = json.dumps(people(4 * 2**20 - STUB_OVERHEAD)).encode()  # 4 MiB each, as counted
    added = {}
    for tenant in ("a", "b", "c", "d", "e"):
        statuses = []
        while not statuses or statuses[-1] == 201:
            response = await client.post(f"/t/{tenant}/_mock/stubs", data=io.BytesIO(body))
            statuses.append(response.status)
        assert statuses[-1] == 413
        added[tenant] = len(statuses) - 1
    assert added == {"a": 8, "b": 8, "c": 8, "d": 8, "e": 0}


NOT_FINITE = "which JSON cannot carry (only finite numbers: 1e400, NaN and Infinity are not JSON)"


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        ('{"function": "people/list", "data": NaN}', "data", f"is nan, {NOT_FINITE}"),
        (
            '{"function": "people/list", "data": [{"rate": Infinity}]}',
            "data[0].rate",
            f"is inf, {NOT_FINITE}",
        ),
        (
            '{"function": "people/list", "data": {"x": -Infinity}}',
            "data.x",
            f"is -inf, {NOT_FINITE}",
        ),
        (
            '{"function": "people/list", "data": [1], "match": {"params": {"id": NaN}}}',
            "match.params.id",
            f"is nan, {NOT_FINITE}",
        ),
        (
            '{"function": "people/list", "data": %s}' % ("[" * 65 + "]" * 65),
            "data",
            "is nested more than 64 deep (max_stub_depth)",
        ),
        (
            '{"function": "people/list", "data": %s}' % ("[" * 500 + "]" * 500),
            "data",
            "is nested more than 64 deep (max_stub_depth)",
        ),
        (
            '{"function": "people/list", "data": [], "match": {"params": {"new_password": "x"}}}',
            "match.params.new_password",
            "a stub never matches on a secret",
        ),
    ],
)
async def test_what_json_cannot_carry_is_a_400(client: TestClient, text: str, field, message):
    response = await client.post("/_mock/stubs", data=text)
    assert (response.status, await response.json()) == (
        400,
        {"error": {"status": 400, "message": message, "field": field}},
    )
    assert await listed(client) == []


async def test_data_nested_to_the_limit_is_served_and_listed(serve):
    client = await serve(max_stub_depth=500)
    deep: Any = [1]
    for _ in range(499):
        deep = [deep]
    status, added = await post(client, {"function": "people/list", "data": deep})
    assert status == 201
    assert await listed(client) == [added]
    assert (await (await client.get("/_mock/stubs/1")).json()) == added
    assert await call(client, "people/list") == (200, envelope(("200", "", "OK"), data=deep))


async def test_text_utf8_cannot_carry_is_served_as_its_escape_and_journaled(client: TestClient):
    text = '{"function": "people/list", "data": ["\\ud800", "caf\\u00e9"], "key": "\\udfff"}'
    response = await client.post("/_mock/stubs", data=text)
    assert response.status == 201
    answer = await client.get("/api/json/people/list/", params=AUTH)
    assert await answer.read() == (
        b'{"responses":[{"code":"200","key":"\\udfff","message":"OK"}],'
        b'"data":["\\ud800","caf\xc3\xa9"]}'
    )
    [entry] = (await (await client.get("/_mock/calls")).json())["calls"]
    assert (entry["code"], entry["key"], entry["stub"], entry["warnings"]) == (
        "200",
        "\\udfff",
        1,
        [ESCAPED],
    )
    assert (await listed(client))[0]["data"] == ["\ud800", "café"]
    # And the next call is answered and journaled as usual.
    await client.post("/_mock/stubs", json={"function": "phones/list", "data": []})
    assert await call(client, "phones/list") == (200, envelope(("200", "", "OK"), data=[]))
    calls = (await (await client.get("/_mock/calls")).json())["calls"]
    assert [(c["function"], c["warnings"]) for c in calls] == [
        ("people/list", [ESCAPED]),
        ("phones/list", []),
    ]


async def test_the_listing_of_a_full_tenant_is_every_stub(serve):
    client = await serve(max_stub_bytes=2**20, max_request_bytes=2**21)
    stubs = [{**people(30000), "match": {"params": {"id": str(n)}}} for n in range(33)]
    status, added = await post(client, stubs)
    assert status == 201
    assert (await post(client, people(30000)))[0] == 413
    response = await client.get("/_mock/stubs")
    assert response.headers["Content-Type"] == "application/json"
    assert json.loads(await response.read()) == {"stubs": added}


@pytest.mark.parametrize(
    "text",
    [
        "- function: people/list\n  data: &x [1, *x]\n",  # data that holds itself
        "- &stub {function: people/list, data: [1]}\n- *stub\n",
        "- function: people/list\n  data: &a [x, x, x]\n  match: {params: {id: *a}}\n",
    ],
)
def test_yaml_anchors_and_aliases_in_a_stub_file_are_one_line_and_exit_2(
    tmp_path: Path, capsys, text: str
):
    path = tmp_path / "stubs.yaml"
    path.write_text(text)
    assert main(["serve", "--db", ":memory:", "--port", "0", "--stubs", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        f"mockswitch: {path}: not valid JSON or YAML: YAML anchors and aliases (&name, *name) "
        "are not allowed here in "
    ), err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("- function: people/list\n  data: [.nan]\n", "stub 1: data[0]: is nan, which JSON"),
        ("- function: people/list\n  data: {day: 2026-01-31}\n", "stub 1: data.day: is a date"),
        ("[" * 20000 + "]" * 20000, "not valid JSON or YAML: nested too deeply"),
    ],
)
def test_a_stub_file_json_cannot_carry_is_one_line_and_exit_2(
    tmp_path: Path, capsys, text: str, says: str
):
    path = tmp_path / "stubs.yaml"
    path.write_text(text)
    assert main(["serve", "--db", ":memory:", "--port", "0", "--stubs", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"mockswitch: {path}: {says}"), err
    assert err.count("\n") == 1


def test_start_stubs_over_max_stub_bytes_are_one_line_and_exit_2(tmp_path: Path, capsys):
    path = tmp_path / "stubs.json"
    path.write_text(json.dumps([people(8000)]))
    argv = ["serve", "--db", ":memory:", "--port", "0", "--stubs", str(path)]
    assert main([*argv, "--max-stub-bytes", "8192"]) == 2
    assert capsys.readouterr().err == (
        f"mockswitch: {path}: its stubs hold {8000 + STUB_OVERHEAD} bytes, more than the "
        "max_stub_bytes setting (8192) lets one tenant hold\n"
    )
