"""--api-version: what each Enswitch version knows, and what it does with what it does not."""

from __future__ import annotations

from typing import Any

import pytest

from mockswitch.config import ConfigError, load_settings
from mockswitch.endpoints import FUNCTIONS
from tests.cast import CAMPAIGNS, campaign
from tests.helpers import MASK, OK_204, UNTOUCHED, call, envelope, read_campaign, stored_campaign

UPDATE = "bulk/campaigns/update"
CREATE = "bulk/campaigns/create"
NEW = {"name": "New", "dtype": "forward", "dnumber": "+442071230000"}
NEW_ID = max(CAMPAIGNS) + 1
NEGATIVE_NEEDS_A_QUEUE = envelope(
    ("400", "keep_agents_available", "may be negative only for a queue destination")
)


def without(fields: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if name not in names}


async def last_call(client) -> dict[str, Any]:
    """The newest call in the journal, as the control API shows it."""
    response = await client.get("/_mock/calls", params={"order": "desc", "limit": "1"})
    assert response.status == 200, await response.text()
    return (await response.json())["calls"][0]


async def test_the_newest_version_is_the_default(client):
    response = await client.get("/_mock/health")
    assert (await response.json())["api_version"] == "4.4"


@pytest.mark.parametrize("version", ["3.13", "4.2", "4.4"])
async def test_health_says_which_version_is_imitated(serve, version):
    client = await serve(api_version=version)
    response = await client.get("/_mock/health")
    assert (await response.json())["api_version"] == version


@pytest.mark.parametrize("version", ["4.0", "4", "5.0", "", "latest"])
def test_an_unknown_version_is_refused_at_start(version):
    with pytest.raises(ConfigError) as refused:
        load_settings({"api_version": version}, environ={})
    assert str(refused.value) == f"--api-version: {version!r} is not one of 3.13, 4.2, 4.4"


@pytest.mark.parametrize("version", ["3.13", "4.2", "4.4"])
@pytest.mark.parametrize("function", sorted(f for f in FUNCTIONS if f.startswith("bulk/")))
async def test_every_bulk_function_exists_from_3_13(serve, version, function):
    client = await serve(api_version=version)
    # Without credentials: a function that exists answers 401, one that does not 404.
    assert await call(client, function, user=None) == (
        200,
        envelope(("401", "", "The authentication details provided are invalid.")),
    )


# -- before 4.2: keep_agents_available does not exist ----------------------------------------


async def test_before_4_2_get_has_no_keep_agents_available_field(serve):
    client = await serve(api_version="3.13")
    status, body = await call(client, "bulk/campaigns/get", id=124)
    assert (status, body) == (
        200,
        envelope(("200", "", "OK"), data=without(CAMPAIGNS[124], "keep_agents_available")),
    )
    response = await client.get(
        "/api/json/bulk/campaigns/get/",
        params={"auth_username": "user", "auth_password": "password", "id": "125"},
    )
    assert await response.read() == (
        b'{"responses":[{"code":"200","key":"","message":"OK"}],"data":{"id":125,"customer":10,'
        b'"name":"Overdue invoices","description":"Remind customers whose invoice is more than 30 '
        b'days overdue","dtype":"forward","dnumber":"+442071230000","enabled":0,"attempts":1,'
        b'"maximum":2,"retry":3600,"machine":"","success":"answer","owner":101,"recordgroup":7,'
        b'"timegroup":5,"callerid":""}}'
    )


async def test_before_4_2_list_has_no_keep_agents_available_field(serve):
    client = await serve(api_version="3.13")
    expected = [without(CAMPAIGNS[i], "keep_agents_available") for i in (123, 124, 125)]
    assert await call(client, "bulk/campaigns/list") == (
        200,
        envelope(("200", "", "OK"), data=expected),
    )


@pytest.mark.parametrize("version", ["4.2", "4.4"])
async def test_from_4_2_get_and_list_show_keep_agents_available(serve, version):
    client = await serve(api_version=version)
    assert await call(client, "bulk/campaigns/get", id=124) == (
        200,
        envelope(("200", "", "OK"), data=CAMPAIGNS[124]),
    )
    assert await call(client, "bulk/campaigns/list") == (
        200,
        envelope(("200", "", "OK"), data=[CAMPAIGNS[i] for i in (123, 124, 125)]),
    )


def test_every_field_added_after_a_version_is_absent_from_its_data():
    # The rule is read from the parameter table, so a field declared with a later `since`
    # leaves the older versions' data too, without a second list to keep in step.
    from mockswitch.endpoints.campaign_access import fields_absent_in
    from mockswitch.endpoints.campaign_fields import FIELDS

    versioned = {f.name: f.since for f in FIELDS if f.since > (3, 13)}
    assert versioned == {"keep_agents_available": (4, 2)}
    assert fields_absent_in((3, 13)) == {"keep_agents_available"}
    assert fields_absent_in((4, 2)) == fields_absent_in((4, 4)) == frozenset()


