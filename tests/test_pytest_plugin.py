"""The pytest plugin, used from test files written as a user would write them (pytester)."""

from __future__ import annotations

import pytest

from mockswitch.testing import ServerThread

pytest_plugins = ["pytester"]

# Plugins the user's tests do not need: each costs startup time in every subprocess.
QUIET_RUN = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:benchmark")

USER_TESTS = """
import json
import threading
import urllib.request

import pytest

UPDATE = "bulk/campaigns/update/?auth_username=user;auth_password=password;id=123;maximum={}"


def save(api_url, maximum):
    with urllib.request.urlopen(api_url + UPDATE.format(maximum)) as response:
        return json.load(response)


def test_save_sends_one_update(mockswitch):
    assert save(mockswitch.api_url, 4) == {
        "responses": [{"code": "204", "key": "", "message": "OK"}]
    }
    mockswitch.assert_called("bulk/campaigns/update", times=1, id=123, maximum=4)


def test_a_wrong_expectation_shows_the_near_misses(mockswitch):
    save(mockswitch.api_url, 5)
    mockswitch.assert_called("bulk/campaigns/update", times=1, id=123, maximum=4)


@pytest.mark.asyncio
async def test_the_async_fixture_waits_for_a_call(async_mockswitch, mockswitch_url):
    assert async_mockswitch.url == mockswitch_url
    threading.Thread(target=save, args=(async_mockswitch.api_url, 6)).start()
    [call] = await async_mockswitch.wait_for("bulk/campaigns/update", timeout=10)
    assert call["params"]["maximum"] == "6"
    await async_mockswitch.assert_called("bulk/campaigns/update", times=1, maximum=6)
"""


def test_a_users_tests_use_the_fixtures(pytester: pytest.Pytester, monkeypatch):
    monkeypatch.delenv("MOCKSWITCH_URL", raising=False)
    pytester.makepyfile(test_app=USER_TESTS)
    result = pytester.runpytest_subprocess(*QUIET_RUN, timeout=60)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*FAILED test_app.py::test_a_wrong_expectation_shows_the_near_misses*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "E *CallAssertionError: expected bulk/campaigns/update(id='123', maximum='4') "
            "to be called 1 time, but it was called 0 times.",
            "E *Near misses (bulk/campaigns/update with other parameters):",
            "E *  #* 204 id='123' maximum='5'",
            "E *      differs: maximum: '5' != '4'",
        ]
    )


USER_TESTS_AGAINST_A_CONTAINER = """
import json
import os
import urllib.request

GET = "bulk/campaigns/get/?auth_username=user;auth_password=password;id=123"
UPDATE = "bulk/campaigns/update/?auth_username=user;auth_password=password;id=123;maximum=9"


def fetch(url):
    with urllib.request.urlopen(url) as response:
        return json.load(response)


def test_the_fixtures_target_the_running_server(mockswitch, mockswitch_url):
    assert mockswitch_url == os.environ["MOCKSWITCH_URL"].rstrip("/")
    assert mockswitch.url == mockswitch_url
    assert mockswitch.health()["api_version"] == "3.13"  # that server's, not a new one's
    fetch(mockswitch.api_url + UPDATE)
    assert fetch(mockswitch.api_url + GET)["data"]["maximum"] == 9
    mockswitch.assert_called("bulk/campaigns/update", times=1, id=123, maximum=9)


def test_the_next_test_starts_from_the_seed_with_an_empty_journal(mockswitch):
    assert mockswitch.calls() == []
    assert fetch(mockswitch.api_url + GET)["data"]["maximum"] == 5
    mockswitch.assert_called("bulk/campaigns/get", times=1, id=123)
"""


def test_mockswitch_url_points_the_fixtures_at_a_running_server(
    pytester: pytest.Pytester, monkeypatch
):
    with ServerThread(api_version="3.13") as server:
        monkeypatch.setenv("MOCKSWITCH_URL", server.url + "/")
        pytester.makepyfile(test_app=USER_TESTS_AGAINST_A_CONTAINER)
        result = pytester.runpytest_subprocess(*QUIET_RUN, timeout=60)
    result.assert_outcomes(passed=2)
