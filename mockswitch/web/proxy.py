"""The HTTP side of `--proxy-to`: aiohttp's client, with a bound on the calls in flight, a
time-out, and a bound on the answer's size (see `mockswitch.switch.proxy` for everything else).

An answer is read whole before it is passed on (the journal needs its code, and a fault rule
may change it), up to `proxy_max_response_bytes`; beyond that it is the failure envelope."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit

import aiohttp
from yarl import URL

from mockswitch.config import Settings
from mockswitch.switch.calllog import shortened
from mockswitch.switch.proxy import Forwarded, UpstreamError, api_url

log = logging.getLogger("mockswitch.proxy")


class AiohttpForwarder:
    """Forwards calls to one switch; at most `proxy_max_concurrency` at once (the others wait
    their turn, inside their time-out)."""

    def __init__(self, settings: Settings) -> None:
        self.upstream = settings.proxy_to
        self._timeout = settings.proxy_timeout
        self._max_bytes = settings.proxy_max_response_bytes
        self._limit = settings.proxy_max_concurrency
        self._slots = asyncio.Semaphore(self._limit)
        self._session: aiohttp.ClientSession | None = None

    async def forward(
        self, method: str, function: str, query: bytes, body: bytes, content_type: str
    ) -> Forwarded:
        url = api_url(self.upstream, function)
        if query:
            url += "?" + query.decode("latin-1")
        headers = {"Content-Type": content_type} if body and content_type else {}
        try:
            async with asyncio.timeout(self._timeout):
                async with self._slots:
                    return await self._send(method, url, body, headers)
        except TimeoutError:
            raise UpstreamError(f"no answer within {self._timeout:g} s (proxy_timeout)") from None
        except (aiohttp.ClientError, OSError, ValueError) as error:
            # Whatever the switch sends (a broken header, a lying Content-Encoding, a reset),
            # the call gets the failure envelope and is journaled.
            raise UpstreamError(_describe(error)) from None

    async def _send(self, method: str, url: str, body: bytes, headers: dict) -> Forwarded:
        session = self._open()
        # A redirect is the switch's answer too: passed on as it is, not followed elsewhere.
        async with session.request(
            method,
            URL(url, encoded=True),
            data=body or None,
            headers=headers,
            allow_redirects=False,
        ) as response:
            if response.status < 200:  # 101 (a protocol switch), or a 1xx as final
                raise UpstreamError(f"it answered HTTP {response.status}, not an answer")
            if (response.content_length or 0) > self._max_bytes:
                raise UpstreamError(self._too_large())
            # Every piece up to the end, however the switch splits its answer: `read(n)`
            # returns what is buffered so far, which cut real answers short.
            pieces, size = [], 0
            async for piece in response.content.iter_any():
                size += len(piece)
                if size > self._max_bytes:
                    raise UpstreamError(self._too_large())
                pieces.append(piece)
            return Forwarded(
                response.status,
                b"".join(pieces),
                response.headers.get("Content-Type", "application/json"),
            )

    def _too_large(self) -> str:
        return f"its answer is larger than {self._max_bytes} bytes (proxy_max_response_bytes)"

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            # No cookies and no environment proxies: the switch is called as given, every time.
            self._session = aiohttp.ClientSession(
                # As many connections as calls in flight: aiohttp's own default is 100.
                connector=aiohttp.TCPConnector(limit=self._limit),
                cookie_jar=aiohttp.DummyCookieJar(),
                trust_env=False,
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


def _describe(error: Exception) -> str:
    """Why, in one short line (aiohttp's messages span lines and quote what the switch sent)."""
    if isinstance(error, aiohttp.ClientConnectorError):
        return f"cannot connect ({error.os_error.strerror or error.os_error})"
    if isinstance(error, aiohttp.ServerDisconnectedError):
        return "it closed the connection without answering"
    said = " ".join(str(error).split())
    return shortened(f"{type(error).__name__}: {said}" if said else type(error).__name__)


async def check_reachable(upstream: str, seconds: float = 3.0) -> str | None:
    """Why the switch cannot be reached now (None if a TCP connection opens)."""
    parts = urlsplit(upstream)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        async with asyncio.timeout(seconds):
            _, writer = await asyncio.open_connection(parts.hostname, port)
    except TimeoutError:
        return f"no connection within {seconds:g} s"
    except OSError as error:
        return error.strerror or str(error)
    writer.close()
    return None
