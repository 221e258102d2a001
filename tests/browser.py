"""Where the browser tests find their browser: Debian's chromium, which CI installs.

On a developer's machine without it, the browser tests are skipped with the command that
installs it, so `pip install -e '.[test]' && pytest` passes on a machine with nothing but
Python. CI sets MOCKSWITCH_REQUIRE_BROWSER=1 (.ci/run): there a missing browser fails them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REQUIRED = "MOCKSWITCH_REQUIRE_BROWSER"


def require_chromium() -> Path:
    """The browser's path; skips the test (or fails it, in CI) when it is not installed."""
    if CHROMIUM.exists():
        return CHROMIUM
    message = (
        f"{CHROMIUM} is missing: the dashboard tests need Debian's chromium. Install it with "
        "`bash .ci/install-browser` (apt-get install -y chromium), as CI does."
    )
    if os.environ.get(REQUIRED):
        pytest.fail(message)
    pytest.skip(message)


def launched_chromium() -> Iterator[Browser]:
    """A headless chromium for a module's browser fixture to yield from, closed after."""
    chromium = require_chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(chromium), headless=True, args=ARGS
        )
        try:
            yield launched
        finally:
            launched.close()
