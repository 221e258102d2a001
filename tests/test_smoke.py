"""The vendor page's own example, verbatim, against a fresh server."""

from tests.conftest import OK_204, call, envelope

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
    assert body == envelope(
        ("200", "", "OK"),
        data={
            "id": 123,
            "customer": 10,
            "name": "example",
            "description": "Tell last year's buyers about the spring range",
            "dtype": "phone",
            "dnumber": "1001",
            "enabled": 0,
            "attempts": 3,
            "maximum": 5,
            "retry": 600,
            "machine": "failed",
            "success": "answer",
            "keep_agents_available": 0,
            "owner": 100,
            "recordgroup": 0,
            "timegroup": 5,
            "callerid": "2125550100",
        },
    )


async def test_health_answers_once_the_data_set_is_loaded(client):
    response = await client.get("/_mock/health")
    assert response.status == 200
    assert (await response.json())["status"] == "ok"


async def test_a_success_without_data_is_exactly_the_ok_envelope(client):
    assert await call(client, "bulk/campaigns/update", id=124, name="x") == (200, OK_204)
