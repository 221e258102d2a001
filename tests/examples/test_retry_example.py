"""docs/faults.md's retry example: make the switch fail twice, and check that your code retries.

`mockswitch.add_fault(...)` adds a rule to this test's own copy of the switch; it is gone
when the test ends. A rule matches calls (`match`), says what happens (`action`), and when
(`times`: the first N matching calls, then it expires).
"""

import json
import time
import urllib.request


def save_campaign(api_url: str, campaign: int, name: str, attempts: int = 5) -> dict:
    """The code under test: send an update, and try again while the switch answers 500."""
    query = f"auth_username=user;auth_password=password;id={campaign};name={name}"
    for attempt in range(1, attempts + 1):
        with urllib.request.urlopen(f"{api_url}bulk/campaigns/update/?{query}") as response:
            answer = json.load(response)
        if answer["responses"][0]["code"] != "500" or attempt == attempts:
            return answer
        time.sleep(0.01 * attempt)  # back off a little before the next try
    raise AssertionError("unreachable")


def test_save_retries_until_the_switch_recovers(mockswitch):
    # Fail the first two updates of campaign 123 with "500 Internal error", then succeed.
    mockswitch.add_fault(
        match={"function": "bulk/campaigns/update", "params": {"id": "123"}},
        action={"type": "envelope", "code": "500", "message": "Internal error"},
        times=2,
    )

    answer = save_campaign(mockswitch.api_url, campaign=123, name="spring")

    assert answer == {"responses": [{"code": "204", "key": "", "message": "OK"}]}
    calls = mockswitch.assert_called("bulk/campaigns/update", times=3, id=123, name="spring")
    assert [call["code"] for call in calls] == ["500", "500", "204"]
    [rule] = mockswitch.faults()["rules"]
    assert (rule["fired"], rule["expired"]) == (2, True)


def test_save_gives_up_when_the_switch_stays_down(mockswitch):
    mockswitch.add_fault(action={"type": "envelope", "code": "500"})  # every call, forever

    answer = save_campaign(mockswitch.api_url, campaign=123, name="spring", attempts=3)

    assert answer == {"responses": [{"code": "500", "key": "", "message": "Internal error"}]}
    mockswitch.assert_called("bulk/campaigns/update", times=3, id=123)
