"""The optional admin token: what may change the server, when the server is shared.

With `admin_token` set (`--admin-token`, `MOCKSWITCH_ADMIN_TOKEN`), every call of the
control API that changes something (POST, PUT, DELETE, PATCH under `/_mock` and
`/t/<name>/_mock`: reset, fault rules, the default latency, clearing the journal, dropping a
tenant) must carry the token, as `Authorization: Bearer <token>` or as
`X-Mockswitch-Token: <token>`; without it the answer is a 401:

    {"error": {"status": 401, "message": "...", "field": "token"}}

Reads stay open (the journal, the rules, health, the dashboard and its event stream), and so
does the Enswitch API, which has its own authentication (`auth_username`, `auth_password`)
and must answer exactly as the switch does. The token is compared in constant time
(`hmac.compare_digest`), so the time an answer takes says nothing about how much of a guess
was right. Without the setting, nothing here runs.

Which calls are "control" is read from the route that matched, not from the raw path, so no
spelling of the path (percent-escapes, a prefix mount) reaches a changing handler without the
token. A path that matches no route changes nothing and keeps its 404 or 405.
"""

from __future__ import annotations

import hmac

from aiohttp import hdrs, web

from .middleware import Handler, control_error

TOKEN_HEADER = "X-Mockswitch-Token"
CHANGING = frozenset({hdrs.METH_POST, hdrs.METH_PUT, hdrs.METH_DELETE, hdrs.METH_PATCH})
CONTROL_ROOTS = ("/_mock", "/t/{tenant}/_mock")
SCHEME = "Bearer"


SAFE = frozenset({hdrs.METH_GET, hdrs.METH_HEAD, hdrs.METH_OPTIONS})


def is_changing_control_call(request: web.Request) -> bool:
    """Any method but GET, HEAD and OPTIONS (today POST, PUT, DELETE), that a control-API
    route answers."""
    if request.method in SAFE:
        return False
    route = request.match_info.route
    if request.match_info.http_exception is not None or route.resource is None:
        return False  # no route: a 404 or 405, and nothing changes
    path = route.resource.canonical
    return any(path == root or path.startswith(root + "/") for root in CONTROL_ROOTS)


def presented_tokens(request: web.Request) -> list[str]:
    """The tokens the request carries, from either header."""
    found = []
    scheme, _, credentials = request.headers.get(hdrs.AUTHORIZATION, "").strip().partition(" ")
    if scheme.lower() == SCHEME.lower() and credentials.strip():
        found.append(credentials.strip())
    if TOKEN_HEADER in request.headers:
        found.append(request.headers[TOKEN_HEADER].strip())
    return found


def token_matches(given: str, token: str) -> bool:
    # Bytes: compare_digest refuses str with characters beyond ASCII.
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), token.encode("utf-8"))


def unauthorized(message: str) -> web.Response:
    return control_error(
        401,
        message,
        "token",
        headers={hdrs.WWW_AUTHENTICATE: f'{SCHEME} realm="mockswitch control API"'},
    )


def install(app: web.Application, token: str) -> None:
    """Require `token` on the control API's changing calls; an empty token requires none."""
    if not token:
        return

    @web.middleware
    async def require_token(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not is_changing_control_call(request):
            return await handler(request)
        given = presented_tokens(request)
        if not given:
            return unauthorized(
                "this server requires the admin token for changes: send it as "
                f"'Authorization: {SCHEME} <token>' or '{TOKEN_HEADER}: <token>'"
            )
        # Every presented token is compared, so the answer's time does not depend on which.
        if not sum(token_matches(candidate, token) for candidate in given):
            return unauthorized("the admin token is wrong")
        return await handler(request)

    app.middlewares.append(require_token)
