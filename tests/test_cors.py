"""CORS: a browser page on another origin may call mockswitch, if `cors_origins` allows it."""

from __future__ import annotations

import os
import subprocess

import pytest

from mockswitch.config import ConfigError, load_settings
from mockswitch.testing import ServerThread
from mockswitch.web.cors import CorsPolicy
from tests.cast import PASSWORD
from tests.process import SERVE

DEV_SERVER = "http://localhost:5173"
EVIL = "https://evil.example"
UPDATE = "/api/json/bulk/campaigns/update/"
AUTH = {"auth_username": "user", "auth_password": PASSWORD}


async def preflight(client, path: str, origin: str, method: str = "POST", **headers: str):
    return await client.options(
        path,
        headers={"Origin": origin, "Access-Control-Request-Method": method, **headers},
    )


# -- preflight -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "method", "allowed"),
    [
        (UPDATE, "POST", "GET, POST"),
        ("/t/acme/api/json/bulk/campaigns/get/", "GET", "GET, POST"),
        ("/api/json/no/such/function/", "GET", "GET, POST"),  # an answer, an envelope 404
        ("/_mock/calls", "DELETE", "DELETE, GET"),
        ("/_mock/faults/7", "DELETE", "DELETE, GET"),
        # {id} matches too: the methods of every route the path matches.
        ("/_mock/faults/default-latency", "PUT", "DELETE, GET, PUT"),
        ("/t/acme/_mock/reset", "POST", "POST"),
        ("/t/acme/_mock", "DELETE", "DELETE"),
        ("/_mock/openapi.json", "GET", "GET, HEAD"),
        ("/_mock/metrics", "GET", "GET, HEAD"),
    ],
)
async def test_a_preflight_from_a_dev_server_is_allowed_on_every_route(
    serve, path, method, allowed
):
    client = await serve()
    response = await preflight(
        client, path, DEV_SERVER, method, **{"Access-Control-Request-Headers": "content-type"}
    )
    assert response.status == 204, await response.text()
    assert response.headers["Access-Control-Allow-Origin"] == DEV_SERVER
    assert response.headers["Access-Control-Allow-Methods"] == allowed
    assert response.headers["Access-Control-Allow-Headers"] == "content-type"
    assert response.headers["Access-Control-Max-Age"] == "600"
    assert "Origin" in response.headers["Vary"]


@pytest.mark.parametrize(
    "origin",
    [
        "http://localhost:5173",
        "http://localhost",
        "https://localhost:8443",
        "http://127.0.0.1:3000",
        "http://[::1]:4200",
    ],
)
async def test_by_default_any_port_on_localhost_is_allowed(client, origin):
    response = await preflight(client, UPDATE, origin)
    assert response.status == 204
    assert response.headers["Access-Control-Allow-Origin"] == origin


@pytest.mark.parametrize(
    "origin",
    [
        EVIL,
        "http://localhost.evil.example",
        "http://localhost:5173.evil.example",
        "http://127.0.0.2:5173",
        "null",
        "file://",
    ],
)
async def test_by_default_other_origins_are_refused(client, origin):
    response = await preflight(client, UPDATE, origin)
    assert response.status == 403
    assert "Access-Control-Allow-Origin" not in response.headers
    error = (await response.json())["error"]
    assert error["message"] == f"origin {origin} is not allowed by the cors_origins setting"


async def test_configured_origins_are_allowed_and_only_they(serve):
    client = await serve(cors_origins="https://app.example,https://evil.example")
    for origin in ("https://app.example", EVIL):
        response = await preflight(client, UPDATE, origin)
        assert response.status == 204
        assert response.headers["Access-Control-Allow-Origin"] == origin
    # Listing origins replaces the localhost default ...
    assert (await preflight(client, UPDATE, DEV_SERVER)).status == 403
    assert (await preflight(client, UPDATE, "https://app.example:444")).status == 403
    # ... unless the list keeps it.
    both = await serve(cors_origins="localhost,https://app.example")
    assert (await preflight(both, UPDATE, DEV_SERVER)).status == 204
    assert (await preflight(both, UPDATE, "https://app.example")).status == 204


async def test_a_star_allows_every_origin_with_a_star(serve):
    client = await serve(cors_origins="*")
    response = await preflight(client, "/_mock/calls", EVIL, "GET")
    assert response.status == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    answer = await client.get(UPDATE, params=AUTH, headers={"Origin": EVIL})
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "Vary" not in answer.headers  # the same answer whatever the origin


