"""`ServerThread`: a real mockswitch on a free port of 127.0.0.1, served from a thread."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from .client import MockswitchClient


class ServerThread:
    """A real mockswitch on a free port of 127.0.0.1, served from a background thread.

    Use it where the code under test is synchronous, or needs a URL rather than an app.
    """

    def __init__(self, **settings: Any) -> None:
        from mockswitch.config import Settings  # on use: importing the clients stays light

        settings.setdefault("db", ":memory:")
        settings.setdefault("port", 0)
        settings.setdefault("quiet", True)
        self.settings = Settings(**settings)
        self.url = ""
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def start(self, timeout: float = 30.0) -> ServerThread:
        self._thread = threading.Thread(target=self._run, name="mockswitch", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError(f"mockswitch did not start within {timeout}s")
        if self._error is not None:
            raise RuntimeError("mockswitch failed to start") from self._error
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the server; stopping one that was stopped, or never started, does nothing."""
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def client(self, tenant: str | None = None) -> MockswitchClient:
        return MockswitchClient(self.url, tenant, token=self.settings.admin_token or None)

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._serve())
        finally:
            self._loop.close()

    async def _serve(self) -> None:
        from mockswitch.web.runner import bind, serving

        self._stop = asyncio.Event()
        try:
            async with serving(self.settings, bind(self.settings.host, self.settings.port)) as url:
                self.url = url
                self._ready.set()
                await self._stop.wait()
        except BaseException as error:
            if self._ready.is_set():
                raise
            self._error = error
            self._ready.set()
