"""CORS, so that a frontend on another port can call mockswitch from the browser.

The `cors_origins` setting says which origins may: exact origins, `*`, `none`, and
`localhost` (the default), which allows any port on localhost, 127.0.0.1 and [::1], because a
dev server (Vite, webpack, Storybook) picks its own port. With `cors_credentials`, answers
to an allowed origin also carry Access-Control-Allow-Credentials: true, so that browser code
using `credentials: "include"` may read them. A preflight (OPTIONS with
Access-Control-Request-Method) is answered on every route, the Enswitch API and `/_mock/`
alike, and an actual answer to an allowed origin carries Access-Control-Allow-Origin and
exposes the X-Mockswitch-Call header.

Why not aiohttp-cors (0.8.1), the maintained library for this: it looks an origin up only
exactly or as `*` (`config.get(origin, config.get("*"))`), so it cannot say "any port on
localhost" short of listing 65535 origins per host, and `*` would let every site in; and it
needs every route registered with it, adding an OPTIONS route per resource, which the
router's own 405s, the tenant copies of each route and the OpenAPI document would then all
have to account for. A middleware for the preflight and a response-prepare hook for the
headers cover every route, including ones added later, in one small place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aiohttp import hdrs, web

from mockswitch.config import LOCALHOST

from .exchange import CALL_ID_HEADER
from .middleware import Handler, control_error

LOCAL_ORIGIN = re.compile(r"https?://(localhost|127\.0\.0\.1|\[::1\])(:[0-9]{1,5})?", re.ASCII)
EXPOSED = (CALL_ID_HEADER,)
MAX_AGE = "600"  # seconds a browser may keep a preflight's answer
_PRIVATE_NETWORK_REQUEST = "Access-Control-Request-Private-Network"
_PRIVATE_NETWORK_ALLOW = "Access-Control-Allow-Private-Network"


@dataclass(frozen=True, slots=True)
class CorsPolicy:
    """Which browser origins may call, from the `cors_origins` setting."""

    any_origin: bool = False
    localhost: bool = False
    exact: frozenset[str] = frozenset()
    # Browsers refuse a credentialed answer with `*`, so the setting refuses the pair.
    credentials: bool = False

    @classmethod
    def from_setting(cls, text: str, credentials: bool = False) -> CorsPolicy:
        entries = {entry.strip() for entry in text.split(",") if entry.strip()}
        return cls(
            any_origin="*" in entries,
            localhost=LOCALHOST in entries,
            exact=frozenset(entries - {"*", LOCALHOST, "none"}),
            credentials=credentials,
        )

    def allowed_headers(self, origin: str) -> dict[str, str]:
        """The headers that tell a browser this origin may read the answer."""
        headers: dict[str, str] = {hdrs.ACCESS_CONTROL_ALLOW_ORIGIN: self.allow_origin(origin)}
        if self.credentials:
            headers[hdrs.ACCESS_CONTROL_ALLOW_CREDENTIALS] = "true"
        return headers

    def allows(self, origin: str) -> bool:
        return (
            self.any_origin
            or origin in self.exact
            or (self.localhost and LOCAL_ORIGIN.fullmatch(origin) is not None)
        )

    def allow_origin(self, origin: str) -> str:
        """The Access-Control-Allow-Origin value for an allowed origin."""
        return "*" if self.any_origin else origin


def install(app: web.Application, setting: str, credentials: bool = False) -> None:
    """Answer preflights and label answers for the origins `setting` allows; with
    `credentials`, tell the browser it may send cookies and auth headers to them."""
    policy = CorsPolicy.from_setting(setting, credentials)

    @web.middleware
    async def preflight(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not _is_preflight(request):
            return await handler(request)
        # No route has an OPTIONS handler, so the router's 405 knows the path's methods;
        # a path with no route at all keeps its 404.
        missed = request.match_info.http_exception
        if not isinstance(missed, web.HTTPMethodNotAllowed):
            return await handler(request)
        return _answer_preflight(request, policy, sorted(missed.allowed_methods))

    async def label(request: web.Request, response: web.StreamResponse) -> None:
        origin = request.headers.get(hdrs.ORIGIN)
        if origin is None or hdrs.ACCESS_CONTROL_ALLOW_ORIGIN in response.headers:
            return
        if policy.allows(origin):
            response.headers.update(policy.allowed_headers(origin))
            response.headers[hdrs.ACCESS_CONTROL_EXPOSE_HEADERS] = ", ".join(EXPOSED)
        if not policy.any_origin:
            response.headers.add(hdrs.VARY, hdrs.ORIGIN)

    app.middlewares.insert(0, preflight)  # outermost: before errors become JSON
    app.on_response_prepare.append(label)


def _is_preflight(request: web.Request) -> bool:
    return (
        request.method == hdrs.METH_OPTIONS
        and hdrs.ORIGIN in request.headers
        and hdrs.ACCESS_CONTROL_REQUEST_METHOD in request.headers
    )


def _answer_preflight(request: web.Request, policy: CorsPolicy, allowed: list[str]) -> web.Response:
    origin = request.headers[hdrs.ORIGIN]
    vary: dict[str, str] = {
        hdrs.VARY: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
    }
    if not policy.allows(origin):
        # A browser reads no CORS header as "refused"; the words are for whoever debugs it.
        return control_error(
            403, f"origin {origin} is not allowed by the cors_origins setting", "Origin", vary
        )
    wanted = request.headers[hdrs.ACCESS_CONTROL_REQUEST_METHOD].upper()
    if wanted not in allowed:
        return control_error(
            405,
            f"{wanted} is not allowed here: {', '.join(allowed)}",
            "Access-Control-Request-Method",
            {**vary, hdrs.ALLOW: ", ".join(allowed)},
        )
    headers: dict[str, str] = {
        **vary,
        **policy.allowed_headers(origin),
        hdrs.ACCESS_CONTROL_ALLOW_METHODS: ", ".join(allowed),
        hdrs.ACCESS_CONTROL_MAX_AGE: MAX_AGE,
    }
    # Any request header: clients send Content-Type, tracing and auth headers of their own.
    asked = request.headers.get(hdrs.ACCESS_CONTROL_REQUEST_HEADERS)
    if asked:
        headers[hdrs.ACCESS_CONTROL_ALLOW_HEADERS] = asked
    # Chrome asks before a public page may call a private address such as 127.0.0.1.
    if request.headers.get(_PRIVATE_NETWORK_REQUEST, "").lower() == "true":
        headers[_PRIVATE_NETWORK_ALLOW] = "true"
    return web.Response(status=204, headers=headers)
