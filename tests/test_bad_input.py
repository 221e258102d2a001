"""Bad input gets an envelope, never a traceback; the server keeps serving, the data unchanged.

Raw non-ASCII bytes in the URL itself never reach mockswitch: aiohttp's HTTP parser answers
them with a plain-text 400 first (documented). Their percent-encoded forms are tested here.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from yarl import URL

from tests.cast import SEEDED
from tests.helpers import envelope, every_campaign

UPDATE = "/api/json/bulk/campaigns/update/"
AUTH = "auth_username=user;auth_password=password"
FORM = "application/x-www-form-urlencoded"
LIMIT = 262144  # the default max_request_bytes
TOO_LARGE = envelope(("413", "", f"The request is larger than the limit of {LIMIT} bytes."))
NOT_A_FORM = envelope(
    (
        "400",
        "",
        "the request body must be application/x-www-form-urlencoded or multipart/form-data, "
        "not application/json",
    )
)


def bad(key: str, message: str) -> dict[str, Any]:
    return envelope(("400", key, message))


async def answer(client, method: str, target: str, **kwargs) -> tuple[int, str, Any]:
    """Send `target` as written, and bytes as they are; the status, Content-Type and JSON."""
    if isinstance(kwargs.get("data"), bytes):
        # aiohttp warns about large raw bytes bodies, but sends a stream as it is.
        kwargs["data"] = io.BytesIO(kwargs["data"])
    if "data" in kwargs and "Content-Type" not in kwargs.get("headers", {}):
        kwargs["skip_auto_headers"] = ["Content-Type"]
    response = await client.request(method, URL(target, encoded=True), **kwargs)
    return response.status, response.headers["Content-Type"], await response.json()


def enveloped(document: dict[str, Any]) -> tuple[int, str, dict[str, Any]]:
    """What `answer` gives for an Enswitch envelope: HTTP 200, JSON, the document."""
    return 200, "application/json; charset=utf-8", document


async def assert_still_serving_the_seed(client) -> None:
    """The server answers, and every campaign of every customer is as seeded."""
    assert await every_campaign(client) == SEEDED


PASSWORD_BODY = b"auth_username=user&auth_password=password&id=123&"
MULTIPART = "multipart/form-data; boundary=b"


def get(tail: str) -> tuple[str, str, dict[str, Any]]:
    """A GET of campaign 123, authenticated, with `tail` (raw) at the end of its query."""
    return "GET", f"{UPDATE}?{AUTH};id=123;{tail}", {}


def post(body: bytes, content_type: str | None = FORM, query: str = "") -> tuple:
    """A POST of `body` (raw) with this Content-Type (None: no such header)."""
    options: dict[str, Any] = {"data": body}
    if content_type is not None:
        options["headers"] = {"Content-Type": content_type}
    return "POST", f"{UPDATE}?{query}" if query else UPDATE, options


MALFORMED = "has malformed percent-encoding"
NOT_UTF8 = "is not valid UTF-8"
NUL = "must not contain a NUL character"
TWICE = "was given more than once"
MEGABYTE = b"x" * 2**20

# (label, request, expected envelope). Every request names campaign 123 with a new name, so
# a lenient reading would change the data.
CASES = [
    ("%zz", get("name=%zz"), bad("name", MALFORMED)),
    ("trailing %", get("name=new%"), bad("name", MALFORMED)),
    ("%4", get("name=%4"), bad("name", MALFORMED)),
    ("%4 then a separator", get("name=%4;x=1"), bad("name", MALFORMED)),
    ("malformed name", get("na%zzme=new"), bad("na%zzme", MALFORMED)),
    ("malformed name and value", get("na%zzme=%zz"), bad("na%zzme", MALFORMED)),
    ("%ff", get("name=%ff"), bad("name", NOT_UTF8)),
    ("truncated UTF-8", get("name=caf%C3"), bad("name", NOT_UTF8)),
    ("overlong UTF-8", get("name=%C0%AF"), bad("name", NOT_UTF8)),
    ("%ff in a name", get("n%ffme=new"), bad("n%ffme", NOT_UTF8)),
    ("NUL", get("name=new%00"), bad("name", NUL)),
    ("NUL in a POST", post(PASSWORD_BODY + b"name=a%00b"), bad("name", NUL)),
    ("raw 0xff in a POST form", post(PASSWORD_BODY + b"name=new\xff"), bad("name", NOT_UTF8)),
    (
        "raw 0xff in a POST without a Content-Type",
        post(PASSWORD_BODY + b"name=\xffnew", content_type=None),
        bad("name", NOT_UTF8),
    ),
    ("%zz in a POST form", post(PASSWORD_BODY + b"name=%zz"), bad("name", MALFORMED)),
    ("twice in the query", get("name=new;name=newer"), bad("name", TWICE)),
    ("twice, same value", get("name=new;name=new"), bad("name", TWICE)),
    ("id twice", get("id=124;name=new"), bad("id", TWICE)),
    ("twice in a POST form", post(PASSWORD_BODY + b"name=a&name=b"), bad("name", TWICE)),
    (
        "in the query and the body",
        post(b"name=newer", query=f"{AUTH};id=123;name=new"),
        bad("name", TWICE),
    ),
    (
        "a password in the query and the body",
        post(b"auth_password=password", query=f"{AUTH};id=123;name=new"),
        bad("auth_password", TWICE),
    ),
    ("a megabyte in a POST form", post(PASSWORD_BODY + b"name=" + MEGABYTE), TOO_LARGE),
    (
        "a megabyte in a multipart body",
        post(
            b'--b\r\nContent-Disposition: form-data; name="name"\r\n\r\n'
            + MEGABYTE
            + b"\r\n--b--\r\n",
            content_type=MULTIPART,
        ),
        TOO_LARGE,
    ),
    ("a query just over the limit", get("name=" + "x" * LIMIT), TOO_LARGE),
    (
        "a query and a body over the limit together",
        post(
            b"description=" + b"x" * (LIMIT // 2), query=f"{AUTH};id=123;name=" + "x" * (LIMIT // 2)
        ),
        TOO_LARGE,
    ),
    (
        "a JSON body",
        post(
            b'{"auth_username": "user", "auth_password": "password", "id": 123, "name": "new"}',
            content_type="application/json",
        ),
        NOT_A_FORM,
    ),
    (
        "a JSON body, parameters in the query",
        post(b"{}", content_type="application/json", query=f"{AUTH};id=123;name=new"),
        NOT_A_FORM,
    ),
    (
        "a text body",
        post(b"name=newer", content_type="text/plain", query=f"{AUTH};id=123;name=new"),
        bad(
            "",
            "the request body must be application/x-www-form-urlencoded or multipart/form-data, "
            "not text/plain",
        ),
    ),
    (
        "a malformed multipart body",
        post(b"no parts here", content_type=MULTIPART, query=f"{AUTH};id=123;name=new"),
        bad("", "the multipart/form-data body is malformed"),
    ),
]


@pytest.mark.parametrize(("label", "request_", "expected"), CASES, ids=[c[0] for c in CASES])
async def test_bad_input_gets_an_envelope_and_changes_nothing(client, label, request_, expected):
    method, target, options = request_
    assert await answer(client, method, target, **options) == enveloped(expected), label
    await assert_still_serving_the_seed(client)


async def test_several_bad_pieces_give_one_entry_each_in_the_order_sent(client):
    target = f"{UPDATE}?{AUTH};id=%zz;name=%ff;description=%00;name=x"
    assert await answer(client, "GET", target) == enveloped(
        envelope(
            ("400", "id", "has malformed percent-encoding"),
            ("400", "name", "is not valid UTF-8"),
            ("400", "description", "must not contain a NUL character"),
        )
    )
    await assert_still_serving_the_seed(client)


async def test_a_parameter_without_a_value_is_the_empty_string(client):
    target = f"{UPDATE}?{AUTH};id=123;name"
    assert await answer(client, "GET", target) == enveloped(bad("name", "must not be empty"))
    await assert_still_serving_the_seed(client)


async def test_the_413_limit_follows_the_setting(serve):
    client = await serve(max_request_bytes=2048)
    target = f"{UPDATE}?{AUTH};id=123;name=" + "x" * 2048
    assert await answer(client, "GET", target) == enveloped(
        envelope(("413", "", "The request is larger than the limit of 2048 bytes."))
    )
    await assert_still_serving_the_seed(client)


async def test_bad_input_in_a_burst_leaves_the_server_serving(client):
    for label, (method, target, options), expected in CASES:
        status, _, body = await answer(client, method, target, **options)
        assert (status, body) == (200, expected), label
    await assert_still_serving_the_seed(client)


async def test_a_megabyte_in_the_query_string_gets_a_413_envelope(client):
    target = f"{UPDATE}?{AUTH};id=123;name=" + "x" * 2**20
    assert await answer(client, "GET", target) == enveloped(TOO_LARGE)


async def test_after_a_megabyte_in_the_query_string_the_server_still_serves(client):
    response = await client.get(URL(f"{UPDATE}?{AUTH};id=123;name=" + "x" * 2**20, encoded=True))
    await response.read()
    await assert_still_serving_the_seed(client)


@pytest.mark.parametrize(
    ("escaped", "function"),
    [
        ("bulk%0A/campaigns/get", "bulk\n/campaigns/get"),
        ("bulk/campaigns/get%0D%0Aforged", "bulk/campaigns/get\r\nforged"),
        ("%0A", "\n"),
        ("bulk%09campaigns%7F/get%1B", "bulk\tcampaigns\x7f/get\x1b"),
    ],
)
async def test_a_function_name_with_control_characters_gets_an_envelope_and_an_entry(
    client, escaped, function
):
    response = await client.get(URL(f"/api/json/{escaped}/?{AUTH}", encoded=True))
    assert (response.status, response.headers["Content-Type"]) == (
        200,
        "application/json; charset=utf-8",
    )
    assert await response.json() == envelope(("404", "", "No such function."))
    call_id = response.headers["X-Mockswitch-Call"]
    entry = await (await client.get(f"/_mock/calls/{call_id}")).json()
    assert (entry["function"], entry["path"], entry["code"]) == (
        function,
        f"/api/json/{function}/",
        "404",
    )
    filtered = await (await client.get("/_mock/calls", params={"function": function})).json()
    assert [call["id"] for call in filtered["calls"]] == [int(call_id)]
