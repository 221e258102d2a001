"""The README's dialler example: enable a campaign, advance five minutes, check who succeeded.

The clock of the test's tenant stands still until the test moves it (`advance`), and the
outcome rules say what each number does when dialled: no sleeping, and the same every run.
"""

import json
import urllib.parse
import urllib.request


def enswitch(api_url: str, function: str, **params) -> dict:
    """Call the (mock) switch as user "user"."""
    query = urllib.parse.urlencode({"auth_username": "user", "auth_password": "password"} | params)
    with urllib.request.urlopen(f"{api_url}{function}/?{query}") as response:
        return json.load(response)


def enable_campaign(api_url: str, campaign: int) -> None:
    """The code under test: start a campaign now (enabled, no time group)."""
    enswitch(api_url, "bulk/campaigns/update", id=campaign, enabled=1, timegroup=0)


def statuses(api_url: str, campaign: int) -> dict[str, str]:
    """The code under test: each destination's status, as the campaign monitor shows it."""
    found = enswitch(api_url, "bulk/destinations/list", campaign=campaign)["data"]
    return {row["dnumber"]: row["status"] for row in found}


def test_enabled_campaign_dials_its_pending_numbers(mockswitch):
    mockswitch.set_outcomes(
        [{"dnumber": "2125550111", "outcome": "answer"}, {"dnumber": "*", "outcome": "busy"}]
    )

    enable_campaign(mockswitch.api_url, 123)  # its pending numbers: ...111 and ...112
    mockswitch.advance(5 * 60)

    dials = mockswitch.dials(campaign=123)
    assert [(d["dnumber"], d["outcome"], d["result"]) for d in dials] == [
        ("2125550111", "answer", "success"),
        ("2125550112", "busy", "retry"),  # campaign 123 retries after 600 s
    ]
    assert statuses(mockswitch.api_url, 123) == {
        "2125550111": "success",
        "2125550112": "pending",
        "2125550113": "success",
        "2125550114": "failed",
        "2125550115": "cancelled",
    }
