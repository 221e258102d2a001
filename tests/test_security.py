"""Security: where the server listens, the admin token, and the limits on what it reads.

- By default mockswitch listens on 127.0.0.1 only; 0.0.0.0 only when asked (the container
  image asks, so that a published port works).
- With `admin_token` set, every changing call of the control API (under `/_mock` and
  `/t/<name>/_mock`) needs it (`Authorization: Bearer`, or `X-Mockswitch-Token`) and is
  refused with a 401 JSON error otherwise, before it changes anything; reads and the Enswitch
  API stay open. The clients of `mockswitch.testing`, the pytest plugin and `mockswitch calls`
  work with it; the OpenAPI document says which operations need it.
- A control-API body over `max_request_bytes` is a 413 JSON error naming the limit.

Customer isolation is in tests/test_customer_isolation.py, parameterised SQL in
tests/test_bad_input_corpus.py.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from aiohttp import hdrs
from openapi_spec_validator import validate

from mockswitch.cli import main
from mockswitch.config import ConfigError, Settings, load_settings
from mockswitch.testing import (
    AsyncMockswitchClient,
    ControlApiError,
    MockswitchClient,
    ServerThread,
)
from mockswitch.web import admin
from tests.cast import PASSWORD
from tests.helpers import NO_TOKEN, OK_204
from tests.process import free_port

pytest_plugins = ["pytester"]

TOKEN = "s3cret-Token_42~"
WRONG_TOKEN = {"error": {"status": 401, "message": "the admin token is wrong", "field": "token"}}
# A rule that never fires (allow_unknown: no function of that name is served or stubbed).
RULE = {"match": {"function": "nothing"}, "action": {"type": "reset"}, "allow_unknown": True}
BEARER = {"Authorization": f"Bearer {TOKEN}"}


# -- where it listens ------------------------------------------------------------------------


def test_the_default_address_is_the_loopback():
    assert Settings().host == "127.0.0.1"
    assert load_settings({}, {}).host == "127.0.0.1"
    assert load_settings({}, {"MOCKSWITCH_HOST": "0.0.0.0"}).host == "0.0.0.0"  # when asked
    assert ServerThread().settings.host == "127.0.0.1"


def test_the_container_image_asks_for_every_address():
    dockerfile = (Path(__file__).resolve().parent.parent / "Dockerfile").read_text()
    assert "MOCKSWITCH_HOST=0.0.0.0" in dockerfile


def _listening(port: int) -> set[str]:
    """The local addresses of the sockets listening on `port` (Linux's /proc/net)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        with open(table) as lines:
            next(lines)
            for line in lines:
                local, state = line.split()[1], line.split()[3]
                address, hex_port = local.split(":")
                if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                    found.add(address)
    return found


def test_serve_without_a_host_listens_on_the_loopback_only(tmp_path):
    if not os.path.exists("/proc/net/tcp"):
        pytest.skip("reads the listening sockets from Linux's /proc/net/tcp")
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MOCKSWITCH_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "mockswitch", "serve", "--port", str(port), "--db", ":memory:"],
        cwd=tmp_path,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert process.poll() is None, "mockswitch exited"
                assert time.monotonic() < deadline, "mockswitch did not start"
                time.sleep(0.05)
        assert _listening(port) == {"0100007F"}  # 127.0.0.1, and nothing else
        assert f"serving http://127.0.0.1:{port}/api/json/" in process.stdout.readline().decode()
    finally:
        process.kill()
        process.wait(10)
        process.stdout.close()


# -- the admin token -------------------------------------------------------------------------


def _fill(path: str) -> str:
    return path.replace("{tenant}", "acme").replace("{id}", "1")


def changing_routes(app) -> list[tuple[str, str]]:
    """(method, path) of every control route that changes something, read from the router."""
    found = []
    for route in app.router.routes():
        path = route.resource.canonical if route.resource else ""
        if route.method in admin.CHANGING and (
            path.startswith("/_mock") or path.startswith("/t/{tenant}/_mock")
        ):
            found.append((route.method, path))
    return sorted(found)


