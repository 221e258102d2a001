"""Every refused call says why in its journal entry's `warnings` (and so in its log line),
while the client still gets the switch's answer byte for byte: why a login failed, the
nearest name to an unknown function, and which field kept a call out of the fault rules
written for its function."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.helpers import NO_SUCH_FUNCTION, NOT_AUTHENTICATED, OK_204, ok

UPDATE = "bulk/campaigns/update"
GET = "bulk/campaigns/get"
PEOPLE = [{"id": 100, "username": "user"}]
PEOPLE_STUB = {"function": "people/list", "data": PEOPLE}


def wire(envelope: dict[str, Any]) -> bytes:
    """An envelope's bytes as the switch writes them."""
    return json.dumps(envelope, separators=(",", ":")).encode()


async def answered(
    client: TestClient, path: str, method: str = "GET"
) -> tuple[int, bytes, list[str]]:
    """Send `path` (with its query) as written: the HTTP status, the body's bytes, and the
    warnings of the call's journal entry."""
    response = await client.request(method, f"/api/json/{path}")
    body = await response.read()
    entry = await client.get(f"/_mock/calls/{response.headers['X-Mockswitch-Call']}")
    assert entry.status == 200
    return response.status, body, (await entry.json())["warnings"]


# -- why a login failed ---------------------------------------------------------------------

LOGINS = [
    pytest.param("id=123", "login failed: the call sent no auth_username and no auth_password",
                 id="no credentials"),
    pytest.param("auth_username=user;id=123", "login failed: the call sent no auth_password",
                 id="no password"),
    pytest.param("auth_password=password;id=123", "login failed: the call sent no auth_username",
                 id="no username"),
    pytest.param("auth_username=bob;auth_password=password;id=123",
                 "login failed: no user 'bob' in this tenant's data set", id="no such user"),
    pytest.param("auth_username=user;auth_password=Password;id=123",
                 "login failed: wrong password for 'user'", id="wrong password"),
    pytest.param("auth_username=User;auth_password=password;id=123",
                 "login failed: no user 'User'; usernames are case-sensitive "
                 "(did you mean 'user'?)", id="username in the wrong case"),
    pytest.param("auth_username=;auth_password=;id=123",
                 "login failed: no user '' in this tenant's data set", id="both empty"),
]  # fmt: skip


@pytest.mark.parametrize(("query", "reason"), LOGINS)
async def test_a_failed_login_says_why_and_answers_the_bare_401(client, query, reason):
    assert await answered(client, f"{GET}/?{query}") == (200, wire(NOT_AUTHENTICATED), [reason])


async def test_a_failed_login_to_a_stubbed_function_says_why(serve):
    client = await serve()
    assert (await client.post("/_mock/stubs", json=PEOPLE_STUB)).status == 201

    assert await answered(client, "people/list/?auth_username=USER;auth_password=password") == (
        200,
        wire(NOT_AUTHENTICATED),
        ["login failed: no user 'USER'; usernames are case-sensitive (did you mean 'user'?)"],
    )
    # The right credentials: the stub answers, and nothing needs saying.
    query = "auth_username=user;auth_password=password"
    assert await answered(client, f"people/list/?{query}") == (200, wire(ok(PEOPLE)), [])


async def test_a_login_that_works_leaves_no_warning(client):
    query = "auth_username=user;auth_password=password;id=123;name=x"
    assert await answered(client, f"{UPDATE}/?{query}") == (200, wire(OK_204), [])


# -- an unknown function: the nearest name ---------------------------------------------------

CREDENTIALS = "auth_username=user;auth_password=password"


@pytest.mark.parametrize(
    ("function", "reason"),
    [
        (
            "bulk/campaigns/udpate",
            "no function `bulk/campaigns/udpate` is served or stubbed here "
            "(did you mean `bulk/campaigns/update`?)",
        ),
        (
            "Bulk/Campaigns/Update",
            "no function `Bulk/Campaigns/Update` is served or stubbed here "
            "(did you mean `bulk/campaigns/update`?)",
        ),
        ("people/lsit", "no function `people/lsit` is served or stubbed here "
         "(did you mean `people/list`?)"),
        ("telephones/frobnicate", "no function `telephones/frobnicate` is served or stubbed here"),
    ],
)  # fmt: skip
async def test_an_unknown_function_names_the_nearest_served_or_stubbed_one(serve, function, reason):
    client = await serve()
    assert (await client.post("/_mock/stubs", json=PEOPLE_STUB)).status == 201

    for method in ("GET", "POST"):
        assert await answered(client, f"{function}/?{CREDENTIALS}", method) == (
            200,
            wire(NO_SUCH_FUNCTION),
            [reason],
        )


