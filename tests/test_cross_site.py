"""No cross-site control: a page the developer visits cannot reset, clear or fault the mock.

A cross-site `POST` or `DELETE` with `Content-Type: text/plain` needs no preflight, so it
used to reach the control API. Now a changing control call with a foreign `Origin` (not the
server's own, not allowed by `cors_origins`) or with `Sec-Fetch-Site: cross-site` is a 403
JSON error and changes nothing. Calls without `Origin` (curl, tests, CI) and the dashboard
on the server's own origin work as before. An `http` fault's body is served sandboxed.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.cast import PASSWORD
from tests.helpers import OK_204, call, shown_rule, was_reset

EVIL = "https://evil.example"
DEV_SERVER = "http://localhost:5173"
TEXT = {"Content-Type": "text/plain"}
AUTH = {"auth_username": "user", "auth_password": PASSWORD}
HTML_FAULT = '{"match": {}, "action": {"type": "http", "status": 200, "body": "<script>x</script>", "content_type": "text/html"}}'  # noqa: E501


def foreign_origin(origin: str) -> dict[str, Any]:
    return {
        "error": {
            "status": 403,
            "message": f"origin {origin} may not change this server: a browser page may call "
            "the control API's changes only from the server's own origin or one the "
            "cors_origins setting allows",
            "field": "Origin",
        }
    }


CROSS_SITE = {
    "error": {
        "status": 403,
        "message": "a web page of another site may not change this server (Sec-Fetch-Site: "
        "cross-site); call the control API from your tests or tools, not from a page",
        "field": "Sec-Fetch-Site",
    }
}


async def state(client, scope: str = "") -> tuple[Any, ...]:
    """What a changing call could change: the journal, the rules, the data, the tenants."""
    calls = await (await client.get(f"{scope}/_mock/calls")).json()
    rules = await (await client.get(f"{scope}/_mock/faults")).json()
    got = await client.get(f"{scope}/api/json/bulk/campaigns/get/", params={**AUTH, "id": "123"})
    tenants = await (await client.get("/_mock/tenants")).json()
    name = (await got.json())["data"]["name"]
    return [c["id"] for c in calls["calls"]], rules, name, sorted(tenants["tenants"])


async def changed(client, scope: str = "") -> None:
    """Change the data, so that a reset would show."""
    tenant = scope.removeprefix("/t/") or None
    updated = await call(client, "bulk/campaigns/update", tenant=tenant, id=123, name="Mine")
    assert updated == (200, OK_204)


# (method, path, body) of changing control calls a page could send without a preflight.
CHANGES = [
    ("POST", "/_mock/reset", ""),
    ("DELETE", "/_mock/calls", ""),
    ("POST", "/_mock/faults", HTML_FAULT),
    ("DELETE", "/_mock/faults", ""),
    ("PUT", "/_mock/faults/default-latency", '{"fixed_ms": 1000}'),
    ("POST", "/t/acme/_mock/reset", ""),
    ("DELETE", "/t/acme/_mock", ""),
]


@pytest.mark.parametrize(("method", "path", "body"), CHANGES)
async def test_a_cross_site_change_with_text_plain_is_refused(serve, method, path, body):
    client = await serve()
    await changed(client)
    await changed(client, "/t/acme")
    before = (await state(client), await state(client, "/t/acme"))
    response = await client.request(
        method, path, data=body, headers={**TEXT, "Origin": EVIL, "Sec-Fetch-Site": "cross-site"}
    )
    assert (response.status, await response.json()) == (403, CROSS_SITE)
    response = await client.request(method, path, data=body, headers={**TEXT, "Origin": EVIL})
    assert (response.status, await response.json()) == (403, foreign_origin(EVIL))
    # The journal gained only the reads of `state` (it kept every call it had); nothing else
    # moved.
    after = (await state(client), await state(client, "/t/acme"))
    assert [part[1:] for part in after] == [part[1:] for part in before]
    assert [part[0][: len(was[0])] for part, was in zip(after, before, strict=True)] == [
        was[0] for was in before
    ]
    assert after[0][2] == "Mine"


@pytest.mark.parametrize("origin", ["null", "http://localhost.evil.example", "http://127.0.0.2"])
async def test_an_origin_that_cors_origins_does_not_allow_is_refused(serve, origin):
    client = await serve()
    response = await client.post("/_mock/reset", headers={**TEXT, "Origin": origin})
    assert (response.status, await response.json()) == (403, foreign_origin(origin))


async def test_sec_fetch_site_cross_site_is_refused_even_from_an_allowed_origin(serve):
    client = await serve(cors_origins="*")
    allowed = await client.post("/_mock/reset", headers={"Origin": EVIL})
    assert await was_reset(allowed)  # `*` lets every origin in...
    response = await client.post(
        "/_mock/reset", headers={"Origin": EVIL, "Sec-Fetch-Site": "cross-site"}
    )
    assert (response.status, await response.json()) == (403, CROSS_SITE)  # ...but no other site
    bare = await client.delete("/_mock/calls", headers={"Sec-Fetch-Site": "cross-site"})
    assert (bare.status, await bare.json()) == (403, CROSS_SITE)


async def test_calls_without_an_origin_keep_working(serve):
    """curl, test clients and CI send no Origin; the README's `curl -d` sends a form type."""
    client = await serve()
    curl = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "curl/8.5.0"}
    added = await client.post(
        "/_mock/faults",
        data='{"match": {"function": "x/y"}, "action": {"type": "reset"}}',
        headers=curl,
    )
    rule = shown_rule(1, match={"function": "x/y"}, action={"type": "reset", "processed": False})
    assert (added.status, await added.json()) == (201, rule)
    latency = await client.put("/_mock/faults/default-latency", data="null")
    assert (latency.status, await latency.json()) == (
        200,
        {"rules": [rule], "default_latency": None},
    )
    deleted = await client.delete("/_mock/faults/1")
    assert (deleted.status, await deleted.json()) == (200, {"status": "deleted", "id": 1})
    cleared = await client.delete("/_mock/calls")
    assert (cleared.status, await cleared.json()) == (
        200,
        {"status": "cleared", "tenant": "default"},
    )
    assert await was_reset(await client.post("/_mock/reset"))
    assert await was_reset(await client.post("/t/acme/_mock/reset", headers=curl), "acme")
    dropped = await client.delete("/t/acme/_mock")
    assert (dropped.status, await dropped.json()) == (200, {"status": "dropped", "tenant": "acme"})


