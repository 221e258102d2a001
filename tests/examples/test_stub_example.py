"""docs/real-switch.md's stub example: a function mockswitch does not simulate, answered by a stub.

`mockswitch.add_stub(...)` declares it for this test's own tenant; it is gone when the test
ends. The stub is served like any function: authentication, the journal, fault rules.
"""

import json
import urllib.request


def owner_choices(api_url: str) -> list[str]:
    """The code under test: the campaign editor's owner picker loads the people."""
    query = "auth_username=user;auth_password=password"
    with urllib.request.urlopen(f"{api_url}people/list/?{query}") as response:
        answer = json.load(response)
    return [person["username"] for person in answer.get("data", [])]


def test_the_owner_picker_lists_the_people(mockswitch):
    mockswitch.add_stub(
        function="people/list",
        data=[{"id": 100, "username": "user"}, {"id": 101, "username": "admin"}],
    )

    assert owner_choices(mockswitch.api_url) == ["user", "admin"]
    [call] = mockswitch.calls("people/list")
    assert (call["stub"], call["code"], call["username"]) == (1, "200", "user")


def test_the_owner_picker_survives_a_failing_switch(mockswitch):
    mockswitch.add_stub(function="people/list", data=[{"id": 100, "username": "user"}])
    mockswitch.add_fault(
        match={"function": "people/list"}, action={"type": "envelope", "code": "500"}
    )

    assert owner_choices(mockswitch.api_url) == []
