"""`/_mock/ui` and its data, without a browser: the files, their headers, the read-only data."""

from __future__ import annotations

import re
from importlib import resources

import pytest
from aiohttp.test_utils import TestClient

from mockswitch.endpoints import FUNCTIONS
from mockswitch.web import ui
from tests.helpers import call

STATIC = resources.files("mockswitch.web") / "static"


@pytest.mark.parametrize("scope", ["", "/t/demo"])
async def test_the_page_and_its_files_are_served(client: TestClient, scope: str):
    page = await client.get(f"{scope}/_mock/ui")
    assert page.status == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.headers["Content-Security-Policy"] == ui.POLICY
    html = await page.text()
    for name, content_type in ui.ASSETS.items():
        assert f'"ui/{name}"' in html
        served = await client.get(f"{scope}/_mock/ui/{name}")
        assert served.status == 200
        assert served.headers["Content-Type"].startswith(content_type)
        assert await served.read() == (STATIC / name).read_bytes()


async def test_opening_the_page_of_a_new_tenant_starts_it(client: TestClient):
    assert (await client.get("/t/fresh/_mock/calls")).status == 404
    assert (await client.get("/t/fresh/_mock/ui")).status == 200
    assert (await client.get("/t/fresh/_mock/calls")).status == 200


async def test_the_page_has_one_address(client: TestClient):
    response = await client.get("/t/demo/_mock/ui/", allow_redirects=False)
    assert response.status == 308
    assert response.headers["Location"] == "/t/demo/_mock/ui"


async def test_only_the_dashboard_files_are_served(client: TestClient):
    for name in ("ui.html", "..%2Fui.py", "nothing.js"):
        response = await client.get(f"/_mock/ui/{name}")
        assert response.status == 404, name


def test_the_files_name_nothing_outside_this_server():
    """No CDN, no web font, no absolute URL: the page works with the network cut off."""
    names = sorted(p.name for p in STATIC.iterdir())
    assert names == sorted(["ui.html", *ui.ASSETS])
    for name in names:
        text = (STATIC / name).read_text()
        assert not re.search(
            r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text.replace("http://www.w3.org/2000/svg", "")
        ), name
        assert "@import" not in text, name
        assert "url(" not in text, name


async def test_campaigns_per_customer_show_the_current_fields(client: TestClient):
    await call(client, "bulk/campaigns/update", id=123, name="Changed", maximum=9)
    response = await client.get("/_mock/data/campaigns")
    assert response.status == 200
    document = await response.json()
    assert document["tenant"] == "default"
    customers = {c["id"]: c for c in document["customers"]}
    assert [c["id"] for c in document["customers"]] == sorted(customers)
    assert customers[10]["name"] == "Acme Ltd"
    assert customers[10]["parent"] == 2
    spring = next(c for c in customers[10]["campaigns"] if c["id"] == 123)
    got = await call(client, "bulk/campaigns/get", id=123)
    assert spring == got[1]["data"]  # as the API shows it
    assert (spring["name"], spring["maximum"]) == ("Changed", 9)
    assert customers[1]["campaigns"] == []
    # Reading the data is not a call: the journal stays as it was.
    assert (await (await client.get("/_mock/calls/count")).json())["count"] == 2


async def test_each_tenant_has_its_own_campaigns(client: TestClient):
    await call(client, "bulk/campaigns/update", id=123, name="Only in default")
    await client.get("/t/other/_mock/ui")
    other = await (await client.get("/t/other/_mock/data/campaigns")).json()
    names = [c["name"] for customer in other["customers"] for c in customer["campaigns"]]
    assert "Spring promo" in names
    assert "Only in default" not in names
    assert (await client.get("/t/never/_mock/data/campaigns")).status == 404


async def test_the_functions_served_are_listed(client: TestClient):
    document = await (await client.get("/_mock/data/functions")).json()
    assert [f["name"] for f in document["functions"]] == sorted(FUNCTIONS)
    update = next(f for f in document["functions"] if f["name"] == "bulk/campaigns/update")
    assert update["changes_data"] is True
    assert document["fault_kinds"] == {
        "envelope": "Enswitch error",
        "http": "HTTP error",
        "reset": "Connection reset",
        "hang": "Hung up",
        "empty": "Empty answer",
        "malformed": "Malformed answer",
        "slow_body": "Slow body",
    }
