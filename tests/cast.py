"""The default data set's records, as the switch shows them: the one place tests read them from.

Written out by hand from ../shared/reference/default-cast.md and fixtures/, not read from the
fixture files, so a test also notices when the seed drifts.
"""

from __future__ import annotations

from typing import Any

PASSWORD = "password"
"""Every person of the cast has this password."""

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


SEEDED: dict[int, list[dict[str, Any]]] = {
    customer: [c for c in CAMPAIGNS.values() if c["customer"] == customer] for customer in CUSTOMERS
}
"""What `every_campaign` answers on a freshly seeded server."""

DESTINATIONS: dict[int, dict[str, str]] = {
    123: {
        "2125550111": "pending",
        "2125550112": "pending",
        "2125550113": "success",
        "2125550114": "failed",
        "2125550115": "cancelled",
    },
    124: {
        "2125550121": "pending",
        "2125550122": "success",
        "+442071230123": "pending",
        "2125550124": "failed",
    },
    125: {"2125550131": "pending", "2125550132": "cancelled"},
    200: {"3125550201": "pending", "3125550202": "success", "3125550203": "failed"},
    201: {"3125550211": "pending", "3125550212": "pending"},
    300: {"4155550301": "pending", "4155550302": "success"},
}


def campaign(campaign_id: int, **changes: Any) -> dict[str, Any]:
    """A seeded campaign as `data` shows it, with some fields changed."""
    unknown = set(changes) - set(CAMPAIGNS[campaign_id])
    assert not unknown, f"not campaign fields: {unknown}"
    return {**CAMPAIGNS[campaign_id], **changes}


def destinations(campaign_id: int, changes: dict[str, str | None] | None = None) -> dict[str, str]:
    """A seeded campaign's destinations as {dnumber: status}, some changed (None: removed)."""
    found = {**DESTINATIONS[campaign_id], **(changes or {})}
    return {dnumber: status for dnumber, status in found.items() if status is not None}


def rows(campaign_id: int, found: dict[str, str]) -> list[dict[str, Any]]:
    """{dnumber: status} as bulk/destinations/list shows it by default: sorted by dnumber."""
    return [
        {"campaign": campaign_id, "dtype": "", "dnumber": dnumber, "status": status}
        for dnumber, status in sorted(found.items())
    ]


OUT_OF_REACH: tuple[tuple[str, int], ...] = (
    ("user", 999),  # no such campaign
    ("user", 0),
    ("user", -123),
    ("user", 200),  # Globex's, out of Acme's reach
    ("admin", 201),  # an administrator reaches only their own customer too
    ("globex", 123),  # Acme's, out of Globex's reach
    ("reseller", 300),  # Initech is not below the reseller
    ("owner", 999),  # not even the system owner reaches what does not exist
)
"""(person, campaign id) pairs where the person reaches no such campaign: a 404 every time."""


IN_REACH: tuple[tuple[str, int], ...] = (
    ("admin", 124),  # an administrator, its own customer's
    ("globex", 201),  # Globex's own
    ("reseller", 123),  # a customer below the reseller
    ("reseller", 200),
    ("owner", 300),  # the system owner reaches every customer
)
"""(person, campaign id) pairs beyond Acme's user where the person reaches the campaign."""