async def test_the_servers_own_origin_may_change_it_whatever_its_name(serve):
    client = await serve()
    own = f"http://127.0.0.1:{client.port}"
    response = await client.post("/_mock/reset", headers={"Origin": own, **TEXT})
    assert await was_reset(response)
    # Reached by another name (a container's service name, a LAN address), the dashboard's
    # Origin is that name: same as the Host it sent.
    for host in ("mockswitch:8080", "192.168.1.20:8080", "Mock.Example"):
        origin = f"http://{host.lower()}"
        response = await client.post(
            "/_mock/reset",
            headers={"Host": host, "Origin": origin, "Sec-Fetch-Site": "same-origin"},
        )
        assert await was_reset(response), host
        response = await client.post("/_mock/reset", headers={"Host": host, "Origin": origin})
        assert await was_reset(response), host
    # The default port may be left out of one and not the other.
    response = await client.post(
        "/_mock/reset", headers={"Host": "mock.example", "Origin": "http://mock.example:80"}
    )
    assert await was_reset(response)
    # A name that is not the Host is another origin.
    other = "http://mockswitch:8080"
    response = await client.post(
        "/_mock/reset", headers={"Host": "127.0.0.1:8080", "Origin": other}
    )
    assert (response.status, await response.json()) == (403, foreign_origin(other))


async def test_the_browser_saying_same_origin_is_believed_behind_a_proxy(serve):
    """Behind a TLS proxy the page's Origin is https://..., the request mockswitch sees http."""
    client = await serve()
    response = await client.post(
        "/_mock/reset",
        headers={"Origin": "https://mock.example", "Sec-Fetch-Site": "same-origin"},
    )
    assert await was_reset(response)


