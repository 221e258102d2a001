"""The pytest plugin, used from test files written as a user would write them (pytester)."""

from __future__ import annotations

import json
import socket
import threading
import urllib.request

import pytest

from mockswitch.testing import ServerThread
from tests.process import free_port

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
    result = pytester.runpytest_subprocess(*QUIET_RUN, timeout=300)
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


def run_against_a_server(pytester, monkeypatch, url_suffix, user_tests):
    """Runs a user's test file with MOCKSWITCH_URL set to a running server's URL + url_suffix."""
    with ServerThread(api_version="3.13") as server:
        monkeypatch.setenv("MOCKSWITCH_URL", server.url + url_suffix)
        pytester.makepyfile(test_app=user_tests)
        return pytester.runpytest_subprocess(*QUIET_RUN, timeout=300)


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
    result = run_against_a_server(pytester, monkeypatch, "/", USER_TESTS_AGAINST_A_CONTAINER)
    result.assert_outcomes(passed=2)


# -- the URL to give the code under test -----------------------------------------------------

USER_TESTS_WITH_THE_ROOT_URL = """
import urllib.request

QUERY = "?auth_username=user;auth_password=password;id=123;maximum=4"


def test_the_api_url_fixture_is_this_tests_tenant(mockswitch, mockswitch_api_url, mockswitch_url):
    assert mockswitch_api_url == mockswitch.api_url
    assert mockswitch_api_url == f"{mockswitch_url}/t/{mockswitch.tenant}/api/json/"


def test_calls_sent_to_the_root_url(mockswitch, mockswitch_url):
    # The mistake: the server's root is not this test's tenant.
    urllib.request.urlopen(mockswitch_url + "/api/json/bulk/campaigns/update/" + QUERY).read()
    mockswitch.assert_called("bulk/campaigns/update", times=1, id=123, maximum=4)


def test_waiting_for_calls_sent_to_the_root_url(mockswitch, mockswitch_url):
    urllib.request.urlopen(mockswitch_url + "/api/json/bulk/campaigns/update/" + QUERY).read()
    mockswitch.wait_for("bulk/campaigns/update", timeout=0.1)
"""


def test_calls_to_the_default_tenant_are_named_in_the_failure(
    pytester: pytest.Pytester, monkeypatch
):
    monkeypatch.delenv("MOCKSWITCH_URL", raising=False)
    pytester.makepyfile(test_app=USER_TESTS_WITH_THE_ROOT_URL)
    result = pytester.runpytest_subprocess(*QUIET_RUN, timeout=300)
    result.assert_outcomes(passed=1, failed=2)
    assert "The journal is empty: no call reached mockswitch" not in result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "E *CallAssertionError: expected bulk/campaigns/update(id='123', maximum='4') "
            "to be called 1 time, but it was called 0 times.",
            "E *No call reached this test's tenant '*', but the server's default tenant "
            "got 1 call of bulk/campaigns/update; the latest:",
            "E *  #* bulk/campaigns/update 204 id='123' maximum='4'",
            "E *The code under test was probably given the server's root URL (mockswitch_url). "
            "Give it this test's API URL instead: mockswitch_api_url (mockswitch.api_url), "
            "http://127.0.0.1:*/t/*/api/json/",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "E *CallAssertionError: waited 0.1s for 1 call matching "
            "function='bulk/campaigns/update', but none arrived.",
            "E *No call reached this test's tenant '*', but the server's default tenant got "
            "2 calls of bulk/campaigns/update; the latest:",
        ]
    )


# -- MOCKSWITCH_URL as users write it --------------------------------------------------------

USER_TESTS_AGAINST_AN_API_URL = """
import json
import os
import urllib.request

GET = "bulk/campaigns/get/?auth_username=user;auth_password=password;id=123"


def test_the_api_suffix_is_dropped(mockswitch, mockswitch_url, mockswitch_api_url):
    assert os.environ["MOCKSWITCH_URL"].endswith("/api/json/")
    assert mockswitch_url + "/api/json/" == os.environ["MOCKSWITCH_URL"]
    assert mockswitch.health()["api_version"] == "3.13"
    with urllib.request.urlopen(mockswitch_api_url + GET) as response:
        assert json.load(response)["data"]["id"] == 123
    mockswitch.assert_called("bulk/campaigns/get", times=1, id=123)
"""


