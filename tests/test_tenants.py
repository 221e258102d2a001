"""Tenants: two jobs side by side on one server never see each other's data, calls or faults."""

from __future__ import annotations

import json
import urllib.request

import pytest

from mockswitch.testing import ServerThread
from tests.helpers import OK_204, call, envelope

pytest_plugins = ["pytester"]

AUTH = "auth_username=user;auth_password=password"


async def api(client, tenant: str, function: str, query: str) -> dict:
    response = await client.get(f"/t/{tenant}/api/json/{function}/?{AUTH};{query}")
    assert response.status == 200
    return await response.json()


async def name_of_123(client, tenant: str | None) -> str:
    scope = f"/t/{tenant}" if tenant else ""
    response = await client.get(f"{scope}/api/json/bulk/campaigns/get/?{AUTH};id=123")
    return (await response.json())["data"]["name"]


async def control(client, method: str, path: str, **options) -> tuple[int, dict]:
    response = await client.request(method, path, **options)
    return response.status, await response.json()


async def test_updates_and_journals_of_one_tenant_never_show_in_another(client):
    assert await api(client, "alpha", "bulk/campaigns/update", "id=123;name=alpha") == OK_204
    assert await api(client, "beta", "bulk/campaigns/update", "id=123;name=beta") == OK_204
    assert await api(client, "beta", "bulk/campaigns/get", "id=124") == envelope(
        ("200", "", "OK"), data=(await api(client, "alpha", "bulk/campaigns/get", "id=124"))["data"]
    )

    assert await name_of_123(client, "alpha") == "alpha"
    assert await name_of_123(client, "beta") == "beta"
    assert await name_of_123(client, None) == "Spring promo"  # the plain paths: "default"

    status, alpha = await control(client, "GET", "/t/alpha/_mock/calls")
    assert status == 200
    assert [(c["function"], c["params"].get("name")) for c in alpha["calls"]] == [
        ("bulk/campaigns/update", "alpha"),
        ("bulk/campaigns/get", None),  # 124, compared with beta's
        ("bulk/campaigns/get", None),  # 123
    ]
    status, beta = await control(client, "GET", "/t/beta/_mock/calls")
    assert [(c["function"], c["params"].get("name")) for c in beta["calls"]] == [
        ("bulk/campaigns/update", "beta"),
        ("bulk/campaigns/get", None),
        ("bulk/campaigns/get", None),
    ]
    status, plain = await control(client, "GET", "/_mock/calls/count")
    assert (status, plain) == (200, {"count": 1, "evicted": 0})  # the one plain get above


async def test_fault_rules_of_one_tenant_never_fire_in_another(client):
    rule = {"action": {"type": "envelope", "code": "500", "message": "Internal error"}}
    status, added = await control(client, "POST", "/t/alpha/_mock/faults", json=rule)
    assert status == 201

    failed = envelope(("500", "", "Internal error"))
    assert await api(client, "alpha", "bulk/campaigns/update", "id=123;name=x") == failed
    assert await api(client, "beta", "bulk/campaigns/update", "id=123;name=x") == OK_204
    assert await call(client, "bulk/campaigns/update", id=123, name="y") == (200, OK_204)

    status, beta_rules = await control(client, "GET", "/t/beta/_mock/faults")
    assert (status, beta_rules) == (200, {"rules": [], "default_latency": None})
    status, alpha_rules = await control(client, "GET", "/t/alpha/_mock/faults")
    assert [(r["id"], r["fired"]) for r in alpha_rules["rules"]] == [(added["id"], 1)]


async def test_a_reset_of_one_tenant_leaves_the_other_alone(client):
    await api(client, "alpha", "bulk/campaigns/update", "id=123;name=alpha")
    await api(client, "beta", "bulk/campaigns/update", "id=123;name=beta")
    await control(client, "POST", "/t/beta/_mock/faults", json={"latency": {"fixed_ms": 1}})

    status, body = await control(client, "POST", "/t/alpha/_mock/reset")
    assert (status, body["status"], body["tenant"]) == (200, "reset", "alpha")

    assert await name_of_123(client, "alpha") == "Spring promo"
    assert await name_of_123(client, "beta") == "beta"
    assert (await control(client, "GET", "/t/alpha/_mock/calls/count"))[1]["count"] == 1
    assert (await control(client, "GET", "/t/beta/_mock/calls/count"))[1]["count"] == 2
    assert len((await control(client, "GET", "/t/beta/_mock/faults"))[1]["rules"]) == 1