async def snapshot(client) -> tuple[Any, ...]:
    """What a changing call could change: rules, latency, journal, tenants, data."""
    found = []
    for path in ("/_mock/faults", "/_mock/calls", "/_mock/tenants", "/_mock/data/campaigns"):
        response = await client.get(path)
        document = await response.json()
        if path == "/_mock/tenants":
            document = sorted(document["tenants"])
        found.append(document)
    for path in ("/t/acme/_mock/faults", "/t/acme/_mock/calls"):
        found.append(await (await client.get(path)).json())
    return tuple(found)


async def token_server(serve, **settings: Any):
    client = await serve(admin_token=TOKEN, **settings)
    # Something for every change to act on: a rule and a call, here and in tenant acme.
    for scope in ("", "/t/acme"):
        response = await client.post(f"{scope}/_mock/faults", json=RULE, headers=BEARER)
        assert response.status == 201
        await client.get(
            f"{scope}/api/json/bulk/campaigns/get/",
            params={"auth_username": "user", "auth_password": PASSWORD, "id": "123"},
        )
    await client.post(
        "/api/json/bulk/campaigns/update/",
        data={"auth_username": "user", "auth_password": PASSWORD, "id": "123", "name": "changed"},
    )
    return client


def _body(method: str, path: str) -> dict[str, Any]:
    if method == "POST" and path.endswith("/faults"):
        return {"json": RULE}
    if method == "POST" and path.endswith("/stubs"):
        return {"json": {"function": "people/list", "data": []}}
    if path.endswith("/clock/advance"):
        return {"json": {"seconds": 1}}
    if method == "PUT" and path.endswith("/clock"):
        return {"json": {"mode": "virtual"}}
    if method == "PUT" and path.endswith("/outcomes"):
        return {"json": {"rules": [], "seed": 1}}
    if method == "PUT":
        return {"json": {"fixed_ms": 1}}
    return {}


async def test_every_changing_control_call_needs_the_token(serve):
    client = await token_server(serve)
    routes = changing_routes(client.app)
    # The routes there are: a new one is covered without editing this test.
    assert {path for _, path in routes} >= {
        "/_mock/reset",
        "/_mock/faults",
        "/_mock/faults/{id}",
        "/_mock/faults/default-latency",
        "/_mock/calls",
        "/t/{tenant}/_mock",
        "/t/{tenant}/_mock/reset",
    }
    before = await snapshot(client)
    for method, path in routes:
        for headers, expected in (
            ({}, NO_TOKEN),
            ({"Authorization": "Basic dXNlcjpwYXNz"}, NO_TOKEN),
            ({"Authorization": "Bearer"}, NO_TOKEN),
            ({"Authorization": "Bearer nope"}, WRONG_TOKEN),
            ({"X-Mockswitch-Token": TOKEN[:-1]}, WRONG_TOKEN),
            ({"X-Mockswitch-Token": TOKEN + "x"}, WRONG_TOKEN),
            ({"Authorization": f"Bearer {TOKEN.upper()}"}, WRONG_TOKEN),
        ):
            response = await client.request(
                method, _fill(path), headers=headers, **_body(method, path)
            )
            where = f"{method} {path} {headers}"
            assert response.status == 401, where
            assert response.content_type == "application/json", where
            assert await response.json() == expected, where
            assert response.headers[hdrs.WWW_AUTHENTICATE].startswith("Bearer "), where
    assert await snapshot(client) == before, "a refused call changed nothing"


@pytest.mark.parametrize(
    "headers",
    [
        BEARER,
        {"Authorization": f"bearer   {TOKEN}  "},
        {"X-Mockswitch-Token": TOKEN},
        {"Authorization": "Bearer wrong", "X-Mockswitch-Token": TOKEN},
    ],
    ids=["bearer", "any case and spacing", "x-mockswitch-token", "either header will do"],
)
async def test_with_the_token_the_changes_are_made(serve, headers):
    client = await token_server(serve)
    for method, path in changing_routes(client.app):
        response = await client.request(method, _fill(path), headers=headers, **_body(method, path))
        where = f"{method} {path}: {await response.text()}"
        # Done; or rule 1 was gone already (the faults were cleared or reset before).
        assert response.status in (200, 201) or (
            path.endswith("{id}") and response.status == 404
        ), where
    # They did happen: a tenant made and dropped, with the token.
    assert (await client.post("/t/gone/_mock/reset", headers=headers)).status == 200
    dropped = await client.delete("/t/gone/_mock", headers=headers)
    assert await dropped.json() == {"status": "dropped", "tenant": "gone"}
    tenants = await (await client.get("/_mock/tenants")).json()
    assert "gone" not in tenants["tenants"]