def test_a_url_ending_in_the_api_path_is_taken_as_the_server(
    pytester: pytest.Pytester, monkeypatch
):
    result = run_against_a_server(
        pytester, monkeypatch, "/api/json/", USER_TESTS_AGAINST_AN_API_URL
    )
    result.assert_outcomes(passed=1)  # and no teardown error: the tenant was dropped


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "http://127.0.0.1:9/t/mine/api/json/",
            "names a tenant or the control API, not the server: set it to the server's root "
            "URL, such as http://127.0.0.1:9 (each test gets its own tenant)",
        ),
        (
            "http://127.0.0.1:9/_mock",
            "names a tenant or the control API, not the server: set it to the server's root "
            "URL, such as http://127.0.0.1:9 (each test gets its own tenant)",
        ),
        ("127.0.0.1:9", "set it to the server's root URL, such as http://127.0.0.1:8080"),
    ],
)
def test_a_url_that_cannot_work_stops_the_run_saying_what_to_set(
    pytester: pytest.Pytester, monkeypatch, url, message
):
    monkeypatch.setenv("MOCKSWITCH_URL", url)
    pytester.makepyfile(test_app="def test_nothing(mockswitch):\n    pass\n")
    result = pytester.runpytest_subprocess(*QUIET_RUN, timeout=300)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.stderr.str().strip() == f"ERROR: MOCKSWITCH_URL={url}: {message}"


# -- a server that cannot serve the session: one line, once --------------------------------

START_IT = (
    "start it first (mockswitch serve, or the CI service container, up once its healthcheck "
    "passes), or unset MOCKSWITCH_URL to run one inside the test session"
)


def assert_stopped_in_one_line(result: pytest.RunResult, line: str) -> None:
    """The run stopped before any test, saying `line` and nothing more: no test ran, no
    traceback, however many tests there were."""
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.stderr.str().strip() == f"ERROR: {line}"
    out = result.stdout.str()
    assert "Traceback" not in out, out
    assert "passed" not in out, out
    assert "failed" not in out, out
    assert len(out.splitlines()) <= 3, out  # xdist's "bringing up nodes...", if anything


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["no xdist", "xdist"])
def test_a_closed_port_stops_the_session_once_naming_the_variable(
    pytester: pytest.Pytester, monkeypatch, workers
):
    port = free_port()  # nothing listens there once free_port has closed its socket
    monkeypatch.setenv("MOCKSWITCH_URL", f"http://127.0.0.1:{port}")
    monkeypatch.delenv("MOCKSWITCH_ADMIN_TOKEN", raising=False)
    pytester.makepyfile(test_app=USER_TESTS)

    result = pytester.runpytest_subprocess(*QUIET_RUN, *workers, timeout=300)

    assert_stopped_in_one_line(
        result,
        f"MOCKSWITCH_URL=http://127.0.0.1:{port}: no mockswitch answers there (Connection "
        f"refused): {START_IT}",
    )


@pytest.mark.parametrize(
    ("token", "line"),
    [
        (
            None,
            "the server wants its admin token for changes, and MOCKSWITCH_ADMIN_TOKEN is not "
            "set: set it to the token the server was started with",
        ),
        (
            "not-the-token",
            "MOCKSWITCH_ADMIN_TOKEN is not the server's admin token: set it to the token the "
            "server was started with (its --admin-token or MOCKSWITCH_ADMIN_TOKEN)",
        ),
    ],
    ids=["no token", "wrong token"],
)
def test_a_token_the_server_does_not_take_stops_the_session_once(
    pytester: pytest.Pytester, monkeypatch, token, line
):
    with ServerThread(admin_token="s3cret-Token") as server:
        monkeypatch.setenv("MOCKSWITCH_URL", server.url)
        if token is None:
            monkeypatch.delenv("MOCKSWITCH_ADMIN_TOKEN", raising=False)
        else:
            monkeypatch.setenv("MOCKSWITCH_ADMIN_TOKEN", token)
        pytester.makepyfile(test_app=USER_TESTS)
        result = pytester.runpytest_subprocess(*QUIET_RUN, "-n", "2", timeout=300)
        with urllib.request.urlopen(f"{server.url}/_mock/tenants") as answer:
            assert json.load(answer)["tenants"].keys() == {"default"}  # the probe made none

    assert_stopped_in_one_line(result, f"MOCKSWITCH_URL={server.url}: {line}")


def test_a_server_that_is_not_mockswitch_is_named_as_such(pytester: pytest.Pytester, monkeypatch):
    with socket.socket() as listening:  # answers every request with a 404, as a web server
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        url = f"http://127.0.0.1:{listening.getsockname()[1]}"
        threading.Thread(target=answer_404s, args=(listening,), daemon=True).start()
        monkeypatch.setenv("MOCKSWITCH_URL", url)
        pytester.makepyfile(test_app=USER_TESTS)
        result = pytester.runpytest_subprocess(*QUIET_RUN, timeout=300)

    assert_stopped_in_one_line(
        result,
        f"MOCKSWITCH_URL={url}: something answers there, but not as mockswitch does (HTTP 404 "
        f"to {url}/_mock/health): set MOCKSWITCH_URL to the root URL of a mockswitch server",
    )


