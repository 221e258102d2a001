"""Where a mockswitch server's APIs are: its root URL as a user may give it, and the URLs of
one tenant's Enswitch API and control API under it."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping

DEFAULT_URL = "http://127.0.0.1:8080"
API_PATH = "/api/json"
_TENANT_PATH = re.compile(r"/t/[^/]+$")
URL_VARIABLE = "MOCKSWITCH_URL"  # where the pytest plugin and `mockswitch calls` look
TOKEN_VARIABLE = "MOCKSWITCH_ADMIN_TOKEN"  # the server's admin token, read by the pytest plugin


def server_root(url: str) -> str:
    """The server's root from a URL as a user may give it: `http://host:port`, with or
    without a trailing slash, or ending in the API's `/api/json/` (which is dropped).

    A tenant's URL (`/t/<name>`) or the control API's (`/_mock`) is refused: the tenant is
    chosen per test, under the root.
    """
    root = url.strip().rstrip("/").removesuffix(API_PATH).rstrip("/")
    parts = urllib.parse.urlsplit(root)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"set it to the server's root URL, such as {DEFAULT_URL}")
    if _TENANT_PATH.search(parts.path) or "/_mock" in parts.path:
        raise ValueError(
            f"names a tenant or the control API, not the server: set it to the server's root "
            f"URL, such as {parts.scheme}://{parts.netloc} (each test gets its own tenant)"
        )
    if parts.query or parts.fragment:
        raise ValueError(
            f"set it to the server's root URL, such as {parts.scheme}://{parts.netloc}"
        )
    return root


class Endpoints:
    """Where a server's APIs are, for one tenant (or the default one), and the admin token
    that a server with `admin_token` set wants on changes (sent with every call)."""

    def __init__(
        self, url: str = DEFAULT_URL, tenant: str | None = None, token: str | None = None
    ) -> None:
        self.url = url.rstrip("/")
        self.tenant = tenant
        self.token = token
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        scope = f"{self.url}/t/{tenant}" if tenant else self.url
        self.control_url = f"{scope}/_mock"
        self.api_url = f"{scope}/api/json/"

    def _control(self, path: str, query: Mapping[str, str] | None = None) -> str:
        suffix = f"?{urllib.parse.urlencode(query)}" if query else ""
        return f"{self.control_url}{path}{suffix}"