async def test_an_allowed_dev_server_may_change_it(serve):
    client = await serve()
    response = await client.post(
        "/_mock/reset", headers={"Origin": DEV_SERVER, "Sec-Fetch-Site": "same-site"}
    )
    assert await was_reset(response)
    assert response.headers["Access-Control-Allow-Origin"] == DEV_SERVER


async def test_reads_and_the_enswitch_api_stay_open_to_every_origin(serve):
    client = await serve()
    headers = {"Origin": EVIL, "Sec-Fetch-Site": "cross-site"}
    api = await client.post(
        "/api/json/bulk/campaigns/update/",
        data={**AUTH, "id": "123", "name": "x"},
        headers=headers,
    )
    assert (api.status, await api.json()) == (200, OK_204)
    # A read from another site gets the same whole answer as one from no site at all.
    for path in ("/_mock/calls", "/_mock/health"):
        foreign = await client.get(path, headers=headers)
        plain = await client.get(path)
        assert (foreign.status, await foreign.json()) == (200, await plain.json()), path
    calls = await (await client.get("/_mock/calls")).json()
    assert [(c["function"], c["code"], c["params"]["name"]) for c in calls["calls"]] == [
        ("bulk/campaigns/update", "204", "x")
    ]
    # CORS still keeps the page from reading the answers.
    assert "Access-Control-Allow-Origin" not in api.headers


async def test_a_cross_site_change_is_refused_before_the_admin_token_is_asked(serve):
    client = await serve(admin_token="s3cret")
    response = await client.post(
        "/_mock/reset", headers={"Origin": EVIL, "Authorization": "Bearer s3cret"}
    )
    assert (response.status, await response.json()) == (403, foreign_origin(EVIL))
    response = await client.post("/_mock/reset", headers={"Authorization": "Bearer s3cret"})
    assert await was_reset(response)


async def test_an_http_faults_body_is_served_sandboxed(serve):
    client = await serve()
    plain = await client.get("/api/json/bulk/campaigns/get/", params={**AUTH, "id": "123"})
    assert "Content-Security-Policy" not in plain.headers
    assert (await client.post("/_mock/faults", data=HTML_FAULT)).status == 201
    faulted = await client.get("/api/json/bulk/campaigns/get/", params={**AUTH, "id": "123"})
    assert (faulted.status, await faulted.text()) == (200, "<script>x</script>")
    assert faulted.headers["Content-Type"] == "text/html"
    assert faulted.headers["Content-Security-Policy"] == "sandbox"


async def test_the_openapi_document_lists_the_403_on_every_change(serve):
    client = await serve()
    document = await (await client.get("/_mock/openapi.json")).json()
    changes = [
        (method, path, operation["responses"])
        for path, item in document["paths"].items()
        if "/_mock" in path
        for method, operation in item.items()
        if method in ("post", "put", "delete", "patch")
    ]
    assert len(changes) >= 7
    assert [(m, p) for m, p, responses in changes if "403" not in responses] == []
    # A read answers 403 only where its first use would make a tenant (the dashboard's page
    # and the Enswitch API under /t/{tenant}): a page of another site may not make one.
    reads = {
        path: item["get"]["responses"]
        for path, item in document["paths"].items()
        if "get" in item and "403" in item["get"]["responses"]
    }
    assert all(path.startswith("/t/{tenant}/") for path in reads), sorted(reads)
    assert "/t/{tenant}/_mock/ui" in reads
    assert all("429" in responses for responses in reads.values())
    assert document["components"]["responses"]["CrossSiteTenant"]["description"].startswith(
        "A browser page of another site asked for a tenant that does not exist yet"
    )


def cross_site_creation(field: str, how: str) -> dict[str, Any]:
    return {
        "error": {
            "status": 403,
            "message": f"a web page of another site ({how}) may not create a tenant; the "
            "first call for a new tenant must come from your tests or tools, or from this "
            "server's own pages",
            "field": field,
        }
    }