async def test_none_allows_no_browser(serve):
    client = await serve(cors_origins="none")
    assert (await preflight(client, UPDATE, DEV_SERVER)).status == 403
    answer = await client.get(UPDATE, params=AUTH, headers={"Origin": DEV_SERVER})
    assert "Access-Control-Allow-Origin" not in answer.headers


async def test_a_preflight_for_a_method_the_route_lacks_is_a_405(client):
    response = await preflight(client, "/_mock/health", DEV_SERVER, "DELETE")
    assert response.status == 405
    assert response.headers["Allow"] == "GET"
    assert "Access-Control-Allow-Methods" not in response.headers


async def test_a_preflight_for_no_route_is_the_usual_404(client):
    response = await preflight(client, "/_mock/nothing/here", DEV_SERVER, "GET")
    assert (response.status, await response.json()) == (
        404,
        {"error": {"status": 404, "message": "Not Found"}},
    )


async def test_an_options_request_that_is_not_a_preflight_is_left_alone(client):
    response = await client.options(UPDATE, headers={"Origin": DEV_SERVER})
    assert (response.status, response.headers["Allow"], await response.text()) == (
        405,
        "GET,POST",
        "405: Method Not Allowed",
    )


async def test_a_public_page_may_ask_for_the_private_network(serve):
    client = await serve(cors_origins="https://app.example")
    response = await preflight(
        client,
        UPDATE,
        "https://app.example",
        **{"Access-Control-Request-Private-Network": "true"},
    )
    assert response.status == 204
    assert response.headers["Access-Control-Allow-Private-Network"] == "true"


# -- actual answers --------------------------------------------------------------------------


async def test_an_answer_to_an_allowed_origin_carries_the_headers(client):
    response = await client.get(
        UPDATE, params={**AUTH, "id": "123", "name": "x"}, headers={"Origin": DEV_SERVER}
    )
    assert response.status == 200
    assert response.headers["Access-Control-Allow-Origin"] == DEV_SERVER
    # A browser script may read the call's journal id.
    assert response.headers["Access-Control-Expose-Headers"] == "X-Mockswitch-Call"
    assert response.headers["X-Mockswitch-Call"].isdigit()
    assert response.headers["Vary"] == "Origin"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/_mock/health", 200),
        ("POST", "/api/json/bulk/campaigns/get/", 200),
        ("GET", "/_mock/calls/999", 404),  # a control-API error, as JSON
        ("GET", "/_mock/calls?limit=x", 400),
        ("GET", "/_mock/no/such/path", 404),  # the router's own 404
        ("PATCH", "/_mock/calls", 405),
    ],
)
async def test_errors_carry_the_headers_too(client, method, path, status):
    response = await client.request(method, path, headers={"Origin": DEV_SERVER})
    assert response.status == status
    assert response.headers["Access-Control-Allow-Origin"] == DEV_SERVER


async def test_an_answer_to_a_refused_origin_has_no_cors_headers(client):
    response = await client.get(UPDATE, params=AUTH, headers={"Origin": EVIL})
    assert response.status == 200  # the server answers; the browser hides it from the page
    assert "Access-Control-Allow-Origin" not in response.headers
    assert response.headers["Vary"] == "Origin"


async def test_streamed_answers_carry_the_headers(client):
    await client.post("/_mock/faults", json={"action": {"type": "slow_body", "duration_ms": 10}})
    slow = await client.get(UPDATE, params=AUTH, headers={"Origin": DEV_SERVER})
    assert slow.headers["Access-Control-Allow-Origin"] == DEV_SERVER
    await slow.read()
    export = await client.get(
        "/_mock/calls", params={"format": "ndjson"}, headers={"Origin": DEV_SERVER}
    )
    assert export.content_type == "application/x-ndjson"
    assert export.headers["Access-Control-Allow-Origin"] == DEV_SERVER


async def test_a_request_without_origin_gets_no_cors_headers(client):
    response = await client.get("/_mock/health")
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Vary" not in response.headers


def test_the_policy_reads_the_setting():
    assert CorsPolicy.from_setting("localhost") == CorsPolicy(localhost=True)
    assert CorsPolicy.from_setting("*") == CorsPolicy(any_origin=True)
    assert CorsPolicy.from_setting("none") == CorsPolicy()
    policy = CorsPolicy.from_setting("localhost,https://a.example")
    assert policy.allows("https://a.example")
    assert policy.allows("http://127.0.0.1:1")
    assert not policy.allows("https://b.example")


# -- with credentials (cookies, auth headers: fetch `credentials: "include"`) ----------------

