"""Take docs/dashboard.md's screenshots of the dashboard: `python docs/screenshots/take.py`.

Starts mockswitch on a free port of 127.0.0.1, makes a few calls (a campaign edited, an
unknown parameter, an injected fault, injected latency), and saves PNGs beside this file:

    dashboard.png      the whole page, wide, one call expanded
    call-detail.png    one call expanded: its parameters (the unknown one marked) and response
    dashboard-dark.png the same in the browser's dark colour scheme
    mobile.png         the page on a phone-sized screen

Needs Debian's chromium (`.ci/install-browser`) and `pip install playwright`; nothing is
fetched from the network.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

from mockswitch.testing import ServerThread

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AUTH = "auth_username={user};auth_password=password"


def api(url: str, function: str, user: str = "user", **params: object) -> int:
    query = ";".join([AUTH.format(user=user), *(f"{k}={v}" for k, v in params.items())])
    try:
        with urllib.request.urlopen(f"{url}/api/json/{function}/?{query}", timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code
    except (ConnectionError, urllib.error.URLError):
        return 0  # a reset connection, as the fault meant


def demo_calls(server: ServerThread) -> None:
    """A short, plausible session: reads, edits, a typo, a fault and some latency."""
    url, client = server.url, server.client()
    api(url, "bulk/campaigns/list")
    api(url, "bulk/campaigns/get", id=123)
    api(url, "bulk/campaigns/update", id=123, name="Summer%20promo", enabled=1)
    api(url, "bulk/campaigns/update", id=124, maximum=12, colour="blue")  # a typo'd field
    client.add_fault(
        name="Fail next update",
        match={"function": "bulk/campaigns/update"},
        action={"type": "envelope", "code": "500"},
        times=1,
    )
    api(url, "bulk/campaigns/update", id=200, name="Globex%20renewals%202027", user="globex")
    api(url, "bulk/destinations/list", campaign=123)
    client.add_fault(name="Slow network", latency={"fixed_ms": 350})
    api(url, "bulk/campaigns/get", id=123)
    api(url, "bulk/campaigns/list", user="globex")
    client.add_fault(
        name="Reset next delete",
        match={"function": "bulk/campaigns/delete"},
        action={"type": "reset"},
        times=1,
    )


def main() -> int:
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: run .ci/install-browser", file=sys.stderr)
        return 1
    with ServerThread() as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.route(
                "**/*",
                lambda route: (
                    route.continue_() if route.request.url.startswith(server.url) else route.abort()
                ),
            )
            page.emulate_media(reduced_motion="reduce", color_scheme="light")
            page.goto(f"{server.url}/_mock/ui")
            page.get_by_text("Live", exact=True).wait_for()
            demo_calls(server)
            page.locator(".call").nth(7).wait_for()
            page.locator(".rule").nth(2).wait_for()
            page.wait_for_timeout(400)  # the campaigns panel reads again after the calls
            unknown = page.locator(".call.is-unknown summary").first
            unknown.click()
            page.mouse.move(0, 0)
            page.screenshot(path=HERE / "dashboard.png", full_page=True)
            page.locator(".call.is-unknown").first.screenshot(path=HERE / "call-detail.png")
            page.emulate_media(reduced_motion="reduce", color_scheme="dark")
            page.screenshot(path=HERE / "dashboard-dark.png")
            phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
            phone.emulate_media(reduced_motion="reduce", color_scheme="light")
            phone.goto(f"{server.url}/_mock/ui")
            phone.locator(".call").nth(7).wait_for()
            phone.screenshot(path=HERE / "mobile.png")
        finally:
            browser.close()
    for name in ("dashboard.png", "call-detail.png", "dashboard-dark.png", "mobile.png"):
        print(HERE / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
