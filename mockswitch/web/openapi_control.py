"""The control API's part of the OpenAPI document, generated from the route declarations.

Each control module declares its routes once (`declare.ControlRoutes`): summary, answers,
query and path parameters, body. Here they become operations, twice for the routes every
tenant has (the plain path for the default tenant, and `/t/{tenant}/...`), with what every
route shares added: the tenant's name check, the body size limit, the admin token.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from mockswitch.config import ANY_HOST, Settings

from .declare import (
    JSON,
    SHARED_SCHEMAS,
    TOO_MANY,
    Answer,
    ControlRoute,
    ControlRoutes,
    Schema,
)

TENANT_PREFIX = "/t/{tenant}"
BAD_TENANT = "Not a tenant name (`error.field` is `tenant`)."
SCOPES = {"both": ("", TENANT_PREFIX), "plain": ("",), "tenant": (TENANT_PREFIX,)}
# The admin token, in either header; `security_schemes` describes them.
ADMIN_SCHEMES = ("adminToken", "adminTokenHeader")
UNAUTHORIZED = Answer(
    401, "The admin token is missing or wrong (the server has `admin_token` set)."
)
CROSS_SITE = Answer(
    403,
    "A browser page of another site made the call: its `Origin` is neither the server's own "
    "nor allowed by `cors_origins`, or it carries `Sec-Fetch-Site: cross-site`. Nothing "
    "changed; `error.field` names the header.",
)

CROSS_SITE_CREATION = Answer(
    403,
    "A browser page of another site asked for a tenant that does not exist yet: its `Origin` "
    "is foreign or `null`, or it carries `Sec-Fetch-Site: cross-site`. No tenant was made; "
    "`error.field` names the header.",
)
MISDIRECTED = Answer(
    421,
    "The request's `Host` is not one the server answers to (`allowed_hosts`); `error.field` "
    "is `Host`.",
)
CODING = Answer(415, "The body's `Content-Encoding` is not gzip, deflate or identity.")


def control_paths(settings: Settings, tables: Iterable[ControlRoutes]) -> dict[str, dict[str, Any]]:
    """The paths of every declared route a server with `settings` answers."""
    paths: dict[str, dict[str, Any]] = {}
    for table in tables:
        for route in table:
            if not route.enabled(settings):
                continue
            for scope in SCOPES[route.scope]:
                item = paths.setdefault(scope + route.path, {})
                item[route.method.lower()] = _operation(route, settings, tenant=bool(scope))
    return paths


def control_schemas(tables: Iterable[ControlRoutes]) -> dict[str, Schema]:
    """The component schemas the declared answers and bodies refer to."""
    found = dict(SHARED_SCHEMAS)
    for table in tables:
        found.update(table.schemas())
    return found


def security_schemes() -> dict[str, Schema]:
    """The admin token's two spellings, as `components.securitySchemes`."""
    note = "The server's `admin_token`, required by the control API's changing calls."
    return {
        "adminToken": {"type": "http", "scheme": "bearer", "description": note},
        "adminTokenHeader": {
            "type": "apiKey",
            "in": "header",
            "name": "X-Mockswitch-Token",
            "description": note,
        },
    }


def _operation(route: ControlRoute, settings: Settings, *, tenant: bool) -> dict[str, Any]:
    path = route.path.removeprefix("/_mock")
    slug = re.sub(r"\W+", "_", path).strip("_") or "tenant"
    if path.endswith("/"):
        slug += "_slash"
    parameters: list[dict[str, Any]] = []
    if tenant:
        parameters.append({"$ref": "#/components/parameters/tenant"})
    for name in re.findall(r"{(\w+)}", route.path):
        declared = route.path_parameters[name]  # a KeyError: the route must declare it
        parameters.append(
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": declared.schema,
                "example": declared.example,
            }
        )
    for query in route.queries(settings):
        parameters.append(
            {
                "name": query.name,
                "in": "query",
                "required": False,
                "description": query.description,
                "schema": query.schema,
            }
        )
    answers = {str(answer.status): answer for answer in route.answers}
    if tenant and "400" not in answers:  # every tenant route checks the tenant's name
        answers["400"] = Answer(400, BAD_TENANT)
    if route.body is not None:  # the app's client_max_size; web/codings.py
        answers.setdefault("413", Answer(413, "The body is larger than `max_request_bytes`."))
        answers["415"] = CODING
    if settings.allowed_hosts != ANY_HOST:  # web/hosts.py
        answers["421"] = MISDIRECTED
    # Reads are open to every origin (CORS decides who may read them) and need no token.
    changing = route.method != "GET"
    if changing:  # web/crosssite.py
        answers["403"] = CROSS_SITE
    elif tenant and TOO_MANY in route.answers:  # a read that makes its tenant on first use
        answers["403"] = CROSS_SITE_CREATION  # (web/tenants.py)
    if settings.admin_token and changing:  # web/admin.py
        answers["401"] = UNAUTHORIZED
    result: dict[str, Any] = {
        "tags": [route.tag],
        "summary": route.summary,
        "operationId": ("tenant_" if tenant else "") + f"{route.method.lower()}_{slug}",
        "responses": {
            status: {
                "description": answer.description,
                "content": {media: {"schema": schema} for media, schema in answer.content.items()},
            }
            for status, answer in sorted(answers.items())
        },
    }
    if settings.admin_token and changing:  # any one of the schemes will do
        result["security"] = [{scheme: []} for scheme in ADMIN_SCHEMES]
    if route.description:
        result["description"] = route.description
    if parameters:
        result["parameters"] = parameters
    if route.body is not None:
        media = {"schema": route.body, "example": route.example}
        result["requestBody"] = {"required": True, "content": {JSON: media}}
    return result
