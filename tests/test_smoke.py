"""The vendor page's own example, verbatim, against a fresh server."""

from tests.cast import campaign
from tests.helpers import OK_204, call, envelope

VENDOR_EXAMPLE = (
    "/api/json/bulk/campaigns/update/?auth_username=user;auth_password=password;id=123;name=example"
)


async def test_the_vendor_example_answers_204_and_the_change_reads_back(client):
    response = await client.get(VENDOR_EXAMPLE)
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert await response.read() == b'{"responses":[{"code":"204","key":"","message":"OK"}]}'

    status, body = await call(client, "bulk/campaigns/get", id=123)
    assert status == 200
    assert body == envelope(("200", "", "OK"), data=campaign(123, name="example"))


async def test_health_answers_once_the_data_set_is_loaded(client):
    response = await client.get("/_mock/health")
    assert response.status == 200
    assert (await response.json())["status"] == "ok"


async def test_a_success_without_data_is_exactly_the_ok_envelope(client):
    assert await call(client, "bulk/campaigns/update", id=124, name="x") == (200, OK_204)
