"""--http-status: HTTP 200 for every outcome like the real switch, or the envelope code mirrored.

A mirrored 204 stays HTTP 200: an HTTP 204 may carry no body, and clients parse the body.
"""

from __future__ import annotations

from typing import Any

import pytest

from mockswitch.config import ConfigError, load_settings
from tests.cast import PASSWORD

AUTH = {"auth_username": "user", "auth_password": PASSWORD}
# One call for every envelope code: (code, method, function, parameters).
OUTCOMES: list[tuple[str, str, str, dict[str, Any]]] = [
    ("200", "GET", "bulk/campaigns/get", {**AUTH, "id": "123"}),
    ("201", "GET", "bulk/campaigns/update", {**AUTH, "id": "123", "validation": "1"}),
    ("204", "GET", "bulk/campaigns/update", {**AUTH, "id": "123", "name": "x"}),
    ("400", "GET", "bulk/campaigns/update", {**AUTH, "id": "x"}),
    ("401", "GET", "bulk/campaigns/update", {"id": "123"}),
    ("402", "GET", "bulk/campaigns/create", {**AUTH, "name": "n", "dtype": "", "dnumber": "1"}),
    ("403", "GET", "bulk/campaigns/get", {"auth_username": "initech", "auth_password": PASSWORD}),
    ("404", "GET", "bulk/campaigns/get", {**AUTH, "id": "999"}),
    ("404", "GET", "no/such/function", {**AUTH}),
    ("200", "POST", "bulk/destinations/list", {**AUTH, "campaign": "123", "count": "1"}),
    ("204", "POST", "bulk/destinations/delete", {**AUTH, "campaign": "123", "all": "1"}),
]
IDS = [f"{code}-{method}-{function}" for code, method, function, _ in OUTCOMES]


async def send(client, method: str, function: str, params: dict[str, str]):
    """The HTTP status, content type and body bytes of one call."""
    path = f"/api/json/{function}/"
    if method == "GET":
        response = await client.get(path, params=params)
    else:
        response = await client.post(path, data=params)
    return response.status, response.headers["Content-Type"], await response.read()


@pytest.mark.parametrize(("code", "method", "function", "params"), OUTCOMES, ids=IDS)
async def test_mirror_makes_the_envelope_code_the_http_status(
    serve, code, method, function, params
):
    mirrored = await serve(http_status="mirror")
    status, content_type, body = await send(mirrored, method, function, params)
    assert status == (200 if code == "204" else int(code))
    assert content_type == "application/json; charset=utf-8"
    assert f'"code":"{code}"'.encode() in body


@pytest.mark.parametrize(("code", "method", "function", "params"), OUTCOMES, ids=IDS)
async def test_the_body_is_the_same_in_both_modes(serve, code, method, function, params):
    plain = await serve()
    mirrored = await serve(http_status="mirror")
    assert (await send(plain, method, function, params))[1:] == (
        await send(mirrored, method, function, params)
    )[1:]


@pytest.mark.parametrize(("code", "method", "function", "params"), OUTCOMES, ids=IDS)
async def test_by_default_every_outcome_is_http_200_like_the_real_switch(
    client, code, method, function, params
):
    status, _, body = await send(client, method, function, params)
    assert status == 200
    assert f'"code":"{code}"'.encode() in body


async def test_a_mirrored_204_is_http_200_with_its_body(serve):
    client = await serve(http_status="mirror")
    status, _, body = await send(client, "GET", "bulk/campaigns/update", {**AUTH, "id": "123"})
    assert (status, body) == (200, b'{"responses":[{"code":"204","key":"","message":"OK"}]}')


async def test_a_mirrored_400_carries_every_problem(serve):
    client = await serve(http_status="mirror")
    params = {**AUTH, "id": "x", "attempts": "0"}
    status, _, body = await send(client, "GET", "bulk/campaigns/update", params)
    assert (status, body) == (
        400,
        b'{"responses":[{"code":"400","key":"id","message":"must be an integer"},'
        b'{"code":"400","key":"attempts","message":"must be at least 1"}]}',
    )


async def test_a_mirrored_413_for_a_request_too_large(serve):
    client = await serve(http_status="mirror", max_request_bytes=1024)
    params = {**AUTH, "id": "123", "description": "d" * 2000}
    status, _, body = await send(client, "POST", "bulk/campaigns/update", params)
    assert (status, body) == (
        413,
        b'{"responses":[{"code":"413","key":"",'
        b'"message":"The request is larger than the limit of 1024 bytes."}]}',
    )


@pytest.mark.parametrize(("mode", "expected"), [("enswitch", 200), ("mirror", 404)])
async def test_the_journal_records_the_http_status_that_was_sent(serve, mode, expected):
    client = await serve(http_status=mode)
    await send(client, "GET", "bulk/campaigns/get", {**AUTH, "id": "999"})
    response = await client.get("/_mock/calls")
    [recorded] = (await response.json())["calls"]
    assert (recorded["code"], recorded["http_status"]) == ("404", expected)


def test_the_mode_comes_from_a_flag_or_the_environment():
    assert load_settings({"http_status": "mirror"}, environ={}).http_status == "mirror"
    environ = {"MOCKSWITCH_HTTP_STATUS": "mirror"}
    assert load_settings({}, environ=environ).http_status == "mirror"
    assert load_settings({}, environ={}).http_status == "enswitch"


def test_an_unknown_mode_is_refused_at_start():
    with pytest.raises(ConfigError) as refused:
        load_settings({"http_status": "http"}, environ={})
    assert str(refused.value) == "--http-status: 'http' is not one of enswitch, mirror"
