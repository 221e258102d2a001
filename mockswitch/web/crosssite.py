"""No cross-site control: a web page the developer visits cannot reset or fault the mock.

A browser sends a cross-site `POST` with `Content-Type: text/plain` without a preflight, so
CORS alone stops only the page from reading the answer, not the change. So every changing
call of the control API (any method but GET, HEAD and OPTIONS under `/_mock` and
`/t/<name>/_mock`) is refused with a 403 JSON error, before it changes anything, when

- it carries an `Origin` that is neither the server's own (the request's scheme and `Host`,
  whatever name the server is reached by) nor one the `cors_origins` setting allows, or
- it carries `Sec-Fetch-Site: cross-site` (set by the browser itself; no page can forge it).

A call without `Origin` (curl, test clients, CI) is no browser page's doing and passes, as
does the dashboard, which calls from the server's own origin. `Sec-Fetch-Site: same-origin`
counts as the server's own origin too, so the dashboard also works behind a proxy that
changes the scheme or the host. Which calls are control calls is read from the route that
matched, as for the admin token (`admin.is_changing_control_call`).
"""

from __future__ import annotations

from functools import cache

from aiohttp import hdrs, web

from mockswitch.errors import ControlError

from .admin import is_changing_control_call
from .cors import CorsPolicy
from .middleware import Handler, control_error

SEC_FETCH_SITE = "Sec-Fetch-Site"
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def _normal(origin: str) -> str:
    """An origin in lower case without its scheme's default port."""
    origin = origin.strip().lower()
    scheme, _, rest = origin.partition("://")
    default = _DEFAULT_PORTS.get(scheme)
    if default and rest.endswith(f":{default}"):
        rest = rest.removesuffix(f":{default}")
    return f"{scheme}://{rest}"


def is_same_origin(request: web.BaseRequest, origin: str) -> bool:
    """Whether `origin` is the server's own, as this request reached it."""
    return _normal(origin) == _normal(f"{request.scheme}://{request.host}")


def _cross_site(
    request: web.BaseRequest, policy: CorsPolicy, opaque_allowed: bool = True
) -> tuple[str, str] | None:
    """How the request shows that a browser page of another site sent it: the header that
    says so, and a few words on it; None for a request of the server's own site or a tool.
    `Origin: null` (a sandboxed frame, a file) counts as another site's unless
    `opaque_allowed` and the cors_origins setting allow any origin."""
    site = request.headers.get(SEC_FETCH_SITE, "").strip().lower()
    if site == "cross-site":
        return SEC_FETCH_SITE, "Sec-Fetch-Site: cross-site"
    origin = request.headers.get(hdrs.ORIGIN)
    if origin is None or site == "same-origin" or is_same_origin(request, origin):
        return None
    opaque = origin.strip().lower() == "null"
    if (opaque and not opaque_allowed) or not policy.allows(origin):
        return hdrs.ORIGIN, f"origin {origin}"
    return None


def refusal(request: web.Request, policy: CorsPolicy) -> web.Response | None:
    """The 403 for a changing control call that a browser page of another site made."""
    found = _cross_site(request, policy)
    if found is None:
        return None
    field, how = found
    if field == SEC_FETCH_SITE:
        message = (
            f"a web page of another site may not change this server ({how}); call the "
            "control API from your tests or tools, not from a page"
        )
    else:
        message = (
            f"{how} may not change this server: a browser page may call the control API's "
            "changes only from the server's own origin or one the cors_origins setting allows"
        )
    return control_error(403, message, field)


def cross_site_creation(request: web.BaseRequest, cors_origins: str) -> ControlError | None:
    """The 403 for a request that would create a tenant (its first use) when a browser page
    of another site sent it: an `<img>` tag on any page could otherwise fill `max_tenants`."""
    found = _cross_site(request, _policy(cors_origins), False)
    if found is None:
        return None
    field, how = found
    return ControlError(
        403,
        f"a web page of another site ({how}) may not create a tenant; the first call for a "
        "new tenant must come from your tests or tools, or from this server's own pages",
        field,
    )


@cache
def _policy(setting: str) -> CorsPolicy:
    return CorsPolicy.from_setting(setting)


def install(app: web.Application, setting: str) -> None:
    """Refuse cross-site changing control calls; `setting` is `cors_origins`."""
    policy = CorsPolicy.from_setting(setting)

    @web.middleware
    async def no_cross_site_control(request: web.Request, handler: Handler) -> web.StreamResponse:
        if is_changing_control_call(request):
            refused = refusal(request, policy)
            if refused is not None:
                return refused
        return await handler(request)

    app.middlewares.append(no_cross_site_control)
