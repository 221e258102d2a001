"""No cross-site control: a web page the developer visits cannot reset or fault the mock.

A browser sends a cross-site `POST` with `Content-Type: text/plain` without a preflight, so
CORS alone stops only the page from reading the answer, not the change. So every changing
call of the control API (any method but GET, HEAD and OPTIONS under `/_mock` and
`/t/<name>/_mock`) is refused with a 403 JSON error, before it changes anything, when

- it carries an `Origin` that is neither the server's own (the request's scheme and `Host`,
  whatever name the server is reached by) nor one the `cors_origins` setting allows, or
- it carries `Sec-Fetch-Site: cross-site` (set by the browser itself; no page can forge it).

A page whose own name is rebound to this machine (DNS rebinding) is, to the browser, the
server's own origin: that is web/hosts.py's to refuse, by the `Host` it sends, before this.

A call without `Origin` (curl, test clients, CI) is no browser page's doing and passes, as
does the dashboard, which calls from the server's own origin. `Sec-Fetch-Site: same-origin`
counts as the server's own origin too, so the dashboard also works behind a proxy that
changes the scheme or the host. Which calls are control calls is read from the route that
matched, as for the admin token (`admin.is_changing_control_call`).
"""

from __future__ import annotations

from aiohttp import hdrs, web

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


def is_same_origin(request: web.Request, origin: str) -> bool:
    """Whether `origin` is the server's own, as this request reached it."""
    return _normal(origin) == _normal(f"{request.scheme}://{request.host}")


def refusal(request: web.Request, policy: CorsPolicy) -> web.Response | None:
    """The 403 for a changing control call that a browser page of another site made."""
    site = request.headers.get(SEC_FETCH_SITE, "").strip().lower()
    if site == "cross-site":
        return _forbidden(
            "a web page of another site may not change this server (Sec-Fetch-Site: "
            "cross-site); call the control API from your tests or tools, not from a page",
            SEC_FETCH_SITE,
        )
    origin = request.headers.get(hdrs.ORIGIN)
    if origin is None or site == "same-origin" or is_same_origin(request, origin):
        return None
    if policy.allows(origin):
        return None
    return _forbidden(
        f"origin {origin} may not change this server: a browser page may call the control "
        "API's changes only from the server's own origin or one the cors_origins setting "
        "allows",
        "Origin",
    )


def _forbidden(message: str, field: str) -> web.Response:
    return control_error(403, message, field)


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
