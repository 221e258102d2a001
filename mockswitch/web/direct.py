"""The direct lane: the Enswitch calls that none of the routed application's layers apply to.

Every middleware and hook of the application applies only to some requests: CORS to those
that carry an `Origin`, preflights to `OPTIONS`, the cross-site and admin-token checks to the
control API's changes, merged slashes to paths with runs of slashes. A plain `GET` or `POST`
to an API path (`/api/json/...`, under a tenant or the `prefix` too) without an `Origin`
needs none of them. (Nor the application's own `Expect: 100-continue` answer: a call that
asks for one is routed too.) The server hands such a call straight to the API handler, skipping the
router and the middleware chain, which cost more than the call's own checks (measured in
docs/benchmarks.md). Every other request takes the routed path, as before.

The lane answers exactly as the routed path would: the same handler, the same error
handling (`errors_as_json`), the same tenant-name rule. `tests/test_direct_lane.py` sends the
same calls both ways and compares the answers and the journal.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from aiohttp import web

from mockswitch.config import Settings

from .api import answer
from .app import API_PATH
from .middleware import errors_as_json
from .openapi_control import TENANT_PREFIX
from .tenants import DEFAULT, VALID_NAME

RequestHandler = Callable[[web.BaseRequest], Awaitable[web.StreamResponse]]
DIRECT_METHODS = frozenset({"GET", "POST"})


def api_path(settings: Settings) -> re.Pattern[str]:
    """The API paths the lane takes, as sent: the routes' shapes (`app.API_PATH` under the
    `prefix` and `TENANT_PREFIX` mounts), with no escapes and no runs of slashes (those the
    router reads, decoding and merging)."""
    prefix = f"(?:{re.escape(settings.prefix)})?" if settings.prefix else ""
    tenant = re.escape(TENANT_PREFIX).replace(re.escape("{tenant}"), "(?P<tenant>[^/%]+)")
    api = re.escape(API_PATH.partition("{")[0])
    return re.compile(f"{prefix}(?:{tenant})?{api}(?P<function>[^%]*)")


class DirectLane:
    """The server's request handler: direct calls to the API handler, the rest routed."""

    def __init__(self, app: web.Application, routed: RequestHandler, settings: Settings) -> None:
        self._app = app
        self._routed = routed
        self._path = api_path(settings)

    async def __call__(self, request: web.BaseRequest) -> web.StreamResponse:
        # `Expect: 100-continue` is answered by the routed application before its handler
        # runs (a client sending a large form waits for it): such calls are routed.
        headers = request.headers
        if request.method in DIRECT_METHODS and "Origin" not in headers and "Expect" not in headers:
            path = request.raw_path.partition("?")[0]
            found = self._path.fullmatch(path) if "//" not in path else None
            if found is not None:
                tenant = found["tenant"] or DEFAULT
                if VALID_NAME.fullmatch(tenant):
                    function = found["function"]

                    async def handler(request: web.Request) -> web.StreamResponse:
                        return await answer(request, self._app, tenant, function)

                    return await errors_as_json(request, handler)  # type: ignore[arg-type]
        return await self._routed(request)
