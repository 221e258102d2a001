"""The host allow-list: the server answers only to names a DNS-rebinding page cannot own.

A page on `evil.example` whose name the attacker then points at 127.0.0.1 is, to the
browser, on the same origin as the mock: its requests carry `Host: evil.example:8080` and
`Sec-Fetch-Site: same-origin`, and the cross-site guard (web/crosssite.py), which judges
"same origin" by the Host, let it reset the mock, add stubs and read the journal. Rebinding
needs a dotted name that the attacker controls in the public DNS, so by default the server
answers only to what cannot be one of those:

- any IP literal (`127.0.0.1:8080`, `[::1]`, a LAN or container address),
- `localhost` and any name under `.localhost` (never resolved by DNS, RFC 6761),
- a name without a dot (a compose service such as `mockswitch`, a container's own name),
- this machine's own host name, and `host.docker.internal` / `host.containers.internal`
  (under `.internal`, a top-level name kept for private use, never delegated),
- a request with no Host at all (HTTP/1.0 clients; no browser sends one).

`--allowed-hosts` adds names (`mock.example`, or `*.ci.example` for every name under it);
`*` turns the check off, with a warning at start. Any other Host gets a 421 (Misdirected
Request): a JSON error naming `Host` under `/_mock/` and everywhere else, and under
`/api/json/` an envelope with code 421, journaled in the tenant it names if that exists
(web/api.py; the check runs there for both lanes). The port is not judged: the socket did.

The direct lane (web/direct.py) checks every call, so the check is a dict lookup per
distinct Host value, the judgement cached (a bounded cache: a client sending a million
different names fills it, then each is judged afresh, a few microseconds).
"""

from __future__ import annotations

import ipaddress
import logging
import socket

from aiohttp import hdrs, web

from mockswitch.config import ANY_HOST
from mockswitch.switch.calllog import loggable

from .middleware import Handler, control_error

log = logging.getLogger("mockswitch")

# Names under `.internal` that container engines give the host machine: no DNS outside the
# machine answers for that top-level name, so no attacker can rebind them.
ENGINE_NAMES = ("host.docker.internal", "host.containers.internal")
CACHE_MOST = 1024  # distinct Host values whose judgement is kept
MISDIRECTED = 421


class HostPolicy:
    """Which `Host` values the server answers to (`allowed_hosts`, with the defaults)."""

    def __init__(self, setting: str = "", own_name: str | None = None) -> None:
        self.anyone = setting == ANY_HOST
        entries = [] if self.anyone else [e for e in setting.split(",") if e]
        own = _name(own_name if own_name is not None else socket.gethostname())
        self._names = frozenset([*(e for e in entries if not e.startswith("*.")), *ENGINE_NAMES])
        self._names |= {own} if own else set()
        self._suffixes = tuple(e[1:] for e in entries if e.startswith("*."))  # ".ci.example"
        self._judged: dict[str, bool] = {}

    def allows(self, host: str | None) -> bool:
        """Whether a request with this `Host` header (None: none at all) is answered."""
        if host is None or self.anyone:
            return True
        judged = self._judged.get(host)
        if judged is None:
            judged = self._judge(host)
            if len(self._judged) < CACHE_MOST:
                self._judged[host] = judged
        return judged

    def _judge(self, host: str) -> bool:
        host = host.strip()
        if host.startswith("["):  # [an IPv6 address]:port, and nothing else in brackets
            return "]" in host and _is_ip(host[1 : host.index("]")])
        name = _name(host.partition(":")[0] if host.count(":") == 1 else host)
        if not name:
            return not host  # an empty Host is as good as none; ":8080" is not
        if name == "localhost" or name.endswith(".localhost") or "." not in name:
            return True  # (a bare IPv6 address, not valid HTTP, has no dot either)
        if _is_ip(name) or name in self._names:
            return True
        return any(name.endswith(suffix) for suffix in self._suffixes)


HOSTS = web.AppKey("hosts", HostPolicy)  # the server's policy, which both API lanes read


def _name(host: str) -> str:
    """A host name as compared: lower case, without the root's trailing dot."""
    return host.strip().lower().removesuffix(".")


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def refusal_message(host: str) -> str:
    """What a refused request is told (the same words in the JSON error and the envelope)."""
    return (
        f"this server does not answer to the host name {loggable(host)}: a web page could "
        "reach it under a name of its own (DNS rebinding); if the name is yours, add it with "
        "--allowed-hosts (MOCKSWITCH_ALLOWED_HOSTS)"
    )


def install(app: web.Application, policy: HostPolicy, api_handler: Handler) -> None:
    """Answer every request whose Host the policy refuses with a 421, before anything else
    looks at it; but `api_handler`'s calls, which it judges itself so as to journal them."""
    app[HOSTS] = policy
    if policy.anyone:
        app.on_startup.append(_warn_anyone)
        return

    @web.middleware
    async def allowed_hosts_only(request: web.Request, handler: Handler) -> web.StreamResponse:
        host = request.headers.get(hdrs.HOST)
        if policy.allows(host) or request.match_info.handler is api_handler:
            return await handler(request)
        return control_error(MISDIRECTED, refusal_message(host or ""), "Host")

    app.middlewares.append(allowed_hosts_only)


async def _warn_anyone(app: web.Application) -> None:
    log.warning(
        "--allowed-hosts '*': the server answers to any Host, so a web page whose name is "
        "rebound to this machine (DNS rebinding) can call it and its control API; list the "
        "names instead"
    )