# What a page of another site sends with an <img>, a form or fetch(): each one alone.
FOREIGN_HEADERS = [
    ({"Origin": EVIL}, "Origin", f"origin {EVIL}"),
    ({"Origin": "null"}, "Origin", "origin null"),
    ({"Sec-Fetch-Site": "cross-site"}, "Sec-Fetch-Site", "Sec-Fetch-Site: cross-site"),
    (
        {"Origin": DEV_SERVER, "Sec-Fetch-Site": "cross-site"},
        "Sec-Fetch-Site",
        "Sec-Fetch-Site: cross-site",
    ),
]
# Requests whose first use would make the tenant: GET and POST, the page, the API, a reset.
CREATING = [
    ("GET", "/t/{name}/_mock/ui"),
    ("GET", "/t/{name}/api/json/bulk/campaigns/get/?auth_username=user;auth_password=x;id=1"),
    ("POST", "/t/{name}/api/json/bulk/campaigns/get/"),
    ("POST", "/t/{name}/_mock/reset"),
    ("PUT", "/t/{name}/_mock/clock"),
]


@pytest.mark.parametrize(("headers", "field", "how"), FOREIGN_HEADERS)
@pytest.mark.parametrize(("method", "path"), CREATING)
async def test_a_page_of_another_site_creates_no_tenant(serve, headers, field, how, method, path):
    client = await serve(cors_origins="http://localhost:5173")
    response = await client.request(method, path.format(name="evil1"), headers=headers, data="")
    body = await response.json()
    if "/_mock/" in path and method != "GET":  # a change: refused as such, first
        assert (response.status, body["error"]["field"]) == (403, field)
        assert "may not change this server" in body["error"]["message"]
    else:
        assert (response.status, body) == (403, cross_site_creation(field, how))
    tenants = await (await client.get("/_mock/tenants")).json()
    assert sorted(tenants["tenants"]) == ["default"]
    missing = await client.get("/t/evil1/_mock/calls")
    assert missing.status == 404


async def test_sixty_image_tags_of_another_site_cannot_fill_max_tenants(serve):
    # The reproduction: a page with 60 <img src=".../t/evilN/_mock/ui"> and max_tenants 50;
    # the next CI job's reset must still make its tenant.
    client = await serve(max_tenants=50)
    for n in range(60):
        image = await client.get(
            f"/t/evil{n}/_mock/ui",
            headers={"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Dest": "image"},
        )
        assert image.status == 403
    assert await was_reset(await client.post("/t/job-17/_mock/reset"), "job-17")


async def test_a_tenant_that_exists_still_answers_every_origin(serve):
    # Only the creation is refused: once a tool made the tenant, its API and reads behave
    # as for the default tenant (CORS decides what a page may read).
    client = await serve()
    assert await was_reset(await client.post("/t/acme/_mock/reset"), "acme")
    for headers, _, _ in FOREIGN_HEADERS:
        api = await client.get(
            "/t/acme/api/json/bulk/campaigns/get/",
            params={**AUTH, "id": "123"},
            headers=headers,
        )
        assert api.status == 200
        assert (await api.json())["data"]["id"] == 123
        page = await client.get("/t/acme/_mock/ui", headers=headers)
        assert page.status == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},  # curl, test code, CI
        {"Sec-Fetch-Site": "none"},  # the page typed in the address bar
        {"Sec-Fetch-Site": "same-origin"},  # the dashboard's own calls
        {"Origin": DEV_SERVER},  # a dev server that cors_origins allows
    ],
)
async def test_tools_the_dashboard_and_allowed_pages_create_tenants(serve, headers):
    client = await serve(cors_origins=DEV_SERVER)
    page = await client.get("/t/mine/_mock/ui", headers=headers)
    assert page.status == 200
    api = await client.get(
        "/t/yours/api/json/bulk/campaigns/get/", params={**AUTH, "id": "123"}, headers=headers
    )
    assert api.status == 200
    tenants = await (await client.get("/_mock/tenants")).json()
    assert sorted(tenants["tenants"]) == ["default", "mine", "yours"]
