"""The Enswitch transport: paths, methods, bodies, separators, the envelope's bytes and status."""

from __future__ import annotations

import aiohttp
import pytest
from yarl import URL

from tests.cast import CAMPAIGNS, campaign
from tests.helpers import (
    NO_SUCH_FUNCTION,
    NOT_AUTHENTICATED,
    OK_204,
    RATEPLAN_FORBIDS,
    ROLE_FORBIDS,
    VALIDATED,
    bad,
    call,
    envelope,
    no_campaign,
    ok,
    read_campaign,
)

AUTH = "auth_username=user;auth_password=password"
UPDATE_PATH = "/api/json/bulk/campaigns/update/"
JSON_UTF8 = "application/json; charset=utf-8"
OK_204_BYTES = b'{"responses":[{"code":"204","key":"","message":"OK"}]}'
# What `raw` gives for a 204: HTTP 200, JSON in UTF-8, the envelope byte for byte.
ANSWERED_204 = (200, JSON_UTF8, OK_204_BYTES)
NO_SUCH_FUNCTION_BYTES = b'{"responses":[{"code":"404","key":"","message":"No such function."}]}'


async def raw(client, method: str, target: str, **kwargs) -> tuple[int, str, bytes]:
    """Send `target` exactly as written (no re-encoding); the status, Content-Type and body."""
    response = await client.request(method, URL(target, encoded=True), **kwargs)
    return response.status, response.headers["Content-Type"], await response.read()


async def renames_123(client, method: str, target: str, *, name: str, **kwargs) -> None:
    """The call, sent as `raw` sends it, answers 204 and campaign 123 then holds `name`."""
    assert await raw(client, method, target, **kwargs) == ANSWERED_204
    assert await read_campaign(client, 123) == campaign(123, name=name)


async def form_renames_123(
    client, body: bytes, *, name: str, content_type: str = "application/x-www-form-urlencoded"
) -> None:
    """`renames_123` for a form POST of `body` to bulk/campaigns/update."""
    headers = {"Content-Type": content_type}
    await renames_123(client, "POST", UPDATE_PATH, data=body, headers=headers, name=name)


# -- where the parameters come from ----------------------------------------------------------


async def test_get_reads_the_query_string(client):
    target = f"{UPDATE_PATH}?{AUTH};id=123;name=From+the+query"
    await renames_123(client, "GET", target, name="From the query")


async def test_post_reads_a_form_body(client):
    body = b"auth_username=user&auth_password=password&id=123&name=From%20the%20body"
    await form_renames_123(client, body, name="From the body")


async def test_post_reads_a_form_body_with_a_charset_and_semicolons(client):
    body = b"auth_username=user;auth_password=password;id=123;name=Semi"
    await form_renames_123(
        client, body, name="Semi", content_type="application/x-www-form-urlencoded; charset=UTF-8"
    )


async def test_post_through_the_helper_sends_a_form(client):
    assert await call(client, "bulk/campaigns/update", method="POST", id=124, maximum=3) == (
        200,
        OK_204,
    )
    assert await read_campaign(client, 124) == campaign(124, maximum=3, keep_agents_available=0)


async def test_post_reads_a_multipart_body(client):
    form = aiohttp.FormData(
        {
            "auth_username": "user",
            "auth_password": "password",
            "id": "123",
            "name": "Multipart ☎",
            "description": "a; b & c = d",
        },
        default_to_multipart=True,
    )
    response = await client.post(UPDATE_PATH, data=form)
    assert response.status == 200
    assert await response.read() == OK_204_BYTES
    expected = campaign(123, name="Multipart ☎", description="a; b & c = d")
    assert await read_campaign(client, 123) == expected


async def test_the_query_string_of_a_post_counts_too(client):
    body = b"id=123&name=Split"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    target = f"{UPDATE_PATH}?{AUTH}"
    await renames_123(client, "POST", target, data=body, headers=headers, name="Split")


async def test_a_post_with_everything_in_the_query_string_and_no_body(client):
    target = f"{UPDATE_PATH}?{AUTH};id=123;name=Query+only"
    await renames_123(client, "POST", target, name="Query only")


async def test_the_query_string_of_a_post_counts_with_a_multipart_body(client):
    form = aiohttp.FormData({"id": "123", "name": "Split multipart"}, default_to_multipart=True)
    response = await client.post(URL(f"{UPDATE_PATH}?{AUTH}", encoded=True), data=form)
    assert await response.read() == OK_204_BYTES
    assert await read_campaign(client, 123) == campaign(123, name="Split multipart")


# -- separators ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "auth_username=user;auth_password=password;id=123;name=Sep",
        "auth_username=user&auth_password=password&id=123&name=Sep",
        "auth_username=user;auth_password=password&id=123;name=Sep",
        "auth_username=user&auth_password=password;id=123&name=Sep",
        ";auth_username=user;;auth_password=password&&id=123&;name=Sep;",  # empty pieces skipped
    ],
)
async def test_semicolons_ampersands_and_both_mixed_separate_parameters(client, query):
    await renames_123(client, "GET", f"{UPDATE_PATH}?{query}", name="Sep")


async def test_encoded_separators_are_part_of_the_value(client):
    target = f"{UPDATE_PATH}?{AUTH};id=123;name=a%3Bb%26c%3Dd%2Be+f"
    await renames_123(client, "GET", target, name="a;b&c=d+e f")


async def test_a_post_body_may_mix_separators_too(client):
    body = b"auth_username=user;auth_password=password&id=123;name=Mixed"
    await form_renames_123(client, body, name="Mixed")


# -- paths -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/json/bulk/campaigns/update/", "/api/json/bulk/campaigns/update"]
)
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_with_and_without_the_trailing_slash(client, path, method):
    target = f"{path}?{AUTH};id=123;name=Slash"
    await renames_123(client, method, target, name="Slash")


