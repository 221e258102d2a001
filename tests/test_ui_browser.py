"""The dashboard in a real browser: Debian's chromium, driven by Playwright.

Without /usr/bin/chromium these tests are skipped on a developer's machine and fail in CI
(see tests/browser.py), saying how to install it. Every page runs with the network cut off:
a request to anywhere but the mockswitch under test is aborted and fails the test.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from mockswitch.testing import MockswitchClient, ServerThread
from tests.browser import launched_chromium

WAIT_MS = 15000  # for anything the page shows: milliseconds, but a loaded CI box is slow
AUTH = {"auth_username": "user", "auth_password": "password"}


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    with ServerThread() as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from launched_chromium()


@dataclass
class Dashboard:
    """One test's page, on a tenant of its own, and what that tenant's API answers."""

    page: Page
    server: ServerThread
    tenant: str
    outside: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    @property
    def client(self) -> MockswitchClient:
        return self.server.client(self.tenant)

    @property
    def url(self) -> str:
        return f"{self.server.url}/t/{self.tenant}/_mock/ui"

    def open(self) -> Dashboard:
        self.page.goto(self.url)
        expect(self.page.locator("#connection")).to_have_attribute("data-state", "live")
        expect(self.page.locator(".customer").first).to_be_visible()
        return self

    def api(self, function: str, **params: Any) -> tuple[int, dict[str, Any]]:
        """Call the API from outside the page, as an application would."""
        query = urllib.parse.urlencode({**AUTH, **params})
        url = f"{self.server.url}/t/{self.tenant}/api/json/{function}/?{query}"
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def call_row(self, call_id: int):
        return self.page.locator(f'.call[data-id="{call_id}"]')

    def newest_id(self) -> int:
        return self.client.calls(order="desc", limit=1)[0]["id"]


@pytest.fixture
def dashboard(browser: Browser, server: ServerThread, request) -> Iterator[Dashboard]:
    tenant = re.sub(r"[^A-Za-z0-9_.-]", "-", request.node.name)[:64]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    board = Dashboard(page, server, tenant)

    def local_only(route: Route) -> None:
        url = route.request.url
        board.requests.append(url)
        if url.startswith(f"{server.url}/"):
            route.continue_()
        else:
            board.outside.append(url)
            route.abort()

    page.route("**/*", local_only)
    try:
        yield board
    finally:
        context.close()
        server.client(tenant).drop_tenant()
    assert board.outside == [], f"the page tried to reach outside mockswitch: {board.outside}"


def test_the_page_needs_nothing_but_mockswitch(dashboard: Dashboard):
    dashboard.open()
    expect(dashboard.page.locator(".preset").first).to_be_visible()
    paths = {url.removeprefix(dashboard.server.url).split("?")[0] for url in dashboard.requests}
    scope = f"/t/{dashboard.tenant}/_mock/"
    for path in ("ui", "ui/ui.js", "ui/ui.css", "ui/icon.svg", "calls", "events", "faults"):
        assert scope + path in paths, (path, paths)
    assert scope + "data/campaigns" in paths
    assert all(url.startswith(dashboard.server.url + "/") for url in dashboard.requests)
    assert dashboard.outside == []
    expect(dashboard.page.locator("#tenant-name")).to_have_text(dashboard.tenant)


def test_a_call_from_outside_appears_without_a_reload(dashboard: Dashboard):
    page = dashboard.open().page
    expect(page.locator("#calls-empty")).to_be_visible()
    page.evaluate("window.notReloaded = true")
    status, answer = dashboard.api("bulk/campaigns/get", id=123)
    assert (status, answer["responses"][0]["code"]) == (200, "200")
    first = dashboard.newest_id()
    expect(dashboard.call_row(first)).to_contain_text("bulk/campaigns/get")
    dashboard.api("bulk/campaigns/update", id=123, name="Live edit")
    second = dashboard.newest_id()
    expect(page.locator(".call").first).to_have_attribute("data-id", str(second))  # newest first
    expect(page.locator(".call")).to_have_count(2)
    expect(page.locator("#call-count")).to_have_text("2")
    # The campaign the call edited shows its new name, live too.
    expect(page.locator('[data-campaign="123"] .campaign-name')).to_have_text("Live edit")
    assert page.evaluate("window.notReloaded") is True
    # Expanded: the parameters and the response.
    dashboard.call_row(second).locator("summary").click()
    detail = dashboard.call_row(second).locator(".detail")
    expect(detail.get_by_role("row", name=re.compile(r"^name "))).to_contain_text("Live edit")
    expect(detail.locator(".body")).to_contain_text('"code": "204"')


def test_unknown_parameters_and_injected_faults_are_highlighted(dashboard: Dashboard):
    page = dashboard.open().page
    dashboard.api("bulk/campaigns/update", id=123, maximum=4, colour="blue")
    typo = dashboard.newest_id()
    dashboard.client.add_fault(action={"type": "envelope", "code": "500"}, times=1)
    assert dashboard.api("bulk/campaigns/get", id=123)[1]["responses"][0]["code"] == "500"
    faulted = dashboard.newest_id()
    dashboard.api("bulk/campaigns/get", id=123)
    plain = dashboard.newest_id()

    typo_row = dashboard.call_row(typo)
    expect(typo_row).to_have_class(re.compile(r"\bis-unknown\b"))
    expect(typo_row.locator(".badge.unknown")).to_have_text("Unknown: colour")
    typo_row.locator("summary").click()
    expect(typo_row.locator("tr.unknown-param")).to_have_count(1)
    expect(typo_row.locator("tr.unknown-param th")).to_contain_text("colour")

    fault_row = dashboard.call_row(faulted)
    expect(fault_row).to_have_class(re.compile(r"\bis-fault\b"))
    expect(fault_row.locator(".badge.fault")).to_have_text("Fault: Enswitch error 500")
    fault_row.locator("summary").click()
    expect(fault_row.locator(".fault-note")).to_contain_text("fault rule")

    plain_row = dashboard.call_row(plain)
    expect(plain_row).to_be_visible()
    expect(plain_row).not_to_have_class(re.compile(r"\bis-(fault|unknown|latency)\b"))
    expect(page.locator(".call.is-fault")).to_have_count(1)

    page.get_by_label("Filter calls").fill("unknown")  # what the badges say can be searched
    expect(page.locator(".call:visible")).to_have_count(1)
    expect(page.locator("#call-count")).to_have_text("1 of 3")


def test_stubbed_calls_are_marked_as_stubs(dashboard: Dashboard):
    page = dashboard.open().page
    stub = dashboard.client.add_stub(function="people/list", data=[{"id": 100}])
    assert dashboard.api("people/list")[1]["data"] == [{"id": 100}]
    stubbed = dashboard.newest_id()
    dashboard.api("bulk/campaigns/get", id=123)
    plain = dashboard.newest_id()

    row = dashboard.call_row(stubbed)
    expect(row).to_have_class(re.compile(r"\bis-stub\b"))
    expect(row.locator(".badge.stub")).to_have_text(f"Stub {stub['id']}")
    expect(dashboard.call_row(plain).locator(".badge.stub")).to_have_count(0)
    page.get_by_label("Filter calls").fill("stub")
    expect(page.locator(".call:visible")).to_have_count(1)


def test_faults_added_from_the_page_fail_the_next_call_and_can_be_removed(dashboard: Dashboard):
    page = dashboard.open().page
    page.get_by_role("button", name=re.compile("^Fail next call")).click()
    rule = page.locator(".rule", has_text="Fail next call")
    expect(rule).to_contain_text("active")
    [added] = dashboard.client.faults()["rules"]
    assert (added["action"]["type"], added["action"]["code"], added["times"]) == (
        "envelope",
        "500",
        1,
    )

    status, answer = dashboard.api("bulk/campaigns/get", id=123)
    assert status == 200  # an Enswitch error travels in the envelope
    assert answer["responses"][0] == {"code": "500", "key": "", "message": "Internal error"}
    expect(dashboard.call_row(dashboard.newest_id())).to_have_class(re.compile(r"\bis-fault\b"))
    expect(rule).to_contain_text("used up")
    assert dashboard.api("bulk/campaigns/get", id=123)[1]["responses"][0]["code"] == "200"

    page.get_by_role("button", name=re.compile("^Add latency")).click()
    slow = page.locator(".rule", has_text="500 ms latency")
    expect(slow).to_contain_text("active")
    started = time.monotonic()
    dashboard.api("bulk/campaigns/get", id=123)
    assert time.monotonic() - started >= 0.5
    expect(dashboard.call_row(dashboard.newest_id()).locator(".badge.latency")).to_have_text(
        "+500 ms"
    )
    slow_id = next(r["id"] for r in dashboard.client.faults()["rules"] if r["latency"])
    page.get_by_role("button", name=f"Remove fault rule {slow_id}: Add 500 ms latency").click()
    expect(slow).to_have_count(0)
    assert all(r["id"] != slow_id for r in dashboard.client.faults()["rules"])
    dashboard.api("bulk/campaigns/get", id=123)
    assert dashboard.client.calls(order="desc", limit=1)[0]["latency_ms"] == 0

    page.get_by_label("Applies to").select_option("bulk/campaigns/update")
    page.get_by_role("button", name=re.compile("^Reset connection")).click()
    expect(page.locator(".rule", has_text="Reset next connection")).to_contain_text(
        "bulk/campaigns/update"
    )
    assert dashboard.api("bulk/campaigns/get", id=123)[0] == 200  # another function: untouched
    with pytest.raises((ConnectionError, urllib.error.URLError)):
        dashboard.api("bulk/campaigns/update", id=123, name="Never")
    expect(dashboard.call_row(dashboard.newest_id()).locator(".badge.fault")).to_have_text(
        "Fault: Connection reset"
    )

    page.get_by_role("button", name="Remove all").click()
    expect(page.locator(".rule")).to_have_count(0)
    expect(page.locator("#faults-empty")).to_be_visible()
    assert dashboard.client.faults()["rules"] == []


def test_reset_restores_the_campaign_and_empties_the_journal(dashboard: Dashboard):
    page = dashboard.open().page
    name = page.locator('[data-campaign="123"] .campaign-name')
    expect(name).to_have_text("Spring promo")
    dashboard.api("bulk/campaigns/update", id=123, name="Renamed in the demo")
    expect(name).to_have_text("Renamed in the demo")
    expect(page.locator(".call")).to_have_count(1)

    page.get_by_role("button", name="Reset data and journal").click()
    expect(name).to_have_text("Spring promo")
    expect(page.locator(".call")).to_have_count(0)
    expect(page.locator("#calls-empty")).to_be_visible()
    expect(page.locator("#call-count")).to_have_text("0")
    assert dashboard.client.count() == 0
    # Still live after the reset.
    dashboard.api("bulk/campaigns/get", id=124)
    expect(page.locator(".call")).to_have_count(1)


def test_a_reset_from_outside_empties_the_page_too(dashboard: Dashboard):
    page = dashboard.open().page
    dashboard.api("bulk/campaigns/update", id=123, name="Changed elsewhere")
    expect(page.locator(".call")).to_have_count(1)
    dashboard.client.reset()
    expect(page.locator(".call")).to_have_count(0)
    expect(page.locator('[data-campaign="123"] .campaign-name')).to_have_text("Spring promo")


# Every text on the page against its background, by the WCAG formula.
CONTRAST = """() => {
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const channel = (value) => {
    const v = value / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const lum = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = parse(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const bad = [];
  for (const el of document.querySelectorAll("body *")) {
    const own = [...el.childNodes].filter((n) => n.nodeType === 3);
    const text = own.map((n) => n.data).join("").trim();
    const shown = el.checkVisibility({ opacityProperty: true, visibilityProperty: true });
    if (!text || !shown) continue;
    const style = getComputedStyle(el);
    const [a, b] = [lum(parse(style.color).slice(0, 3)), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) bad.push(`${text.slice(0, 30)}: ${ratio.toFixed(2)}`);
  }
  return bad;
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_page_is_accessible(dashboard: Dashboard, scheme: str):
    page = dashboard.page
    page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
    dashboard.client.add_fault(name="Slow", latency={"fixed_ms": 1})
    dashboard.open()
    # The keyboard reaches the controls: Tab from the top lands on the skip link first.
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    dashboard.api("bulk/campaigns/update", id=123, colour="red")
    dashboard.client.add_fault(action={"type": "envelope", "code": "402"}, times=1)
    dashboard.api("bulk/campaigns/get", id=123)
    expect(page.locator(".call")).to_have_count(2)
    page.locator(".call summary").first.click()
    expect(page.locator(".rule")).to_have_count(2)
    assert page.evaluate(CONTRAST) == []
    assert page.evaluate("document.documentElement.lang") == "en"
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll("button, select, input")]
            .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label")
                            && !el.textContent.trim())
            .map((el) => el.outerHTML)"""
    )
    assert unnamed == []
    expect(page.get_by_label("Filter calls")).to_be_visible()
    expect(page.get_by_label("Applies to")).to_be_visible()


TIMES = "\u00d7"  # the multiplication sign of the buttons' "▶ 60x"


def _count(page: Page, campaign: int, status: str):
    return page.locator(
        f'[data-campaign="{campaign}"] .progress-count[data-status="{status}"] strong'
    )


def test_campaign_progress_and_the_clock_buttons(dashboard: Dashboard):
    page = dashboard.open().page
    client = dashboard.client
    start = client.clock()
    expect(page.locator("#clock-mode")).to_have_text("paused (virtual)")
    expect(page.locator("#clock-now")).to_have_attribute("datetime", start["now"])
    # Campaign 123 as seeded: 2 pending, 1 success, 1 failed (and 1 cancelled).
    for status, count in (
        ("pending", "2"),
        ("success", "1"),
        ("failed", "1"),
        ("in_progress", "0"),
    ):
        expect(_count(page, 123, status)).to_have_text(count)

    client.set_outcomes([{"dnumber": "*", "outcome": "key"}])
    dashboard.api("bulk/campaigns/update", id=123, enabled=1, timegroup=0, attempts=1)
    page.get_by_role("button", name="+1 min").click()  # both answer and press a key
    expect(_count(page, 123, "success")).to_have_text("3")
    expect(_count(page, 123, "pending")).to_have_text("0")
    moved = client.clock()
    assert moved["mode"] == "virtual"
    expect(page.locator("#clock-now")).to_have_attribute("datetime", moved["now"])
    assert len(client.dials(campaign=123)) == 2

    # Play at 60x: the page follows the dialler without a call or a reload.
    client.set_outcomes([{"dnumber": "*", "outcome": "noanswer"}])
    numbers = ",".join(f"21255590{n:02d}" for n in range(40))
    dashboard.api("bulk/destinations/create", campaign=123, dnumbers=numbers)
    expect(_count(page, 123, "pending")).to_have_text("40")
    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name=f"▶ 60{TIMES}").click()
    expect(page.locator("#clock-mode")).to_have_text(f"running 60{TIMES}")
    assert (client.clock()["mode"], client.clock()["speed"]) == ("real", 60.0)
    expect(page.get_by_role("button", name=f"▶ 60{TIMES}")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(_count(page, 123, "in_progress")).to_have_text("5", timeout=15000)  # maximum 5
    # 30 s calls, 0.5 s at 60x: the numbers fail (attempts=1) as the page watches.
    expect(_count(page, 123, "failed")).not_to_have_text("1", timeout=15000)
    page.get_by_role("button", name="Pause").click()
    expect(page.locator("#clock-mode")).to_have_text("paused (virtual)")
    assert client.clock()["mode"] == "virtual"
    page.get_by_role("button", name=f"▶ 10{TIMES}").click()
    expect(page.locator("#clock-mode")).to_have_text(f"running 10{TIMES}")
    page.get_by_role("button", name=f"▶ 1{TIMES}").click()
    expect(page.locator("#clock-mode")).to_have_text(f"running 1{TIMES}")
    page.get_by_role("button", name="+1 min").click()  # stops the clock, then steps
    expect(page.locator("#clock-mode")).to_have_text("paused (virtual)")
    assert page.evaluate("window.notReloaded") is True
