"""Serving the app: the listening sockets, bound before the database is touched, and the
aiohttp runner that both `mockswitch serve` and `testing.ServerThread` start and stop.

`mockswitch serve` binds its address first: a busy port (or an address this machine does not
have) stops the start before any database file is created or seeded. The sockets listen only
once the data set is loaded, so nothing connects before the server is ready.
"""

from __future__ import annotations

import errno
import gc
import logging
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

from mockswitch.config import Settings
from mockswitch.errors import ListenError

from .app import create_app
from .connections import ConnectionGuard, GuardedServer
from .descriptors import connection_budget
from .direct import DirectLane
from .keys import SETTINGS
from .repeats import limit_repeats

log = logging.getLogger("mockswitch")


def bind(host: str, port: int) -> list[socket.socket]:
    """A bound, not yet listening, socket for each address `host` resolves to.

    With port 0, the first address picks a free port and the others take the same one.
    """
    try:
        addresses = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as error:
        raise ListenError(
            f"cannot listen on {host}: {error.strerror} (--host takes an address of this "
            "machine, or a name it resolves to one)"
        ) from None
    bound: list[socket.socket] = []
    seen: set[tuple[int, object]] = set()
    try:
        for family, kind, proto, _, address in addresses:
            if (family, address[0]) in seen:
                continue
            seen.add((family, address[0]))
            sock = socket.socket(family, kind, proto)
            bound.append(sock)
            # As asyncio's own servers: a restart may reuse a port left in TIME_WAIT.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            if port == 0 and len(bound) > 1:
                address = (address[0], bound[0].getsockname()[1], *address[2:])
            try:
                sock.bind(address)
            except OSError as error:
                host, number = str(address[0]), int(address[1])
                where = f"[{host}]:{number}" if family == socket.AF_INET6 else f"{host}:{number}"
                raise ListenError(
                    f"cannot listen on {where}: {bind_failure(error, host, number)}"
                ) from None
    except BaseException:
        for sock in bound:
            sock.close()
        raise
    return bound


def bind_failure(error: OSError, host: str, port: int) -> str:
    """Why an address could not be bound, with a hint only where the hint is the cause."""
    reason = error.strerror or str(error)
    if error.errno == errno.EADDRINUSE:
        return f"{reason} (another server on that port? --port 0 picks a free one)"
    if error.errno == errno.EADDRNOTAVAIL:
        return (
            f"this machine has no address {host} ({reason}): --host 127.0.0.1 listens on this "
            "machine only, 0.0.0.0 on every address it has"
        )
    if error.errno == errno.EACCES and 0 < port < 1024:
        return f"{reason} (ports below 1024 need privileges: use 1024 or above)"
    return reason


@asynccontextmanager
async def serving(settings: Settings, sockets: list[socket.socket]) -> AsyncIterator[str]:
    """Serve mockswitch on the bound `sockets` while the block runs; yields its root URL.

    The data set is loaded before the sockets listen. Leaving the block waits for the calls
    in flight, then flushes the journal and closes the database.
    """
    # What the open-file limit leaves room for (raised first if need be): the cap on
    # connections and the backlog are lowered to fit, so that accept() never runs out.
    budget = connection_budget(
        settings.max_connections,
        settings.backlog,
        len(sockets),
        extra=settings.proxy_max_concurrency if settings.proxy_to else 0,
    )
    if budget.connections < settings.max_connections:
        log.info(
            "at most %d connections at once: the open-file limit (%s) leaves room for no more "
            "(max_connections is %d)",
            budget.connections,
            budget.limit,
            settings.max_connections,
        )
    runner = LaneRunner(
        create_app(settings),
        max_connections=budget.connections,
        handle_signals=False,
        access_log=None,
        shutdown_timeout=settings.shutdown_timeout,
    )
    try:
        try:
            await runner.setup()  # loads the data set: nothing listens before it is ready
        except BaseException:
            for sock in sockets:
                sock.close()
            raise
        for sock in sockets:
            await web.SockSite(runner, sock, backlog=budget.backlog).start()
        host, port = runner.addresses[0][:2]
        # What start-up made (modules, the data set, aiohttp's tables) lives as long as the
        # server: frozen, the collector's full passes no longer walk it, which took the
        # longest pauses out of the answers' tail (docs/benchmarks.md).
        gc.freeze()
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


class LaneRunner(web.AppRunner):
    """aiohttp's runner, with the direct lane in front of the application's router, every
    connection under the guard (web/connections.py), and repeated log lines limited
    (web/repeats.py) while it runs. `max_connections` overrides the setting (serving()
    passes what the open-file limit leaves room for)."""

    def __init__(
        self, app: web.Application, *, max_connections: int | None = None, **kwargs: Any
    ) -> None:
        settings = app[SETTINGS]
        # aiohttp closes a connection idle between requests after this (an hour by default).
        kwargs.setdefault("keepalive_timeout", settings.keepalive_timeout)
        super().__init__(app, **kwargs)
        self.guard = ConnectionGuard(
            max_connections or settings.max_connections, settings.header_timeout
        )
        self._unlimit_repeats: Callable[[], None] | None = None

    async def setup(self) -> None:
        self._unlimit_repeats = limit_repeats(self.app[SETTINGS].log_repeat_interval)
        try:
            await super().setup()
        except BaseException:
            self._stop_limiting()
            raise

    async def _make_server(self) -> web.Server:
        routed = await super()._make_server()
        settings = self.app[SETTINGS]
        lane = DirectLane(self.app, routed.request_handler, settings, self.guard)
        return GuardedServer(routed, lane, self.guard)

    async def cleanup(self) -> None:
        try:
            await super().cleanup()
        finally:
            self.guard.close()
            self._stop_limiting()

    def _stop_limiting(self) -> None:
        if self._unlimit_repeats is not None:
            self._unlimit_repeats()
            self._unlimit_repeats = None


def quiet_aiohttp_logs() -> None:
    """aiohttp logs every unparseable request with a traceback; one line is enough."""
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