# Headers every answer carries whatever CORS says; the rest are asserted whole.
ALWAYS = ("Date", "Server", "Content-Length", "Content-Type", "X-Mockswitch-Call")


def cors_headers(response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k not in ALWAYS}


async def test_with_credentials_a_preflight_echoes_the_origin_and_allows_credentials(serve):
    client = await serve(cors_credentials=True)
    response = await preflight(
        client, UPDATE, DEV_SERVER, "POST", **{"Access-Control-Request-Headers": "content-type"}
    )
    assert response.status == 204
    assert cors_headers(response) == {  # a 204: no body, no Content-Length
        "Vary": "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
        "Access-Control-Allow-Origin": DEV_SERVER,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Allow-Methods": "GET, POST",
        "Access-Control-Max-Age": "600",
        "Access-Control-Allow-Headers": "content-type",
    }


async def test_with_credentials_an_answer_echoes_the_origin_and_allows_credentials(serve):
    client = await serve(cors_credentials=True)
    response = await client.get(
        "/api/json/bulk/campaigns/get/",
        params={**AUTH, "id": "123"},
        headers={"Origin": DEV_SERVER, "Cookie": "session=abc"},
    )
    assert response.status == 200
    assert response.headers["X-Mockswitch-Call"].isdigit()
    assert cors_headers(response) == {
        "Access-Control-Allow-Origin": DEV_SERVER,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Expose-Headers": "X-Mockswitch-Call",
        "Vary": "Origin",
    }


async def test_with_credentials_an_exact_origin_is_echoed_and_others_get_nothing(serve):
    client = await serve(cors_origins="https://app.example", cors_credentials=True)
    allowed = await client.get(UPDATE, params=AUTH, headers={"Origin": "https://app.example"})
    assert cors_headers(allowed) == {
        "Access-Control-Allow-Origin": "https://app.example",
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Expose-Headers": "X-Mockswitch-Call",
        "Vary": "Origin",
    }
    refused = await client.get(UPDATE, params=AUTH, headers={"Origin": EVIL})
    assert cors_headers(refused) == {"Vary": "Origin"}
    assert (await preflight(client, UPDATE, EVIL)).status == 403


async def test_without_the_setting_no_credentials_are_allowed(client):
    response = await preflight(client, UPDATE, DEV_SERVER)
    assert "Access-Control-Allow-Credentials" not in response.headers
    answer = await client.get(UPDATE, params=AUTH, headers={"Origin": DEV_SERVER})
    assert "Access-Control-Allow-Credentials" not in answer.headers


CREDENTIALS_WITH_STAR = (
    "--cors-credentials cannot be combined with --cors-origins '*' (browsers refuse "
    "credentials from a wildcard): list the origins, or use localhost"
)


def test_credentials_with_a_star_are_refused_in_one_line_with_exit_2(tmp_path):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MOCKSWITCH_")}
    for flags, extra in (
        (["--cors-credentials", "--cors-origins", "*"], {}),
        (["--cors-origins", "*"], {"MOCKSWITCH_CORS_CREDENTIALS": "true"}),
    ):
        done = subprocess.run(
            [*SERVE, "--db", str(tmp_path / "never.sqlite3"), *flags],
            env={**environ, **extra},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert (done.returncode, done.stdout) == (2, "")
        assert done.stderr == f"mockswitch: {CREDENTIALS_WITH_STAR}\n"
    assert list(tmp_path.iterdir()) == []  # refused before touching the disk


def test_the_setting_is_read_from_flag_variable_and_file(tmp_path):
    config = tmp_path / "mockswitch.toml"
    config.write_text("cors_credentials = true\n")
    assert load_settings({"config": str(config)}, environ={}).cors_credentials is True
    assert load_settings({}, environ={"MOCKSWITCH_CORS_CREDENTIALS": "1"}).cors_credentials
    assert load_settings({"cors_credentials": "true"}, environ={}).cors_credentials
    assert load_settings({}, environ={}).cors_credentials is False
    star = tmp_path / "star.toml"
    star.write_text('cors_credentials = true\ncors_origins = "*"\n')
    with pytest.raises(ConfigError) as refused:
        load_settings({"config": str(star)}, environ={})
    assert str(refused.value) == CREDENTIALS_WITH_STAR


def test_a_server_thread_refuses_credentials_with_a_star_too():
    with pytest.raises(ConfigError) as refused:
        ServerThread(cors_origins="*", cors_credentials=True)
    assert str(refused.value) == CREDENTIALS_WITH_STAR