async def test_reads_and_the_enswitch_api_stay_open(serve):
    client = await token_server(serve)
    for path in (
        "/_mock/health",
        "/_mock/calls",
        "/_mock/calls/count",
        "/_mock/calls/1",
        "/_mock/calls/wait?timeout=0",
        "/_mock/faults",
        "/_mock/faults/1",
        "/_mock/tenants",
        "/_mock/openapi.json",
        "/_mock/metrics",
        "/_mock/ui",
        "/_mock/ui/ui.js",
        "/_mock/data/campaigns",
        "/_mock/data/functions",
        "/t/acme/_mock/calls",
    ):
        response = await client.get(path)
        assert response.status in (200, 408), path
        await response.read()
    # The Enswitch API has its own authentication, and ignores these headers.
    params = {"auth_username": "user", "auth_password": PASSWORD, "id": "124", "maximum": "3"}
    for headers in ({}, {"Authorization": "Bearer nope"}, {"X-Mockswitch-Token": "nope"}):
        response = await client.post(
            "/api/json/bulk/campaigns/update/", data=params, headers=headers
        )
        assert await response.json() == OK_204
        response = await client.get("/t/acme/api/json/bulk/campaigns/update/", params=params)
        assert await response.json() == OK_204


async def test_a_browser_may_send_the_token_from_another_origin(serve):
    client = await serve(admin_token=TOKEN)
    response = await client.options(
        "/_mock/reset",
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert response.status == 204
    assert response.headers["Access-Control-Allow-Headers"] == "authorization"
    refused = await client.post("/_mock/reset", headers={"Origin": "http://localhost:5173"})
    assert refused.status == 401  # and the page may read why:
    assert refused.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"


async def test_without_the_setting_no_token_is_needed(serve):
    client = await serve()
    assert (await client.post("/_mock/reset")).status == 200
    assert (await client.post("/_mock/faults", json=RULE)).status == 201


async def test_the_token_is_compared_in_constant_time(serve, monkeypatch):
    compared = []
    real = admin.hmac.compare_digest

    def spy(given, expected):
        compared.append((given, expected))
        return real(given, expected)

    monkeypatch.setattr(admin.hmac, "compare_digest", spy)
    client = await serve(admin_token=TOKEN)
    assert (await client.post("/_mock/reset", headers={"X-Mockswitch-Token": "x"})).status == 401
    assert (await client.post("/_mock/reset", headers=BEARER)).status == 200
    assert compared == [(b"x", TOKEN.encode()), (TOKEN.encode(), TOKEN.encode())]


def test_the_token_comes_from_a_flag_or_the_environment_and_stays_out_of_sight():
    assert load_settings({"admin_token": "from-flag"}, {}).admin_token == "from-flag"
    environ = {"MOCKSWITCH_ADMIN_TOKEN": "from-env\n"}  # a file's trailing newline is not in it
    settings = load_settings({}, environ)
    assert settings.admin_token == "from-env"
    assert "from-env" not in repr(settings)
    assert load_settings({}, {}).admin_token == ""
    for bad in ("two words", "caf\u00e9", "tab\there"):
        with pytest.raises(ConfigError, match="admin-token: must be printable ASCII"):
            load_settings({"admin_token": bad}, {})


async def test_the_token_is_never_shown(serve):
    client = await serve(admin_token=TOKEN)
    for path in ("/_mock/health", "/_mock/openapi.json", "/_mock/metrics", "/_mock/ui"):
        assert TOKEN not in await (await client.get(path)).text(), path


# -- the clients -----------------------------------------------------------------------------


def test_the_sync_client_sends_its_token():
    with ServerThread(admin_token=TOKEN) as server:
        client = server.client("job-1")  # the server's own token
        assert client.token == TOKEN
        client.reset()
        client.add_fault(RULE)
        client.clear_calls()
        client.drop_tenant()
        stranger = MockswitchClient(server.url)
        with pytest.raises(ControlApiError) as refused:
            stranger.reset()
        assert (refused.value.status, refused.value.body) == (401, NO_TOKEN)
        assert stranger.health()["status"] == "ok"  # reads need none
        query = f"auth_username=user;auth_password={PASSWORD};id=123"
        with urllib.request.urlopen(f"{server.url}/api/json/bulk/campaigns/get/?{query}") as got:
            got.read()
        # A wrong token is no token: the journal is still read, and counts that one call.
        assert MockswitchClient(server.url, token="nope").count("bulk/campaigns/get") == 1


async def test_the_async_client_sends_its_token():
    with ServerThread(admin_token=TOKEN) as server:
        client = AsyncMockswitchClient(server.url, "job-2", token=TOKEN)
        await client.reset()
        assert (await client.add_fault(RULE))["id"] == 1
        await client.clear_faults()
        await client.drop_tenant()
        with pytest.raises(ControlApiError) as refused:
            await AsyncMockswitchClient(server.url).reset()
        assert (refused.value.status, refused.value.body) == (401, NO_TOKEN)


def test_mockswitch_calls_reads_without_a_token(capsys):
    with ServerThread(admin_token=TOKEN) as server:
        query = f"auth_username=user;auth_password={PASSWORD};id=123"
        url = f"{server.url}/api/json/bulk/campaigns/get/?{query}"
        with urllib.request.urlopen(url) as response:
            response.read()
        assert main(["calls", "--url", server.url, "--json"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert json.loads(line)["function"] == "bulk/campaigns/get"


PLUGIN_USER_TESTS = """
def test_each_test_gets_a_fresh_tenant_from_a_server_with_a_token(mockswitch):
    mockswitch.add_fault(match={"function": "x"}, action={"type": "reset"}, allow_unknown=True)
    assert len(mockswitch.faults()["rules"]) == 1


async def test_the_async_fixture_has_the_token_too(async_mockswitch):
    await async_mockswitch.add_fault(
        match={"function": "x"}, action={"type": "reset"}, allow_unknown=True
    )
    await async_mockswitch.clear_faults()
"""


def test_the_pytest_plugin_reads_the_token_from_the_environment(pytester, monkeypatch):
    with ServerThread(admin_token=TOKEN) as server:
        monkeypatch.setenv("MOCKSWITCH_URL", server.url)
        monkeypatch.setenv("MOCKSWITCH_ADMIN_TOKEN", TOKEN)
        pytester.makepyfile(test_app=PLUGIN_USER_TESTS)
        pytester.makeini("[pytest]\nasyncio_mode = auto\n")
        result = pytester.runpytest_subprocess(
            "-p", "no:cacheprovider", "-p", "no:benchmark", "-p", "no:hypothesispytest",
            timeout=300,
        )  # fmt: skip
        result.assert_outcomes(passed=2)
        # Every tenant the fixtures made was dropped again, with the token.
        assert list(server.client().health())
        tenants = json.load(urllib.request.urlopen(f"{server.url}/_mock/tenants"))["tenants"]
        assert list(tenants) == ["default"]


# -- the OpenAPI document --------------------------------------------------------------------


async def test_the_document_says_which_operations_need_the_token(serve):
    client = await serve(admin_token=TOKEN)
    document = await (await client.get("/_mock/openapi.json")).json()
    validate(document)
    assert set(document["components"]["securitySchemes"]) == {"adminToken", "adminTokenHeader"}
    assert document["components"]["securitySchemes"]["adminTokenHeader"]["name"] == (
        admin.TOKEN_HEADER
    )
    secured = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "delete"):
                continue
            changes = "/_mock" in path and method != "get"
            if changes:
                assert operation["security"] == [{"adminToken": []}, {"adminTokenHeader": []}]
                assert "401" in operation["responses"], (method, path)
                secured.append((method.upper(), path))
            else:
                assert "security" not in operation, (method, path)
    assert sorted(secured) == changing_routes(client.app)
    # Without the setting, the document says nothing of a token.
    plain = await (await (await serve()).get("/_mock/openapi.json")).json()
    assert "securitySchemes" not in plain["components"]
    assert "adminToken" not in json.dumps(plain["paths"])


# -- request size limits ---------------------------------------------------------------------


def _too_large(limit: int) -> dict[str, Any]:
    message = f"the body is larger than the limit of {limit} bytes (max_request_bytes)"
    return {"error": {"status": 413, "message": message, "field": "body"}}


@pytest.mark.parametrize("limit", [2048, None], ids=["2 KiB", "default"])
async def test_a_control_body_over_the_limit_is_a_413_json_error(serve, limit):
    client = await serve() if limit is None else await serve(max_request_bytes=limit)
    limit = limit or Settings().max_request_bytes
    big = json.dumps([RULE] * (limit // len(json.dumps(RULE)) + 1)).encode()
    assert len(big) > limit
    for method, path in (
        ("POST", "/_mock/faults"),
        ("PUT", "/_mock/faults/default-latency"),
        ("POST", "/t/acme/_mock/faults"),
        ("POST", "/_mock/stubs"),
    ):
        response = await client.request(
            method, path, data=big, headers={"Content-Type": "application/json"}
        )
        assert (response.status, response.content_type) == (413, "application/json"), path
        assert await response.json() == _too_large(limit), path

        async def chunks():  # no Content-Length: the limit holds while reading
            for start in range(0, len(big), 1000):
                yield big[start : start + 1000]

        response = await client.request(method, path, data=chunks())
        assert response.status == 413, path
        assert await response.json() == _too_large(limit), path
    assert (await (await client.get("/_mock/faults")).json())["rules"] == []
    # The limit is the limit: a body just under it is read (and judged) as usual.
    fits = json.dumps([RULE] * 3).encode()
    response = await client.post("/_mock/faults", data=fits)
    assert response.status == 201


async def test_oversized_headers_and_urls_get_a_plain_400_not_a_500(serve):
    client = await serve(max_request_line_bytes=8190)
    response = await client.get("/_mock/health", headers={"X-Big": "x" * 10000})
    assert (response.status, response.content_type) == (400, "text/plain")
    response = await client.get("/_mock/calls?function=" + "x" * 10000)
    assert (response.status, response.content_type) == (400, "text/plain")
    assert (await client.get("/_mock/health")).status == 200


def test_an_oversized_control_body_from_a_real_client_is_a_413():
    with ServerThread(max_request_bytes=1024) as server:
        request = urllib.request.Request(
            f"{server.url}/_mock/faults", data=b"[" + b" " * 5000 + b"]", method="POST"
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 413
        assert json.load(refused.value) == _too_large(1024)


# -- the dashboard ---------------------------------------------------------------------------


def test_the_dashboard_asks_for_the_token_once_and_keeps_it_for_the_tab():
    from playwright.sync_api import expect, sync_playwright

    from tests.browser import ARGS, require_chromium

    chromium = require_chromium()
    asked: list[str] = []
    answers = [TOKEN, TOKEN]
    with ServerThread(admin_token=TOKEN) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium), headless=True, args=ARGS
        )
        try:
            page = browser.new_page()

            def answer(dialog) -> None:
                asked.append(dialog.message)
                dialog.accept(answers.pop(0))

            page.on("dialog", answer)
            page.goto(f"{server.url}/t/dash/_mock/ui")  # reads: no token asked
            expect(page.locator("#connection")).to_have_attribute("data-state", "live")
            assert asked == []
            toast = page.locator("#toast")
            page.click("#reset")  # a change: 401, asked once, sent again with the token
            expect(toast).to_contain_text("Reset: the data is back to the seed")
            assert asked == ["This mockswitch needs its admin token for changes:"]
            stored = "sessionStorage.getItem('mockswitch-admin-token')"
            assert page.evaluate(stored) == TOKEN
            page.click(".preset[data-preset=fail]")  # not asked again
            expect(toast).to_contain_text("Added fault rule 1")
            assert len(asked) == 1
            assert len(server.client("dash").faults()["rules"]) == 1
            # A token that stopped working (a server restarted with another): asked again.
            page.evaluate("sessionStorage.setItem('mockswitch-admin-token', 'stale')")
            page.click("#clear-faults")
            expect(toast).to_contain_text("Removed every fault rule")
            assert asked[1] == "That admin token was refused. The admin token:"
            assert page.evaluate(stored) == TOKEN
            # Cancelled: the change is not made, and the page says why.
            page.evaluate("sessionStorage.removeItem('mockswitch-admin-token')")
            page.once("dialog", lambda dialog: dialog.dismiss())
            page.remove_listener("dialog", answer)
            page.click("#reset")
            expect(toast).to_contain_text("Could not reset: this server requires the admin token")
        finally:
            browser.close()