def answer_404s(listening: socket.socket) -> None:
    while True:
        try:
            connection, _ = listening.accept()
        except OSError:  # the test closed the socket
            return
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")


def test_collecting_only_asks_nothing_of_the_server(pytester: pytest.Pytester, monkeypatch):
    monkeypatch.setenv("MOCKSWITCH_URL", f"http://127.0.0.1:{free_port()}")
    pytester.makepyfile(test_app=USER_TESTS)

    result = pytester.runpytest_subprocess(*QUIET_RUN, "--collect-only", timeout=300)

    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*3 tests collected*"])


# -- isolation none under xdist --------------------------------------------------------------


def test_isolation_none_with_several_workers_is_refused(pytester: pytest.Pytester):
    pytester.makepyfile(test_app="def test_nothing(mockswitch):\n    pass\n")
    result = pytester.runpytest_subprocess(
        *QUIET_RUN, "-n", "3", "--mockswitch-isolation", "none", timeout=300
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.stderr.str().strip() == (
        "ERROR: --mockswitch-isolation none shares the default tenant, so only one test may "
        "run at a time, but xdist starts 3 workers: use --mockswitch-isolation worker (a tenant "
        "per worker) or test (the default), or run with -n 0"
    )


def test_isolation_none_is_refused_from_the_ini_setting_too(pytester: pytest.Pytester):
    pytester.makeini("[pytest]\nmockswitch_isolation = none\n")
    pytester.makepyfile(test_app="def test_nothing(mockswitch):\n    pass\n")
    result = pytester.runpytest_subprocess(*QUIET_RUN, "-n", "2", timeout=300)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.stderr.str().strip() == (
        "ERROR: --mockswitch-isolation none shares the default tenant, so only one test may "
        "run at a time, but xdist starts 2 workers: use --mockswitch-isolation worker (a tenant "
        "per worker) or test (the default), or run with -n 0"
    )


def test_isolation_none_with_one_worker_runs(pytester: pytest.Pytester, monkeypatch):
    monkeypatch.delenv("MOCKSWITCH_URL", raising=False)
    pytester.makepyfile(test_app=USER_TESTS)
    result = pytester.runpytest_subprocess(
        *QUIET_RUN, "-n", "1", "--mockswitch-isolation", "none", timeout=300
    )
    result.assert_outcomes(passed=2, failed=1)


# -- async tests -----------------------------------------------------------------------------

LOOP_SCOPE_WARNING = 'The configuration option "asyncio_default_fixture_loop_scope" is unset'
ASYNC_USER_TESTS = """
import threading
import urllib.request

import pytest

UPDATE = "bulk/campaigns/update/?auth_username=user;auth_password=password;id=123;maximum=7"


def send(api_url):
    urllib.request.urlopen(api_url + UPDATE).read()


@pytest.fixture
def anyio_backend():
    return "asyncio"  # the client is aiohttp: asyncio only, not trio


@pytest.mark.asyncio
async def test_under_pytest_asyncio_strict(async_mockswitch):
    threading.Thread(target=send, args=(async_mockswitch.api_url,)).start()
    [call] = await async_mockswitch.wait_for("bulk/campaigns/update", timeout=10)
    assert call["params"]["maximum"] == "7"


@pytest.mark.anyio
async def test_under_anyio(async_mockswitch):
    send(async_mockswitch.api_url)
    await async_mockswitch.assert_called("bulk/campaigns/update", times=1, maximum=7)
"""


def test_async_fixture_under_pytest_asyncio_and_anyio_without_the_loop_scope_warning(
    pytester: pytest.Pytester, monkeypatch
):
    monkeypatch.delenv("MOCKSWITCH_URL", raising=False)
    # Python's own filter: shows the start-up warnings that pytest 8 showed every user.
    monkeypatch.setenv("PYTHONWARNINGS", "default")
    pytester.makepyfile(test_app=ASYNC_USER_TESTS)
    result = pytester.runpytest_subprocess(*QUIET_RUN, timeout=300)
    result.assert_outcomes(passed=2)
    assert LOOP_SCOPE_WARNING not in result.stdout.str() + result.stderr.str()


def test_without_mockswitch_pytest_asyncio_would_warn(pytester: pytest.Pytester, monkeypatch):
    # What the test above guards against, so that it can fail.
    monkeypatch.setenv("PYTHONWARNINGS", "default")
    pytester.makepyfile(test_plain="def test_nothing():\n    pass\n")
    result = pytester.runpytest_subprocess(*QUIET_RUN, "-p", "no:mockswitch", timeout=300)
    result.assert_outcomes(passed=1)
    assert LOOP_SCOPE_WARNING in result.stdout.str() + result.stderr.str()