async def test_another_tenants_stubs_are_not_suggested(serve):
    client = await serve()
    assert (await client.post("/t/other/_mock/stubs", json=PEOPLE_STUB)).status == 201

    assert await answered(client, f"people/lsit/?{CREDENTIALS}") == (
        200,
        wire(NO_SUCH_FUNCTION),
        ["no function `people/lsit` is served or stubbed here"],
    )


# -- fault rules that left a call alone ------------------------------------------------------


async def add_rules(client: TestClient, *rules: dict[str, Any]) -> None:
    response = await client.post("/_mock/faults", json=list(rules))
    assert response.status == 201, await response.text()


def update_of(campaign: int, method: str = "GET", user: str = "user") -> tuple[str, str]:
    return f"{UPDATE}/?auth_username={user};auth_password=password;id={campaign};name=x", method


FAIL = {"type": "envelope", "code": "500"}
INTERNAL_ERROR = {"responses": [{"code": "500", "key": "", "message": "Internal error"}]}


@pytest.mark.parametrize(
    ("match", "sent", "reason"),
    [
        (
            {"params": {"id": "123"}},
            update_of(124),
            "fault rule 1 left the call alone: match.params.id wants '123', the call sent '124'",
        ),
        (
            {"params": {"id": "123", "maximum": "4"}},
            update_of(123),
            "fault rule 1 left the call alone: match.params.maximum wants '4', the call sent "
            "no maximum",
        ),
        (
            {"method": "POST"},
            update_of(123, "GET"),
            "fault rule 1 left the call alone: match.method wants POST, the call was GET",
        ),
        (
            {"username": "admin"},
            update_of(123),
            "fault rule 1 left the call alone: match.username wants 'admin', the call sent 'user'",
        ),
    ],
)
async def test_a_call_no_rule_for_its_function_matched_names_the_field(client, match, sent, reason):
    await add_rules(client, {"match": {"function": UPDATE, **match}, "action": FAIL})

    assert await answered(client, *sent) == (200, wire(OK_204), [reason])


async def test_a_glob_names_the_function_too_and_the_rules_name_shows(client):
    await add_rules(
        client,
        {"name": "123 is down", "match": {"function": "bulk/*", "params": {"id": "123"}},
         "action": FAIL},
    )  # fmt: skip

    assert await answered(client, *update_of(125)) == (
        200,
        wire(OK_204),
        ["fault rule 1 ('123 is down') left the call alone: match.params.id wants '123', the "
         "call sent '125'"],
    )  # fmt: skip


async def test_rules_for_other_functions_or_for_every_function_say_nothing(client):
    await add_rules(
        client,
        {"match": {"function": GET, "params": {"id": "123"}}, "action": FAIL},
        {"match": {"params": {"id": "999"}}, "action": FAIL},  # no function: not about this one
    )

    assert await answered(client, *update_of(124)) == (200, wire(OK_204), [])


async def test_a_rule_that_fires_leaves_no_warning_about_the_others(client):
    await add_rules(
        client,
        {"match": {"function": UPDATE, "params": {"id": "124"}}, "action": FAIL},
        {"match": {"function": UPDATE, "params": {"id": "123"}}, "action": FAIL},
    )

    assert await answered(client, *update_of(123)) == (200, wire(INTERNAL_ERROR), [])


async def test_many_rules_for_the_function_are_summed_up_after_the_first_three(client):
    await add_rules(
        client,
        *({"match": {"function": UPDATE, "params": {"id": str(n)}}, "action": FAIL}
          for n in range(1, 6)),
    )  # fmt: skip

    assert await answered(client, *update_of(123)) == (
        200,
        wire(OK_204),
        [
            "fault rule 1 left the call alone: match.params.id wants '1', the call sent '123'",
            "fault rule 2 left the call alone: match.params.id wants '2', the call sent '123'",
            "fault rule 3 left the call alone: match.params.id wants '3', the call sent '123'",
            "2 more fault rules for bulk/campaigns/update did not match",
        ],
    )


async def test_a_failed_login_and_a_rule_that_missed_are_both_said(client):
    await add_rules(client, {"match": {"function": UPDATE, "username": "admin"}, "action": FAIL})

    assert await answered(client, *update_of(123, user="nobody")) == (
        200,
        wire(NOT_AUTHENTICATED),
        [
            "login failed: no user 'nobody' in this tenant's data set",
            "fault rule 1 left the call alone: match.username wants 'admin', the call sent "
            "'nobody'",
        ],
    )


async def test_a_warning_is_cut_to_the_field_cap_like_every_text_of_an_entry(serve):
    client = await serve(journal_field_cap=64)
    long_name = "u" * 500

    status, body, warnings = await answered(
        client, f"{GET}/?auth_username={long_name};auth_password=x;id=123"
    )

    assert (status, body) == (200, wire(NOT_AUTHENTICATED))
    assert warnings == [f"login failed: no user '{long_name}"[:64]]
    entry = await (await client.get("/_mock/calls/1")).json()
    assert entry["truncated"] == ["query", "params", "warnings"]
