"""--prefix: the API also answers under a path prefix, as some operators mount it."""

from __future__ import annotations

import pytest

from mockswitch.cli import main
from mockswitch.config import ConfigError, load_settings
from tests.cast import CAMPAIGNS, PASSWORD, campaign
from tests.helpers import NO_SUCH_FUNCTION, OK_204, envelope

AUTH = f"auth_username=user;auth_password={PASSWORD}"
GET_123 = f"bulk/campaigns/get/?{AUTH};id=123"
CAMPAIGN_123 = envelope(("200", "", "OK"), data=CAMPAIGNS[123])
# A path that is not the API gets the web server's plain 404, not an Enswitch envelope.
NOT_THE_API = (404, "404: Not Found")


def named(name: str) -> dict:
    """bulk/campaigns/get's answer for campaign 123, renamed."""
    return envelope(("200", "", "OK"), data=campaign(123, name=name))


async def answer(client, method: str, path: str, **kwargs) -> tuple[int, object]:
    response = await client.request(method, path, **kwargs)
    if response.content_type == "application/json":
        return response.status, await response.json()
    return response.status, await response.text()


@pytest.mark.parametrize("prefix", ["/local", "/pbx/enswitch"])
async def test_the_api_answers_under_the_prefix_and_without_it(serve, prefix):
    client = await serve(prefix=prefix)
    assert await answer(client, "GET", f"{prefix}/api/json/{GET_123}") == (200, CAMPAIGN_123)
    assert await answer(client, "GET", f"/api/json/{GET_123}") == (200, CAMPAIGN_123)


async def test_with_or_without_the_trailing_slash(serve):
    client = await serve(prefix="/local")
    path = f"/local/api/json/bulk/campaigns/get?{AUTH};id=123"
    assert await answer(client, "GET", path) == (200, CAMPAIGN_123)


async def test_a_post_under_the_prefix(serve):
    client = await serve(prefix="/local")
    form = {"auth_username": "user", "auth_password": PASSWORD, "id": "123", "name": "Posted"}
    path = "/local/api/json/bulk/campaigns/update/"
    assert await answer(client, "POST", path, data=form) == (200, OK_204)
    assert await answer(client, "GET", f"/api/json/{GET_123}") == (200, named("Posted"))


async def test_both_paths_share_the_default_tenant(serve):
    client = await serve(prefix="/local")
    update = f"/api/json/bulk/campaigns/update/?{AUTH};id=123;name=A"
    assert await answer(client, "GET", update) == (200, OK_204)
    assert await answer(client, "GET", f"/local/api/json/{GET_123}") == (200, named("A"))


async def test_a_named_tenant_under_the_prefix(serve):
    client = await serve(prefix="/local")
    update = f"/local/t/acme/api/json/bulk/campaigns/update/?{AUTH};id=123;name=Tenant"
    assert await answer(client, "GET", update) == (200, OK_204)
    assert await answer(client, "GET", f"/t/acme/api/json/{GET_123}") == (200, named("Tenant"))
    # The default tenant is untouched.
    assert await answer(client, "GET", f"/local/api/json/{GET_123}") == (200, CAMPAIGN_123)


async def test_the_journal_records_the_path_as_sent(serve):
    client = await serve(prefix="/local")
    await answer(client, "GET", f"/local/api/json/{GET_123}")
    await answer(client, "GET", f"/api/json/{GET_123}")
    response = await client.get("/_mock/calls")
    calls = (await response.json())["calls"]
    assert [(c["path"], c["function"], c["code"]) for c in calls] == [
        ("/local/api/json/bulk/campaigns/get/", "bulk/campaigns/get", "200"),
        ("/api/json/bulk/campaigns/get/", "bulk/campaigns/get", "200"),
    ]


async def test_an_unknown_function_under_the_prefix_is_an_envelope(serve):
    client = await serve(prefix="/local")
    assert await answer(client, "GET", f"/local/api/json/bulk/nothing/?{AUTH}") == (
        200,
        NO_SUCH_FUNCTION,
    )


@pytest.mark.parametrize(
    "path",
    [
        f"/other/api/json/{GET_123}",  # not the prefix
        f"/localapi/json/{GET_123}",  # the prefix is a whole path segment
        f"/local/local/api/json/{GET_123}",
        f"/LOCAL/api/json/{GET_123}",  # paths are case-sensitive
    ],
)
async def test_other_paths_are_not_the_api(serve, path):
    client = await serve(prefix="/local")
    assert await answer(client, "GET", path) == NOT_THE_API


async def test_without_the_setting_the_prefix_is_not_served(client):
    assert await answer(client, "GET", f"/local/api/json/{GET_123}") == NOT_THE_API


async def test_the_control_api_stays_at_the_root(serve):
    client = await serve(prefix="/local")
    assert (await client.get("/_mock/health")).status == 200
    assert (await client.get("/local/_mock/health")).status == 404


@pytest.mark.parametrize(("given", "stored"), [("/local", "/local"), ("/", ""), ("", "")])
def test_the_prefix_setting(given, stored):
    assert load_settings({"prefix": given}, environ={}).prefix == stored


@pytest.mark.parametrize("given", ["local", "/local/", "//local", "/a//b"])
def test_an_ill_formed_prefix_is_refused_at_start(given, capsys):
    with pytest.raises(ConfigError):
        load_settings({"prefix": given}, environ={})
    assert main(["serve", "--db", ":memory:", "--prefix", given]) == 2
    assert "--prefix" in capsys.readouterr().err