@pytest.mark.parametrize("path", ["/api/json/bulk/campaigns/get/", "/api/json/bulk/campaigns/get"])
async def test_a_read_with_and_without_the_trailing_slash(client, path):
    response = await client.get(URL(f"{path}?{AUTH};id=123", encoded=True))
    assert response.status == 200
    assert await response.json() == envelope(("200", "", "OK"), data=CAMPAIGNS[123])


UNKNOWN_FUNCTIONS = [
    "/api/json/bulk/campaigns/remove/",
    "/api/json/bulk/campaigns/remove",
    f"/api/json/bulk/campaigns/remove/?{AUTH};id=123",
    "/api/json/bulk/campaigns/",
    "/api/json/bulk/",
    "/api/json/Bulk/Campaigns/Update/",  # function names are case-sensitive
    "/api/json/bulk/campaigns/update/x/",
    "/api/json/",
    "/api/json//",  # empty segments are absent (tests/test_double_slashes.py): still no name
]


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_an_unknown_function_is_a_404_envelope(client, method):
    for target in UNKNOWN_FUNCTIONS:
        assert await raw(client, method, target) == (200, JSON_UTF8, NO_SUCH_FUNCTION_BYTES), target
    assert await read_campaign(client, 123) == CAMPAIGNS[123]


async def test_an_unknown_function_is_404_even_for_bad_credentials(client):
    target = "/api/json/bulk/campaigns/remove/?auth_username=nobody;auth_password=x"
    assert await raw(client, "GET", target) == (200, JSON_UTF8, NO_SUCH_FUNCTION_BYTES)


# -- the response ----------------------------------------------------------------------------

# One request for each API-level outcome; the HTTP status is 200 for all of them.
OUTCOMES = [
    ("200", f"/api/json/bulk/campaigns/get/?{AUTH};id=123", ok(CAMPAIGNS[123])),
    ("201", f"{UPDATE_PATH}?{AUTH};id=123;validation=1", VALIDATED),
    ("204", f"{UPDATE_PATH}?{AUTH};id=123", OK_204),
    ("400", f"{UPDATE_PATH}?{AUTH};id=abc", bad(("id", "must be an integer"))),
    (
        "400 transport",
        f"{UPDATE_PATH}?{AUTH};id=%zz",
        bad(("id", "has malformed percent-encoding")),
    ),
    ("401", f"{UPDATE_PATH}?auth_username=user;id=123", NOT_AUTHENTICATED),
    ("402", f"{UPDATE_PATH}?auth_username=viewer;auth_password=password;id=123", ROLE_FORBIDS),
    ("403", f"{UPDATE_PATH}?auth_username=initech;auth_password=password;id=300", RATEPLAN_FORBIDS),
    ("404", f"{UPDATE_PATH}?{AUTH};id=999", no_campaign("update it")),
    ("404 function", "/api/json/nothing/here/", NO_SUCH_FUNCTION),
    (
        "413",
        f"{UPDATE_PATH}?{AUTH};id=123;name=" + "x" * 262144,
        envelope(("413", "", "The request is larger than the limit of 262144 bytes.")),
    ),
]


@pytest.mark.parametrize(("label", "target", "expected"), OUTCOMES, ids=[o[0] for o in OUTCOMES])
async def test_every_api_level_outcome_is_http_200_with_a_json_envelope(
    client, label, target, expected
):
    response = await client.get(URL(target, encoded=True))
    assert (response.status, response.headers["Content-Type"]) == (200, JSON_UTF8), label
    assert await response.json() == expected


async def test_the_envelope_bytes_have_no_spaces_and_a_fixed_key_order(client):
    target = f"{UPDATE_PATH}?{AUTH};id=123;attempts=0;name="
    assert await raw(client, "GET", target) == (
        200,
        JSON_UTF8,
        b'{"responses":[{"code":"400","key":"attempts","message":"must be at least 1"},'
        b'{"code":"400","key":"name","message":"must not be empty"}]}',
    )


async def test_data_follows_the_responses(client):
    status, content_type, body = await raw(
        client, "GET", f"/api/json/bulk/campaigns/get?{AUTH};id=124"
    )
    assert (status, content_type) == (200, JSON_UTF8)
    assert body.startswith(
        b'{"responses":[{"code":"200","key":"","message":"OK"}],'
        b'"data":{"id":124,"customer":10,"name":"Support callback",'
    )


async def test_mirror_mode_puts_the_envelope_code_in_the_http_status(serve):
    client = await serve(http_status="mirror")
    assert await raw(client, "GET", "/api/json/nothing/") == (
        404,
        JSON_UTF8,
        NO_SUCH_FUNCTION_BYTES,
    )
    assert await raw(client, "GET", f"{UPDATE_PATH}?{AUTH};id=abc") == (
        400,
        JSON_UTF8,
        b'{"responses":[{"code":"400","key":"id","message":"must be an integer"}]}',
    )
    # Never an HTTP 204: clients parse the body.
    assert await raw(client, "GET", f"{UPDATE_PATH}?{AUTH};id=123") == ANSWERED_204


async def test_a_path_prefix_serves_the_api_under_it_as_well(serve):
    client = await serve(prefix="/local")
    target = f"/local/api/json/bulk/campaigns/update/?{AUTH};id=123;name=Prefixed"
    assert await raw(client, "GET", target) == ANSWERED_204
    assert await raw(client, "GET", "/local/api/json/nothing/") == (
        200,
        JSON_UTF8,
        NO_SUCH_FUNCTION_BYTES,
    )
    assert await read_campaign(client, 123) == campaign(123, name="Prefixed")