async def test_tenants_are_listed_with_their_sizes_and_can_be_dropped(client):
    await api(client, "alpha", "bulk/campaigns/get", "id=123")
    status, listed = await control(client, "GET", "/_mock/tenants")
    assert status == 200
    sizes = {
        name: {k: v for k, v in size.items() if k != "created_at"}
        for name, size in listed["tenants"].items()
    }
    assert sizes == {
        "default": {"campaigns": 6, "destinations": 18, "calls": 0},
        "alpha": {"campaigns": 6, "destinations": 18, "calls": 1},
    }

    assert await control(client, "DELETE", "/t/alpha/_mock") == (
        200,
        {"status": "dropped", "tenant": "alpha"},
    )
    assert list((await control(client, "GET", "/_mock/tenants"))[1]["tenants"]) == ["default"]
    # Used again, it starts afresh from the seed.
    assert await name_of_123(client, "alpha") == "Spring promo"


async def test_reads_about_a_tenant_never_used_are_404_and_create_nothing(client):
    for path in ("/t/ghost/_mock/calls", "/t/ghost/_mock/calls/count", "/t/ghost/_mock/faults"):
        assert await control(client, "GET", path) == (
            404,
            {"error": {"status": 404, "message": "no tenant called 'ghost'", "field": "tenant"}},
        ), path
    assert await control(client, "DELETE", "/t/ghost/_mock") == (
        404,
        {"error": {"status": 404, "message": "no tenant called 'ghost'", "field": "tenant"}},
    )
    assert list((await control(client, "GET", "/_mock/tenants"))[1]["tenants"]) == ["default"]


@pytest.mark.parametrize("name", ["-lead", "a" * 65, "sp%20ace", "dot%2F", "%C3%A9t%C3%A9"])
async def test_tenant_names_are_validated(client, name):
    status, body = await control(client, "GET", f"/t/{name}/_mock/calls")
    assert status == 400
    assert body["error"]["field"] == "tenant"
    assert body["error"]["message"].endswith(
        "is not a tenant name: 1 to 64 letters, digits, '_', '.' or '-', "
        "starting with a letter or digit"
    )
    response = await client.get(f"/t/{name}/api/json/bulk/campaigns/get/?{AUTH};id=123")
    assert response.status == 400
    assert (await response.json())["error"]["field"] == "tenant"


async def test_the_default_tenant_cannot_be_dropped(client):
    assert await control(client, "DELETE", "/t/default/_mock") == (
        400,
        {
            "error": {
                "status": 400,
                "message": "the default tenant cannot be dropped; reset it instead",
                "field": "tenant",
            }
        },
    )


async def test_max_tenants_bounds_how_many_exist(serve):
    client = await serve(max_tenants=2)  # "default" and one more
    assert await api(client, "one", "bulk/campaigns/get", "id=123") != {}
    too_many = {
        "error": {
            "status": 429,
            "message": "there are already 2 tenants (max_tenants): drop some with DELETE "
            "/t/<name>/_mock",
            "field": "tenant",
        }
    }
    assert await control(client, "POST", "/t/two/_mock/reset") == (429, too_many)
    assert await control(client, "GET", f"/t/two/api/json/bulk/campaigns/get/?{AUTH};id=123") == (
        429,
        too_many,
    )


XDIST_SUITE = """
import json
import urllib.request

import pytest

GET = "bulk/campaigns/get/?auth_username=user;auth_password=password;id=123"
UPDATE = "bulk/campaigns/update/?auth_username=user;auth_password=password;id=123;name={}"


def fetch(url):
    with urllib.request.urlopen(url) as response:
        return json.load(response)


@pytest.mark.parametrize("n", range(12))
def test_each_test_sees_only_its_own_writes(mockswitch, n):
    assert fetch(mockswitch.api_url + GET)["data"]["name"] == "Spring promo"
    fetch(mockswitch.api_url + UPDATE.format(f"run-{n}"))
    assert fetch(mockswitch.api_url + GET)["data"]["name"] == f"run-{n}"
    mockswitch.assert_called("bulk/campaigns/update", times=1)
    assert mockswitch.count() == 3
"""


@pytest.mark.parametrize("isolation", ["test", "worker"])
def test_an_xdist_run_against_one_server_isolates_every_worker(
    pytester: pytest.Pytester, monkeypatch, isolation
):
    with ServerThread() as server:
        monkeypatch.setenv("MOCKSWITCH_URL", server.url)
        pytester.makepyfile(test_suite=XDIST_SUITE)
        result = pytester.runpytest_subprocess(
            "-n",
            "3",
            "-p",
            "no:cacheprovider",
            f"--mockswitch-isolation={isolation}",
            timeout=300,
        )
        result.assert_outcomes(passed=12)
        client = server.client()
        # Every test (or worker) had its own tenant; the default one was never touched.
        assert client.count() == 0
        with urllib.request.urlopen(server.url + "/_mock/tenants") as response:
            tenants = json.load(response)["tenants"]
        if isolation == "test":
            assert list(tenants) == ["default"]  # each test's tenant was dropped after it
        else:
            assert len(tenants) == 4  # default and one per worker
