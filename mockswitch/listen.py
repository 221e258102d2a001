"""The listening sockets, bound before the database is touched.

`mockswitch serve` binds its address first: a busy port (or an address this machine does not
have) stops the start before any database file is created or seeded. The sockets listen only
once the data set is loaded, so nothing connects before the server is ready.
"""

from __future__ import annotations

import socket


class ListenError(Exception):
    """The address cannot be bound; the message (one line) says which and why."""


def bind(host: str, port: int) -> list[socket.socket]:
    """A bound, not yet listening, socket for each address `host` resolves to.

    With port 0, the first address picks a free port and the others take the same one.
    """
    try:
        addresses = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as error:
        raise ListenError(f"cannot listen on {host}: {error.strerror}") from None
    bound: list[socket.socket] = []
    seen: set[tuple[int, str]] = set()
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
                where = f"[{address[0]}]" if family == socket.AF_INET6 else address[0]
                raise ListenError(
                    f"cannot listen on {where}:{address[1]}: {error.strerror or error} "
                    "(another server on that port? --port 0 picks a free one)"
                ) from None
    except BaseException:
        for sock in bound:
            sock.close()
        raise
    return bound
