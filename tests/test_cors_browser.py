"""CORS with credentials in a real browser: a page on a Vite dev server's origin sends
`fetch(..., {credentials: "include"})` to mockswitch, and reads the answer only when
`cors_credentials` is on.

The page's origin, http://localhost:5173, is served by Playwright's router (no socket, so no
fixed port); its calls go to a real mockswitch on a free port of 127.0.0.1. Without
/usr/bin/chromium these tests are skipped on a developer's machine and fail in CI.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser

from mockswitch.testing import ServerThread
from tests.browser import launched_chromium

DEV_SERVER = "http://localhost:5173"
WAIT_MS = 10000
# With a custom header the call is not simple: the browser sends a preflight first.
FETCH = """async ([url, headers]) => {
  try {
    const response = await fetch(url, {credentials: "include", headers});
    return {
      status: response.status,
      body: await response.json(),
      call: response.headers.get("X-Mockswitch-Call"),
    };
  } catch (error) {
    return {error: String(error)};
  }
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from launched_chromium()


def fetch_from_dev_server(browser: Browser, server: ServerThread, headers: dict) -> Any:
    """What a credentialed fetch from the dev server's page to mockswitch gets."""
    # A page Playwright serves counts as public; a real dev server on localhost would be in
    # the loopback address space, which Chrome lets call 127.0.0.1: grant that.
    context = browser.new_context(permissions=["local-network-access"])
    # A cookie for mockswitch's host: credentials: "include" sends it along.
    context.add_cookies([{"name": "session", "value": "abc", "url": server.url}])
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.route(
        f"{DEV_SERVER}/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body="<p>app"),
    )
    try:
        page.goto(f"{DEV_SERVER}/")
        # While routing is on, Playwright answers preflights itself: turn it off, so that
        # the calls to mockswitch, preflights included, go over the network untouched.
        page.unroute_all()
        query = "auth_username=user&auth_password=password&id=123"
        url = f"{server.url}/api/json/bulk/campaigns/get/?{query}"
        return page.evaluate(FETCH, [url, headers])
    finally:
        context.close()


PREFLIGHTED = {"X-Trace": "1"}


@pytest.mark.parametrize("headers", [PREFLIGHTED, {}], ids=["preflighted", "simple"])
def test_a_credentialed_fetch_reads_the_answer_with_cors_credentials(browser: Browser, headers):
    with ServerThread(cors_credentials=True) as server:
        result = fetch_from_dev_server(browser, server, headers)
        [recorded] = server.client().calls()
    assert result["status"] == 200
    assert result["body"]["responses"] == [{"code": "200", "key": "", "message": "OK"}]
    assert result["body"]["data"]["id"] == 123
    assert result["call"] == str(recorded["id"])  # the exposed header is readable too
    assert recorded["function"] == "bulk/campaigns/get"


def test_without_cors_credentials_the_preflight_stops_the_call(browser: Browser):
    with ServerThread() as server:
        result = fetch_from_dev_server(browser, server, PREFLIGHTED)
        # The preflight's answer lacks Access-Control-Allow-Credentials: the browser stops
        # there, and the call itself never reaches mockswitch.
        assert server.client().calls() == []
    assert result == {"error": "TypeError: Failed to fetch"}


def test_without_cors_credentials_a_simple_call_is_hidden_from_the_page(browser: Browser):
    with ServerThread() as server:
        result = fetch_from_dev_server(browser, server, {})
        # No preflight: mockswitch answers (the call is journaled), the browser hides it.
        assert [c["function"] for c in server.client().calls()] == ["bulk/campaigns/get"]
    assert result == {"error": "TypeError: Failed to fetch"}
