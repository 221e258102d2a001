"""The README's example: call the mock as your code would, then assert on the journal.

Installing mockswitch gives every test the `mockswitch` fixture: a mock switch started once
per session, and a fresh copy of its data and journal for each test.
"""

import json
import urllib.request


def save_campaign(api_url: str, campaign: int, maximum: int) -> dict:
    """The code under test: what the Save button of your app sends to the switch."""
    query = f"auth_username=user;auth_password=password;id={campaign};maximum={maximum}"
    with urllib.request.urlopen(f"{api_url}bulk/campaigns/update/?{query}") as response:
        return json.load(response)


def test_save_sends_exactly_one_update(mockswitch, mockswitch_api_url):
    # mockswitch_api_url is this test's own switch: http://127.0.0.1:PORT/t/<test>/api/json/
    answer = save_campaign(mockswitch_api_url, campaign=123, maximum=4)

    assert answer == {"responses": [{"code": "204", "key": "", "message": "OK"}]}
    # Exactly one update of campaign 123 with maximum=4; if not, the failure lists the
    # calls that came closest and how each differs.
    mockswitch.assert_called("bulk/campaigns/update", times=1, id=123, maximum=4)

    [call] = mockswitch.calls("bulk/campaigns/update")
    assert call["username"] == "user"
    assert call["params"]["auth_password"] == "********"  # never stored in clear
    assert call["unknown"] == []  # a misspelt parameter would be listed here
