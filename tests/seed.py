"""The default data set's campaigns as bulk/campaigns/get shows them, and ways to read them back.

Written out by hand from ../shared/reference/default-cast.md (plus the extra campaigns of
fixtures/), not read from the fixture files, so a test also notices when the seed drifts.
"""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.conftest import call, envelope

CUSTOMERS = (1, 2, 10, 20, 30)

CAMPAIGNS: dict[int, dict[str, Any]] = {
    123: {
        "id": 123,
        "customer": 10,
        "name": "Spring promo",
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
    124: {
        "id": 124,
        "customer": 10,
        "name": "Support callback",
        "description": "Call back customers who left a voicemail for support",
        "dtype": "queue",
        "dnumber": "500",
        "enabled": 1,
        "attempts": 2,
        "maximum": 10,
        "retry": 300,
        "machine": "retry",
        "success": "key",
        "keep_agents_available": 2,
        "owner": 0,
        "recordgroup": 7,
        "timegroup": 0,
        "callerid": "2125550101",
    },
    125: {
        "id": 125,
        "customer": 10,
        "name": "Overdue invoices",
        "description": "Remind customers whose invoice is more than 30 days overdue",
        "dtype": "forward",
        "dnumber": "+442071230000",
        "enabled": 0,
        "attempts": 1,
        "maximum": 2,
        "retry": 3600,
        "machine": "",
        "success": "answer",
        "keep_agents_available": 0,
        "owner": 101,
        "recordgroup": 7,
        "timegroup": 5,
        "callerid": "",
    },
    200: {
        "id": 200,
        "customer": 20,
        "name": "Globex renewals",
        "description": "Contracts that expire next month",
        "dtype": "phone",
        "dnumber": "2001",
        "enabled": 1,
        "attempts": 1,
        "maximum": 2,
        "retry": 3600,
        "machine": "",
        "success": "answer",
        "keep_agents_available": 0,
        "owner": 200,
        "recordgroup": 8,
        "timegroup": 6,
        "callerid": "",
    },
    201: {
        "id": 201,
        "customer": 20,
        "name": "Globex webinar invites",
        "description": "Invite partners to the quarterly webinar, keeping one agent free",
        "dtype": "queue",
        "dnumber": "600",
        "enabled": 0,
        "attempts": 2,
        "maximum": 4,
        "retry": 900,
        "machine": "success",
        "success": "key",
        "keep_agents_available": -1,
        "owner": 0,
        "recordgroup": 0,
        "timegroup": 6,
        "callerid": "+13125550200",
    },
    300: {
        "id": 300,
        "customer": 30,
        "name": "Initech survey",
        "description": "Customer satisfaction survey",
        "dtype": "phone",
        "dnumber": "3001",
        "enabled": 0,
        "attempts": 1,
        "maximum": 1,
        "retry": 3600,
        "machine": "failed",
        "success": "answer",
        "keep_agents_available": 0,
        "owner": 0,
        "recordgroup": 0,
        "timegroup": 0,
        "callerid": "",
    },
}


def campaign(campaign_id: int, **changes: Any) -> dict[str, Any]:
    """A seeded campaign as `data` shows it, with some fields changed."""
    unknown = set(changes) - set(CAMPAIGNS[campaign_id])
    assert not unknown, f"not campaign fields: {unknown}"
    return {**CAMPAIGNS[campaign_id], **changes}


async def read_campaign(client: TestClient, campaign_id: int) -> dict[str, Any]:
    """One campaign's `data`, read as the system owner (who may see them all)."""
    status, body = await call(client, "bulk/campaigns/get", user="owner", id=campaign_id)
    assert (status, body["responses"]) == (200, envelope(("200", "", "OK"))["responses"]), body
    return body["data"]


async def stored_campaign(client, campaign_id: int) -> dict[str, Any]:
    """A campaign as stored, every field whatever the API version: the dashboard's data."""
    response = await client.get("/_mock/data/campaigns")
    assert response.status == 200, await response.text()
    customers = (await response.json())["customers"]
    [found] = [c for customer in customers for c in customer["campaigns"] if c["id"] == campaign_id]
    return found


async def every_campaign(client: TestClient) -> dict[int, list[dict[str, Any]]]:
    """Every customer's campaigns, listed as the system owner: the whole editable data set."""
    found = {}
    for customer in CUSTOMERS:
        status, body = await call(client, "bulk/campaigns/list", user="owner", customer=customer)
        assert (status, body["responses"]) == (200, envelope(("200", "", "OK"))["responses"]), body
        found[customer] = body["data"]
    return found


SEEDED: dict[int, list[dict[str, Any]]] = {
    customer: [c for c in CAMPAIGNS.values() if c["customer"] == customer] for customer in CUSTOMERS
}
"""What `every_campaign` answers on a freshly seeded server."""