async def test_before_4_2_a_given_keep_agents_available_is_ignored_and_journalled(serve):
    client = await serve(api_version="3.13")
    assert await call(client, UPDATE, id=124, keep_agents_available=5) == (200, OK_204)
    assert await stored_campaign(client, 124) == CAMPAIGNS[124]
    # The read above is no API call: the update is the only one.
    response = await client.get("/_mock/calls", params={"function": UPDATE})
    [recorded] = (await response.json())["calls"]
    del recorded["at"], recorded["duration_ms"]  # when and how long vary; the rest is known
    params = {"auth_username": "user", "auth_password": MASK, "id": "124"}
    assert recorded == {
        "id": 1,
        "method": "GET",
        "path": f"/api/json/{UPDATE}/",
        "function": UPDATE,
        "query": f"auth_username=user&auth_password={MASK}&id=124&keep_agents_available=5",
        "params": {**params, "keep_agents_available": "5"},
        "unknown": ["keep_agents_available"],
        "username": "user",
        "code": "204",
        "key": "",
        "http_status": 200,
        "body": '{"responses":[{"code":"204","key":"","message":"OK"}]}',
        **UNTOUCHED,
    }


async def test_before_4_2_omitting_keep_agents_available_keeps_the_stored_value(serve):
    client = await serve(api_version="3.13")
    assert await call(client, UPDATE, id=124, name="Older") == (200, OK_204)
    assert (await last_call(client))["unknown"] == []
    assert await stored_campaign(client, 124) == campaign(124, name="Older")  # still 2 agents
    assert await read_campaign(client, 124) == without(
        campaign(124, name="Older"), "keep_agents_available"
    )


async def test_before_4_2_it_is_listed_with_the_other_unknown_parameters_in_order(serve):
    client = await serve(api_version="3.13")
    assert await call(client, UPDATE, calerid=1, id=124, keep_agents_available="x", foo="") == (
        200,
        OK_204,
    )
    assert (await last_call(client))["unknown"] == ["calerid", "keep_agents_available", "foo"]


@pytest.mark.parametrize("value", ["-1", "abc", "", "1.5"])
async def test_before_4_2_even_an_ill_formed_or_negative_value_is_ignored(serve, value):
    client = await serve(api_version="3.13")
    # 123 is a phone campaign: from 4.2 a negative value would be a 400 there.
    assert await call(client, UPDATE, id=123, keep_agents_available=value) == (200, OK_204)
    assert await stored_campaign(client, 123) == CAMPAIGNS[123]


async def test_before_4_2_create_ignores_it_and_the_campaign_gets_0(serve):
    client = await serve(api_version="3.13")
    assert await call(client, CREATE, user="admin", keep_agents_available=-3, **NEW) == (
        200,
        envelope(("200", "", "OK"), data={"id": NEW_ID}),
    )
    assert (await last_call(client))["unknown"] == ["keep_agents_available"]
    assert (await stored_campaign(client, NEW_ID))["keep_agents_available"] == 0
    assert "keep_agents_available" not in await read_campaign(client, NEW_ID)


async def test_an_unknown_parameter_is_journalled_even_when_the_call_fails(serve):
    client = await serve(api_version="3.13")
    assert await call(client, UPDATE, user="viewer", id=124, keep_agents_available=1) == (
        200,
        envelope(("402", "", "Your role does not allow this.")),
    )
    assert (await last_call(client))["unknown"] == ["keep_agents_available"]


# -- from 4.2: a known parameter whose documented default is 0 -------------------------------


@pytest.mark.parametrize("version", ["4.2", "4.4"])
async def test_from_4_2_omitting_keep_agents_available_sets_it_to_0(serve, version):
    client = await serve(api_version=version)
    assert await call(client, UPDATE, id=124, name="Newer") == (200, OK_204)
    assert (await last_call(client))["unknown"] == []
    assert await read_campaign(client, 124) == campaign(124, name="Newer", keep_agents_available=0)


@pytest.mark.parametrize("version", ["4.2", "4.4"])
async def test_from_4_2_a_given_value_is_stored_and_not_unknown(serve, version):
    client = await serve(api_version=version)
    assert await call(client, UPDATE, id=124, keep_agents_available=-2) == (200, OK_204)
    assert (await last_call(client))["unknown"] == []
    assert await read_campaign(client, 124) == campaign(124, keep_agents_available=-2)


@pytest.mark.parametrize("version", ["4.2", "4.4"])
async def test_from_4_2_it_is_checked(serve, version):
    client = await serve(api_version=version)
    assert await call(client, UPDATE, id=123, keep_agents_available=-1) == (
        200,
        NEGATIVE_NEEDS_A_QUEUE,
    )
    assert await call(client, UPDATE, id=123, keep_agents_available="x") == (
        200,
        envelope(("400", "keep_agents_available", "must be an integer")),
    )
    assert await call(client, CREATE, user="admin", keep_agents_available=-1, **NEW) == (
        200,
        NEGATIVE_NEEDS_A_QUEUE,
    )
    assert await read_campaign(client, 123) == CAMPAIGNS[123]
